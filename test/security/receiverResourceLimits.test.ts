import { randomBytes } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { BATCH_INDEX_HEADER, BATCH_LIMITS, BATCH_PATH } from '../../shared/receiverBatch';
import { canMountTmpfs, mountTmpfs, type MountedTmpfs } from '../helpers/tmpfs';
import { finalTree, incomingNames, sha256, startReceiverFixture, type ReceiverFixture } from '../integration/receiver/receiverFixture';
import { create, encodeMetadata, patch, request } from '../integration/receiver/tusHttp';

/**
 * Finding 4: the receiver promised disk space it did not have (1000 uploads declaring 1 TiB each
 * were accepted), and refused oversized requests by resetting the connection. Each case here is
 * refused at creation with a typed answer, and nothing is left behind.
 */

const TiB = 1024 ** 4;
const MiB = 1024 ** 2;

/** Sends raw bytes on a fresh connection and resolves everything the server answered before closing. */
function rawExchange(port: number, bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', reject);
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')));
    socket.write(bytes);
  });
}

/** POSTs a body of `size` random bytes (sent whole, in 1 MiB writes) and resolves the answer, or the network error. */
function postLarge(url: string, headers: Record<string, string>, size: number): Promise<{ status: number; body: string } | { error: string }> {
  return new Promise((resolve) => {
    const req = http.request(url, { method: 'POST', headers: { ...headers, 'Content-Length': String(size) }, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', (err) => resolve({ error: String(err) }));
    });
    req.on('error', (err) => resolve({ error: String(err) }));
    const block = randomBytes(MiB);
    let sent = 0;
    const pump = (): void => {
      while (sent < size) {
        const n = Math.min(MiB, size - sent);
        // Each block differs from the last (its first bytes are the offset), never a repeated block.
        const piece = Buffer.from(block.subarray(0, n));
        piece.writeUInt32BE(sent / MiB, 0);
        sent += n;
        if (!req.write(piece)) return void req.once('drain', pump);
      }
      req.end();
    };
    pump();
  });
}

describe('security: receiver resource limits (finding 4)', () => {
  let fx: ReceiverFixture | undefined;
  let disk: MountedTmpfs | undefined;
  afterEach(async () => {
    await fx?.dispose();
    fx = undefined;
    disk?.release();
    disk = undefined;
  });

  it('refuses 1000 uploads each declaring 1 TiB with 507, creating none of them', async () => {
    fx = await startReceiverFixture();
    const url = fx.receiver.url;
    const statuses = new Map<number, number>();
    let body = '';
    for (let round = 0; round < 20; round++) {
      const answers = await Promise.all(
        Array.from({ length: 50 }, (_, i) => create(url, { length: TiB, metadata: { dataset: 'flood', relativePath: `f-${round}-${i}.bin` } })),
      );
      for (const a of answers) statuses.set(a.status, (statuses.get(a.status) ?? 0) + 1);
      body = answers[0]!.body;
    }
    expect(Object.fromEntries(statuses)).toEqual({ 507: 1000 });
    expect(body).toMatch(/^Insufficient Storage: create upload \w+: 1099511627776 bytes do not fit: \d+ bytes free on the receiver's disk/);
    expect(await incomingNames(fx.storageDir)).toEqual([]);
    // Still serving, and a file that fits goes through.
    const small = randomBytes(1000);
    expect((await create(url, { length: small.length, metadata: { dataset: 'ok', relativePath: 'a.bin', sha256: sha256(small) }, body: small })).status).toBe(201);
  });

  it.skipIf(!canMountTmpfs)('counts what uploads under way were promised, across a restart, and frees it when one is terminated', async () => {
    disk = mountTmpfs(8 * MiB);
    fx = await startReceiverFixture({ storageDir: disk.dir, freeSpaceMarginBytes: MiB });
    const first = await create(fx.receiver.url, { length: 4 * MiB, metadata: { dataset: 'd', relativePath: 'first.bin' } });
    expect(first.status).toBe(201);
    // 4 MiB promised + 4 MiB + 1 MiB margin > 8 MiB: refused although nothing has been written yet.
    const second = await create(fx.receiver.url, { length: 4 * MiB, metadata: { dataset: 'd', relativePath: 'second.bin' } });
    expect(second.status).toBe(507);
    expect(second.body).toContain(`${4 * MiB} promised to uploads under way`);

    // Half of the first arrives: the promise shrinks by what is on disk, the total stays the same.
    const half = randomBytes(2 * MiB);
    expect((await patch(first.uploadUrl!, 0, half)).status).toBe(204);
    expect((await create(fx.receiver.url, { length: 4 * MiB, metadata: { dataset: 'd', relativePath: 'second.bin' } })).status).toBe(507);

    // A restart remembers the unfinished upload's promise.
    await fx.restart();
    const url = fx.receiver.url;
    const afterRestart = await create(url, { length: 4 * MiB, metadata: { dataset: 'd', relativePath: 'second.bin' } });
    expect(afterRestart.status).toBe(507);
    expect(afterRestart.body).toContain(`${2 * MiB} promised to uploads under way`);

    const firstAgain = new URL(new URL(first.uploadUrl!).pathname, url).toString();
    expect((await request(firstAgain, { method: 'DELETE' })).status).toBe(204);
    expect((await create(url, { length: 4 * MiB, metadata: { dataset: 'd', relativePath: 'second.bin' } })).status).toBe(201);
  });

  it('announces its maximum upload size and refuses a larger one (413) or one without a length', async () => {
    fx = await startReceiverFixture({ maxUploadBytes: MiB });
    const options = await request(fx.receiver.url, { method: 'OPTIONS' });
    expect(options.headers['tus-max-size']).toBe(String(MiB));
    expect(options.headers['tus-extension']).not.toContain('creation-defer-length');

    const over = await create(fx.receiver.url, { length: MiB + 1, metadata: { dataset: 'd', relativePath: 'big.bin' } });
    expect(over.status).toBe(413);
    const deferred = await request(fx.receiver.url, { method: 'POST', headers: { 'Upload-Defer-Length': '1', 'Upload-Metadata': encodeMetadata({ dataset: 'd', relativePath: 'x.bin' }) } });
    expect(deferred.status).toBeGreaterThanOrEqual(400);
    expect(deferred.status).toBeLessThan(600);
    expect(await incomingNames(fx.storageDir)).toEqual([]);
    expect((await create(fx.receiver.url, { length: MiB, metadata: { dataset: 'd', relativePath: 'fits.bin' } })).status).toBe(201);
  });

  it('answers oversized headers with 431 and malformed requests with 400, instead of a reset', async () => {
    fx = await startReceiverFixture();
    const { port } = fx.receiver;
    const huge = await rawExchange(port, `OPTIONS /files/ HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nX-Padding: ${'a'.repeat(64 * 1024)}\r\n\r\n`);
    expect(huge).toMatch(/^HTTP\/1\.1 431 Request Header Fields Too Large\r\n/);
    expect(huge).toContain('request headers are longer than the receiver accepts');
    const garbage = await rawExchange(port, 'NOT HTTP AT ALL\r\n\r\n');
    expect(garbage).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect((await request(fx.receiver.url, { method: 'OPTIONS' })).status).toBe(204);
  });

  it('bounds the batch indexes held in memory at once: a fifth 4 MiB index arriving is told 503 Retry-After, the rest go through', async () => {
    fx = await startReceiverFixture();
    const batchUrl = new URL(BATCH_PATH, fx.receiver.url).toString();
    const batches = Array.from({ length: 5 }, (_, i) => {
      const bytes = randomBytes(1000 + i);
      const json = JSON.stringify({ metadata: { dataset: 'idx' }, files: [{ relativePath: `f-${i}.bin`, size: bytes.length, sha256: sha256(bytes) }] });
      // JSON may end in whitespace: an index as large as a batch may declare.
      const index = Buffer.from(json.padEnd(BATCH_LIMITS.indexBytes, ' '));
      return { bytes, index };
    });
    const open = batches.map(({ bytes, index }) => {
      const req = http.request(batchUrl, {
        method: 'POST',
        agent: false,
        headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': String(index.length + bytes.length), [BATCH_INDEX_HEADER]: String(index.length) },
      });
      const answer = new Promise<{ status: number; retryAfter: string | undefined; body: string }>((resolve, reject) => {
        req.on('response', (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, retryAfter: res.headers['retry-after'], body: Buffer.concat(chunks).toString('utf8') }));
        });
        req.on('error', reject);
      });
      // Half an index each, then nothing: four hold the allowance while they wait for the rest.
      req.write(index.subarray(0, index.length / 2));
      return { req, answer, rest: Buffer.concat([index.subarray(index.length / 2), bytes]) };
    });
    const first = await Promise.race(open.map((o, i) => o.answer.then((a) => ({ ...a, i }))));
    expect(first).toMatchObject({ status: 503, retryAfter: '1', body: expect.stringMatching(/^Service Unavailable: batch: too many batches arriving at once/) });
    open[first.i]!.req.destroy();
    const others = open.filter((_, i) => i !== first.i);
    for (const o of others) o.req.end(o.rest);
    expect((await Promise.all(others.map((o) => o.answer))).map((a) => a.status)).toEqual([200, 200, 200, 200]);
    // Sent again once the others are done, the refused batch goes through.
    const again = await request(batchUrl, {
      method: 'POST',
      headers: { 'Content-Type': 'application/octet-stream', [BATCH_INDEX_HEADER]: String(batches[first.i]!.index.length) },
      body: Buffer.concat([batches[first.i]!.index, batches[first.i]!.bytes]),
    });
    expect(again.status).toBe(200);
    expect(await finalTree(fx.storageDir)).toEqual(batches.map((_, i) => `idx/f-${i}.bin`));
  });

  it('answers a batch body over the limit, sent whole, with a typed 413 the client reads', async () => {
    fx = await startReceiverFixture();
    const size = BATCH_LIMITS.bytes + MiB + 100;
    const answer = await postLarge(new URL(BATCH_PATH, fx.receiver.url).toString(), { [BATCH_INDEX_HEADER]: '100', 'Content-Type': 'application/octet-stream' }, size);
    expect(answer).toEqual({ status: 413, body: `batch: ${size - 100} bytes of files is more than the ${BATCH_LIMITS.bytes} one batch may hold\n` });
    expect(await finalTree(fx.storageDir)).toEqual([]);
    expect(await incomingNames(fx.storageDir)).toEqual([]);
  });
});
