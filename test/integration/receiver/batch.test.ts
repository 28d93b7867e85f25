import { randomBytes } from 'node:crypto';
import fsp from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HttpClient } from '../../../main/engine/upload/httpClient';
import type { BatchFile, FinishResult } from '../../../main/engine/upload/protocol';
import { ReceiverBatch } from '../../../main/engine/upload/receiverBatch';
import { FerryError } from '../../../shared/errors';
import { BATCH_INDEX_HEADER, BATCH_LIMITS, BATCH_PATH } from '../../../shared/receiverBatch';
import { canMountTmpfs, mountTmpfs, type MountedTmpfs } from '../../helpers/tmpfs';
import { finalTree, incomingNames, sha256, startReceiverFixture, type ReceiverFixture } from './receiverFixture';

/**
 * The receiver's batch endpoint (`POST /batch`, shared/receiverBatch.ts) end to end: a real
 * receiver on 127.0.0.1, real files in a real storage tree, the real ReceiverBatch client over
 * HttpClient, and raw node:http requests for what a well-behaved client never sends.
 */

// ---------------------------------------------------------------------------------------------
// Shared helpers
// ---------------------------------------------------------------------------------------------

const META = { dataset: 'run-1', sensorType: 'x' };

/** A file as the engine hands it to a BatchSender. */
function batchFile(relativePath: string, bytes: Buffer, metadata: Record<string, string> = META): BatchFile {
  return { info: { size: bytes.length, name: path.posix.basename(relativePath), relativePath, metadata }, bytes, sha256: sha256(bytes) };
}

/** Where each file of a successful batch must be, as the client reports it. */
function expectedResults(files: BatchFile[], dataset: string): FinishResult[] {
  return files.map((f) => ({ verified: 'checksum', location: `${dataset}/${f.info.relativePath}` }));
}

/** Sorted like finalTree sorts. */
function treeOf(files: BatchFile[], dataset: string): string[] {
  return files.map((f) => `${dataset}/${f.info.relativePath}`).sort();
}

/** Every file is at `<storageDir>/<dataset>/<relativePath>` with exactly its bytes. */
async function expectStored(storageDir: string, dataset: string, files: BatchFile[]): Promise<void> {
  for (const f of files) {
    const stored = await fsp.readFile(path.join(storageDir, dataset, ...f.info.relativePath.split('/')));
    expect(stored.equals(f.bytes), `${dataset}/${f.info.relativePath} is byte-identical`).toBe(true);
  }
}

/** The final tree holds exactly `tree` and `.incoming` has no leftovers. */
async function expectTree(fx: ReceiverFixture, tree: string[]): Promise<void> {
  expect(await finalTree(fx.storageDir)).toEqual(tree);
  expect(await incomingNames(fx.storageDir)).toEqual([]);
}

/** Rejects with a REMOTE FerryError carrying `status`, `retriable` and a message containing `text`. */
async function expectRemote(attempt: Promise<unknown>, status: number, retriable: boolean, text: string | RegExp): Promise<FerryError> {
  const err = await attempt.then(
    () => expect.unreachable(`expected the batch to fail with ${status}`),
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(FerryError);
  const ferry = err as FerryError;
  expect(ferry.code).toBe('REMOTE');
  expect(ferry.details).toMatchObject({ status, retriable });
  expect(ferry.message).toMatch(text);
  return ferry;
}

/** ~`count` files of varied sizes (0 B and 1 B included) under unicode, spaced and nested names. */
const SIZES = [0, 1, 7, 100, 1023, 4096, 20_000, 70_001];
const NAMES: ((i: number) => string)[] = [
  (i) => `plain-${i}.bin`,
  (i) => `with space/file ${i}.txt`,
  (i) => `ünïcødé/데이터 ${i}.dat`,
  (i) => `deep/a/b/c/${i}`,
  (i) => `émoji 🚀/文件 ${i}.json`,
  (i) => `.hidden/.dot-${i}`,
];
function manyFiles(count: number, metadata: Record<string, string> = META): BatchFile[] {
  return Array.from({ length: count }, (_, i) => batchFile(NAMES[i % NAMES.length]!(i), randomBytes(SIZES[i % SIZES.length]!), metadata));
}

/** The raw wire form of a batch: index (JSON or any string) then the bytes, with the two headers. */
interface RawRequest {
  method?: string;
  headers: Record<string, string>;
  body?: Buffer;
  /** Send only the headers (a body of Content-Length bytes is announced but never sent). */
  headersOnly?: boolean;
}
function encodeBatch(index: unknown, data: Buffer[] = []): RawRequest {
  const head = Buffer.from(typeof index === 'string' ? index : JSON.stringify(index), 'utf8');
  const body = Buffer.concat([head, ...data]);
  return { headers: { 'Content-Length': String(body.length), [BATCH_INDEX_HEADER]: String(head.length) }, body };
}
function indexEntry(relativePath: string, bytes: Buffer): { relativePath: string; size: number; sha256: string } {
  return { relativePath, size: bytes.length, sha256: sha256(bytes) };
}
function encodeFiles(files: BatchFile[], metadata: Record<string, string> = META): RawRequest {
  return encodeBatch({ metadata, files: files.map((f) => indexEntry(f.info.relativePath, f.bytes)) }, files.map((f) => f.bytes));
}

interface RawAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** One request on its own connection, no client logic in between. */
function rawRequest(url: string, req: RawRequest): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const call = http.request(url, { method: req.method ?? 'POST', headers: req.headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        settled = true;
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') });
        // A headers-only request still owes its body: drop the connection instead.
        if (req.headersOnly) call.destroy();
      });
    });
    call.on('error', (err) => {
      if (!settled) reject(err);
    });
    if (req.headersOnly) call.flushHeaders();
    else call.end(req.body);
  });
}

function batchUrl(fx: ReceiverFixture): string {
  return new URL(BATCH_PATH, fx.receiver.url).toString();
}

const clients: HttpClient[] = [];
function batchClient(fx: ReceiverFixture, headers: Record<string, string> = {}): ReceiverBatch {
  const client = new HttpClient();
  clients.push(client);
  return new ReceiverBatch({ endpoint: new URL(fx.receiver.url), http: client, headers: () => headers });
}
const send = (sender: ReceiverBatch, files: BatchFile[]) => sender.send(files, new AbortController().signal);


// ---------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------

describe('receiver: POST /batch files many small files in one request', () => {
  let fx: ReceiverFixture | undefined;
  let disk: MountedTmpfs | undefined;
  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    await fx?.dispose();
    fx = undefined;
    disk?.release();
    disk = undefined;
  });

  it('files 300 files (0 B, 1 B, unicode, spaces, nested) byte-identical at <dataset>/<relativePath>', async () => {
    fx = await startReceiverFixture();
    const files = manyFiles(300);
    expect(files.some((f) => f.bytes.length === 0) && files.some((f) => f.bytes.length === 1)).toBe(true);

    const results = await send(batchClient(fx), files);

    expect(results).toEqual(expectedResults(files, 'run-1'));
    await expectTree(fx, treeOf(files, 'run-1'));
    await expectStored(fx.storageDir, 'run-1', files);
  });

  it('sending the same batch again files nothing twice; changed bytes under the same names get " (n)" names', async () => {
    fx = await startReceiverFixture();
    const client = batchClient(fx);
    // [name sent, name the changed bytes are filed under]
    const renames: [string, string][] = [
      ['img 001.tif', 'img 001 (1).tif'],
      ['sub/dir/ünïcødé.csv', 'sub/dir/ünïcødé (1).csv'],
      ['README', 'README (1)'],
      ['.env', '.env (1)'],
      ['archive.tar.gz', 'archive.tar (1).gz'],
      ['empty.bin', 'empty (1).bin'],
    ];
    const first = renames.map(([name]) => batchFile(name, name === 'empty.bin' ? Buffer.alloc(0) : randomBytes(300)));
    expect(await send(client, first)).toEqual(expectedResults(first, 'run-1'));

    // Again, raw: the answer marks every file a duplicate of the one already there.
    const again = await rawRequest(batchUrl(fx), encodeFiles(first));
    expect(again.status).toBe(200);
    expect(JSON.parse(again.body)).toEqual({ files: first.map((f) => ({ storedAs: `run-1/${f.info.relativePath}`, duplicate: true })) });
    // And again through the client: same locations.
    expect(await send(client, first)).toEqual(expectedResults(first, 'run-1'));
    await expectTree(fx, treeOf(first, 'run-1'));
    await expectStored(fx.storageDir, 'run-1', first);

    // Same names, different bytes: kept beside the originals, never over them.
    const changed = renames.map(([name]) => batchFile(name, randomBytes(200)));
    const results = await send(client, changed);
    expect(results).toEqual(renames.map(([, renamed]) => ({ verified: 'checksum', location: `run-1/${renamed}` })));
    const renamedFiles = renames.map(([, renamed], i) => batchFile(renamed, changed[i]!.bytes));
    await expectTree(fx, [...treeOf(first, 'run-1'), ...treeOf(renamedFiles, 'run-1')].sort());
    await expectStored(fx.storageDir, 'run-1', [...first, ...renamedFiles]);
  });

  it('one file whose bytes do not match its sha256 fails the whole batch with 460 and files nothing', async () => {
    fx = await startReceiverFixture();
    const good = manyFiles(12);
    const bad = { ...batchFile('sub/corrupt 7.bin', Buffer.from('the bytes that arrived')), sha256: sha256('the bytes that were read') };
    const files = [...good.slice(0, 8), bad, ...good.slice(8)];

    const raw = await rawRequest(batchUrl(fx), encodeBatch(
      { metadata: META, files: files.map((f) => ({ relativePath: f.info.relativePath, size: f.bytes.length, sha256: f.sha256 })) },
      files.map((f) => f.bytes),
    ));
    expect(raw.status).toBe(460);
    expect(raw.body).toContain('Checksum Mismatch: run-1/sub/corrupt 7.bin');
    expect(raw.body).toContain('nothing of this batch was filed');
    await expectTree(fx, []);

    const err = await expectRemote(send(batchClient(fx), files), 460, true, /receiver answered 460: Checksum Mismatch: run-1\/sub\/corrupt 7\.bin/);
    expect(err.message).toContain(`expected sha256 ${bad.sha256}`);
    await expectTree(fx, []);
  });

  describe('malformed requests answer 4xx, file nothing, and the receiver keeps serving', () => {
    const OK = Buffer.from('a good file, listed before the bad part');
    const okEntry = indexEntry('ok.bin', OK);
    const withFiles = (extra: object[], data: Buffer[] = [OK], metadata: object = META) => encodeBatch({ metadata, files: [okEntry, ...extra] }, data);
    const goodThenPath = (relativePath: string, metadata: object = META) => {
      const bytes = Buffer.from('path check');
      return withFiles([indexEntry(relativePath, bytes)], [OK, bytes], metadata);
    };
    const tooMany = () => {
      const entries = Array.from({ length: BATCH_LIMITS.files + 1 }, (_, i) => indexEntry(`f${i}`, Buffer.alloc(0)));
      return encodeBatch({ metadata: META, files: entries });
    };
    const withoutIndexHeader = (): RawRequest => {
      const req = withFiles([]);
      return { ...req, headers: { 'Content-Length': req.headers['Content-Length']! } };
    };
    const indexHeaderBeyondBody = (): RawRequest => {
      const req = withFiles([]);
      return { ...req, headers: { ...req.headers, [BATCH_INDEX_HEADER]: String(req.body!.length + 1) } };
    };
    const chunked = (): RawRequest => {
      const req = withFiles([]);
      return { ...req, headers: { 'Transfer-Encoding': 'chunked', [BATCH_INDEX_HEADER]: req.headers[BATCH_INDEX_HEADER]! } };
    };
    const overLimit = (filesBytes: number) => (): RawRequest => ({
      headersOnly: true,
      headers: { 'Content-Length': String(filesBytes + 100), [BATCH_INDEX_HEADER]: '100' },
    });

    // [what is wrong, status, message, request]
    const cases: [string, number, string | RegExp, () => RawRequest][] = [
      ['an index that is not JSON', 400, 'batch: the index is not JSON', () => encodeBatch('{"metadata": {"dataset": "run-1"', [OK])],
      ['a negative size', 400, /^batch: bad index at files\.1\.size: /, () => withFiles([{ relativePath: 'neg.bin', size: -1, sha256: sha256('') }])],
      ['a sha256 that is not 64 hex digits', 400, /^batch: bad index at files\.1\.sha256: /, () => withFiles([{ relativePath: 'x.bin', size: 0, sha256: 'not-a-hash' }])],
      ['an empty file list', 400, /^batch: bad index at files: /, () => encodeBatch({ metadata: META, files: [] })],
      [`more than ${BATCH_LIMITS.files} files`, 400, /^batch: bad index at files: /, tooMany],
      ['an index listing more bytes than the body holds', 400, `batch: the index lists ${OK.length + 1000} bytes of files, the body holds ${OK.length}`, () => withFiles([{ relativePath: 'big.bin', size: 1000, sha256: sha256('') }])],
      [`no ${BATCH_INDEX_HEADER} header`, 400, `batch: ${BATCH_INDEX_HEADER} missing or out of range`, withoutIndexHeader],
      [`a ${BATCH_INDEX_HEADER} beyond the body`, 400, `batch: ${BATCH_INDEX_HEADER} missing or out of range`, indexHeaderBeyondBody],
      ['a relativePath climbing out with ".."', 400, 'relativePath: contains a ".." segment', () => goodThenPath('sub/../../escape.bin')],
      ['an absolute relativePath', 400, 'relativePath: must be relative, not absolute', () => goodThenPath('/etc/passwd')],
      ['the dataset ".incoming"', 400, '".incoming" is reserved for partial uploads', () => goodThenPath('x.bin', { dataset: '.incoming' })],
      ['a relativePath under ".incoming" without a dataset', 400, '".incoming" is reserved for partial uploads', () => goodThenPath('.incoming/x.bin', {})],
      // A case-insensitive file system (macOS, Windows) would file ".INCOMING" into the partials' folder.
      ['the dataset ".INCOMING" (any letter case)', 400, '".INCOMING" is reserved for partial uploads', () => goodThenPath('x.bin', { dataset: '.INCOMING' })],
      ['a body without Content-Length (chunked)', 411, 'batch: Content-Length required', chunked],
      ['a Content-Length far above the limit (headers only)', 413, `batch: ${BATCH_LIMITS.bytes + BATCH_LIMITS.indexBytes + 1} bytes of files is more than the ${BATCH_LIMITS.bytes} one batch may hold`, overLimit(BATCH_LIMITS.bytes + BATCH_LIMITS.indexBytes + 1)],
      ['files one byte over the limit behind a small index (headers only)', 413, `batch: ${BATCH_LIMITS.bytes + 1} bytes of files is more than the ${BATCH_LIMITS.bytes} one batch may hold`, overLimit(BATCH_LIMITS.bytes + 1)],
      ['GET instead of POST', 405, 'Method Not Allowed: POST a batch', () => ({ method: 'GET', headers: {} })],
    ];

    beforeEach(async () => {
      fx = await startReceiverFixture();
    });

    it.each(cases)('%s → %i', async (_name, status, message, build) => {
      const f = fx as ReceiverFixture;
      const answer = await rawRequest(batchUrl(f), build());
      expect(answer.status).toBe(status);
      expect(answer.headers['content-type']).toMatch(/^text\/plain/);
      expect(answer.body).toMatch(message);
      // The words name what a batch client sent (its index), not tus metadata it never sent.
      expect(answer.body).not.toContain('Upload-Metadata');
      if (status === 405) expect(answer.headers.allow).toBe('POST');
      await expectTree(f, []);

      const after = [batchFile('after/ok.bin', randomBytes(64))];
      expect(await send(batchClient(f), after)).toEqual(expectedResults(after, 'run-1'));
      await expectTree(f, ['run-1/after/ok.bin']);
    });
  });

  it('with a token, a batch without Authorization gets 401 and files nothing; with the bearer token it works', async () => {
    fx = await startReceiverFixture({ token: 'secret' });
    const files = manyFiles(10);

    const anonymous = await rawRequest(batchUrl(fx), encodeFiles(files));
    expect(anonymous.status).toBe(401);
    expect(anonymous.body).toContain('Unauthorized');
    expect(anonymous.headers['www-authenticate']).toContain('Bearer');
    await expectRemote(send(batchClient(fx), files), 401, false, /receiver answered 401: Unauthorized/);
    await expectRemote(send(batchClient(fx, { Authorization: 'Bearer wrong' }), files), 401, false, /receiver answered 401/);
    await expectTree(fx, []);

    expect(await send(batchClient(fx, { Authorization: 'Bearer secret' }), files)).toEqual(expectedResults(files, 'run-1'));
    await expectTree(fx, treeOf(files, 'run-1'));
    await expectStored(fx.storageDir, 'run-1', files);
  });

  it('a file squatting on the dataset folder fails the batch with 500 naming the path, and files nothing', async () => {
    fx = await startReceiverFixture();
    const squatter = path.join(fx.storageDir, 'run-2');
    await fsp.writeFile(squatter, 'in the way');
    const meta = { dataset: 'run-2', sensorType: 'x' };
    const files = manyFiles(20, meta);

    const raw = await rawRequest(batchUrl(fx), encodeFiles(files, meta));
    expect(raw.status).toBe(500);
    expect(raw.body).toMatch(/^batch: file\(run-2\/plain-0\.bin\): (EEXIST|ENOTDIR)\b.*run-2/);
    expect(raw.body).toContain(squatter);
    expect(fx.logs.some((l) => l.startsWith('error: batch: file(run-2/plain-0.bin)'))).toBe(true);
    await expectTree(fx, ['run-2']);
    expect(await fsp.readFile(squatter, 'utf8')).toBe('in the way');

    const client = batchClient(fx);
    await expectRemote(send(client, files), 500, true, /receiver answered 500: batch: file\(run-2\/plain-0\.bin\): .*run-2/);
    await expectTree(fx, ['run-2']);

    // Once the squatter is gone, the same batch goes through.
    await fsp.rm(squatter);
    expect(await send(client, files)).toEqual(expectedResults(files, 'run-2'));
    await expectTree(fx, treeOf(files, 'run-2'));
  });

  it.skipIf(!canMountTmpfs)('a full disk (1 MiB tmpfs) answers 507 to a 2 MiB batch before reading it, files nothing, and takes one that fits', async () => {
    disk = mountTmpfs(1024 * 1024);
    const root = disk.dir;
    fx = await startReceiverFixture({ storageDir: root, freeSpaceMarginBytes: 0 });
    const files = Array.from({ length: 8 }, (_, i) => batchFile(`big/f-${i}.bin`, randomBytes(256 * 1024)));
    const client = batchClient(fx);

    await expectRemote(send(client, files), 507, true, /receiver answered 507: Insufficient Storage: batch: 2097152 bytes do not fit: \d+ bytes free on the receiver's disk/);
    await expectTree(fx, []);

    // A batch that fits goes through.
    const small = Array.from({ length: 3 }, (_, i) => batchFile(`small/s-${i}.bin`, randomBytes(100 * 1024)));
    expect(await send(client, small)).toEqual(expectedResults(small, 'run-1'));
    await expectTree(fx, treeOf(small, 'run-1'));
    await expectStored(root, 'run-1', small);
  });
});
