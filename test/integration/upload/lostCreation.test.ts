import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect } from 'vitest';
import type { SavedS3Session, SavedTusSession } from '../../../main/engine/upload/protocol';
import { S3Protocol } from '../../../main/engine/upload/s3Protocol';
import { TusProtocol } from '../../../main/engine/upload/tusProtocol';
import type { UploadState } from '../../../main/engine/upload/uploadFile';
import { startHttpFaultProxy, type HttpFaultProxy } from '../../helpers/httpFaultProxy';
import { finalTree, sha256OfFile, startReceiverFixture, type ReceiverFixture } from '../receiver/receiverFixture';
import { s3ProtocolOptions, startS3Server, type S3ServerHandle } from './fixtures/s3Server';
import { randomFile } from './fixtures/tempFiles';
import { rejection, runUpload, test } from './fixtures/uploadHarness';

/**
 * A creation request whose answer never arrives (reset connection, kill, shutdown mid-request)
 * has still made an upload on the server. Ferry must not leave it there: tus POSTs carry an
 * idempotency key the built-in receiver honours, and S3 aborts the key's multipart uploads made
 * since the creation began before it creates another. What is left is read from the servers'
 * own storage.
 */

const MiB = 1024 * 1024;
const PART = 5 * MiB;
const SIZE = 3 * PART + 54_321;

const closers: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

async function proxyTo(url: string): Promise<HttpFaultProxy> {
  const proxy = await startHttpFaultProxy({ host: '127.0.0.1', port: Number(new URL(url).port) });
  closers.push(() => proxy.close());
  return proxy;
}

/** `times` creation requests in a row reach the server and lose their answer. */
const dropCreations = (proxy: HttpFaultProxy, isCreation: (r: { method: string; url: string }) => boolean, times: number) =>
  proxy.setFaults([{ match: isCreation, times, action: { dropAnswer: true } }]);

/**
 * The first creation reaches the server and its answer is lost; the run is stopped at that
 * failure, as a quit or kill would stop it. Resolves with the state saved last.
 */
async function stoppedDuringCreation(run: (signal: AbortSignal, onAck: (s: UploadState) => void, onRetry: () => void) => Promise<unknown>) {
  const stop = new AbortController();
  let saved: UploadState | undefined;
  const err = await rejection(run(stop.signal, (s) => (saved = s), () => stop.abort()));
  expect(err.code).toBe('CANCELED');
  return saved;
}

describe('S3: a CreateMultipartUpload whose answer was lost', () => {
  const isCreate = ({ method, url }: { method: string; url: string }) => method === 'POST' && /\?uploads(=|&|$)/.test(url);

  async function s3Case(tmp: string): Promise<{ s3: S3ServerHandle; proxy: HttpFaultProxy; protocol: S3Protocol }> {
    const s3 = await startS3Server(path.join(tmp, 's3'));
    closers.push(() => s3.close());
    const proxy = await proxyTo(s3.endpoint);
    const protocol = new S3Protocol({ ...s3ProtocolOptions(s3, proxy.url()), partSize: PART });
    closers.push(() => protocol.close());
    return { s3, proxy, protocol };
  }

  /** Multipart uploads still open at the server, read from its own storage. */
  const openUploads = async (s3: S3ServerHandle) => (await s3.openUploads()).map(({ id, key }) => `${id} ${key}`);

  test('lost twice within one run: the object lands and no multipart upload stays open', async ({ tmp }) => {
    const src = await randomFile(tmp, 'stack.tif', SIZE);
    const { s3, proxy, protocol } = await s3Case(tmp);
    dropCreations(proxy, isCreate, 2);
    await runUpload({ protocol, path: src.path, relativePath: 'run/stack.tif' });
    expect(proxy.fired().size, 'the creation answers were dropped').toBe(1);
    expect([...proxy.fired().values()]).toEqual([2]);
    expect(await s3.objectSha256('run/stack.tif')).toBe(src.sha256);
    expect(await openUploads(s3)).toEqual([]);
  });

  test('lost as the run stopped: the next run aborts the upload it never learned of, then lands the object', async ({ tmp }) => {
    const src = await randomFile(tmp, 'stack.tif', SIZE);
    const { s3, proxy, protocol } = await s3Case(tmp);
    dropCreations(proxy, isCreate, 1);
    const saved = await stoppedDuringCreation((signal, onAck, onRetry) =>
      runUpload({ protocol, path: src.path, relativePath: 'run/stack.tif', signal, onAck, onRetry }),
    );
    const session = saved?.session as SavedS3Session | undefined;
    expect(session?.uploadId, 'no UploadId was learned').toBeNull();
    expect(session?.creatingSince, 'the saved state says a creation began').toBeTypeOf('number');
    expect(await openUploads(s3), 'the server made the upload all the same').toHaveLength(1);

    await runUpload({ protocol, path: src.path, relativePath: 'run/stack.tif', resume: saved! });
    expect(await s3.objectSha256('run/stack.tif')).toBe(src.sha256);
    expect(await openUploads(s3)).toEqual([]);
  });

  test("another key's open upload is left alone", async ({ tmp }) => {
    const other = await randomFile(tmp, 'other.tif', SIZE);
    const src = await randomFile(tmp, 'stack.tif', SIZE);
    const { s3, proxy, protocol } = await s3Case(tmp);
    // An upload of another file, stopped after its creation: it is that file's to resume.
    const stop = new AbortController();
    await rejection(
      runUpload({ protocol, path: other.path, relativePath: 'run/other.tif', signal: stop.signal, onAck: (_s, confirmed) => void (confirmed > 0 && stop.abort()) }),
    );
    const before = await openUploads(s3);
    expect(before).toHaveLength(1);
    dropCreations(proxy, isCreate, 1);
    await runUpload({ protocol, path: src.path, relativePath: 'run/stack.tif' });
    expect(await s3.objectSha256('run/stack.tif')).toBe(src.sha256);
    expect(await openUploads(s3)).toEqual(before);
  });
});

describe("tus to Ferry's receiver: a creation POST whose answer was lost", () => {
  const isPost = ({ method }: { method: string }) => method === 'POST';

  async function receiverCase(tmp: string): Promise<{ fx: ReceiverFixture; proxy: HttpFaultProxy; protocol: TusProtocol }> {
    const fx = await startReceiverFixture({ storageDir: path.join(tmp, 'storage') });
    closers.push(() => fx.dispose());
    const proxy = await proxyTo(fx.receiver.url);
    const protocol = new TusProtocol({ endpoint: proxy.url(new URL(fx.receiver.url).pathname), chunkSize: MiB });
    closers.push(() => protocol.close());
    return { fx, proxy, protocol };
  }

  /** Unfinished uploads in the receiver's `.incoming` (filed ones keep only a record). */
  async function unfinished(fx: ReceiverFixture): Promise<string[]> {
    const names = await readdir(path.join(fx.storageDir, '.incoming'));
    return names.filter((n) => !n.endsWith('.json'));
  }

  for (const [what, size] of [
    ['a file sent in PATCHes', 3 * MiB + 4321],
    ['a small file riding in the POST', 300_000],
  ] as const) {
    test(`${what}, lost twice within one run: filed once, nothing left in .incoming`, async ({ tmp }) => {
      const src = await randomFile(tmp, 'scan.raw', size);
      const { fx, proxy, protocol } = await receiverCase(tmp);
      dropCreations(proxy, isPost, 2);
      await runUpload({ protocol, path: src.path, relativePath: 'scan.raw', metadata: { dataset: 'ds' } });
      expect([...proxy.fired().values()]).toEqual([2]);
      expect(await sha256OfFile(path.join(fx.storageDir, 'ds', 'scan.raw'))).toBe(src.sha256);
      expect(await finalTree(fx.storageDir)).toEqual(['ds/scan.raw']);
      expect(await unfinished(fx)).toEqual([]);
    });
  }

  test('lost as the run stopped: the next run takes over the upload the POST made', async ({ tmp }) => {
    const src = await randomFile(tmp, 'scan.raw', 3 * MiB + 4321);
    const { fx, proxy, protocol } = await receiverCase(tmp);
    dropCreations(proxy, isPost, 1);
    const saved = await stoppedDuringCreation((signal, onAck, onRetry) =>
      runUpload({ protocol, path: src.path, relativePath: 'scan.raw', metadata: { dataset: 'ds' }, signal, onAck, onRetry }),
    );
    const session = saved?.session as SavedTusSession | undefined;
    expect(session?.url, 'no upload URL was learned').toBeNull();
    expect(session?.key, 'the saved state holds the idempotency key').toMatch(/^[0-9a-f]{32}$/);
    expect(await unfinished(fx), 'the receiver made the upload all the same').toHaveLength(1);

    await runUpload({ protocol, path: src.path, relativePath: 'scan.raw', metadata: { dataset: 'ds' }, resume: saved! });
    expect(await sha256OfFile(path.join(fx.storageDir, 'ds', 'scan.raw'))).toBe(src.sha256);
    expect(await finalTree(fx.storageDir)).toEqual(['ds/scan.raw']);
    expect(await unfinished(fx)).toEqual([]);
  });
});
