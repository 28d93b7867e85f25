import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect } from 'vitest';
import type { RetryPolicy } from '../../../main/engine/upload/retry';
import { S3Protocol } from '../../../main/engine/upload/s3Protocol';
import { TusProtocol } from '../../../main/engine/upload/tusProtocol';
import { startFaultProxy, type FaultProxy } from '../../helpers/faultProxy';
import { s3ProtocolOptions, startS3Server, type S3ServerHandle } from '../../helpers/s3Server';
import { FakeTusServer } from './fixtures/fakeTusServer';
import { randomFile, sha256Hex } from './fixtures/tempFiles';
import { runUpload, test } from './fixtures/uploadHarness';

/**
 * Parallel chunks settle out of order. A chunk whose request keeps failing must keep its own bytes
 * for every retry while later chunks are read and sent: here the second chunk fails four times in
 * a row, the first failure lasting until every other chunk is acknowledged (so the reader has long
 * moved past it), and the bytes that land are read back from the server's own storage.
 */

const MiB = 1024 * 1024;
/** Room for the four failures of the chunk under test, and no waiting between tries. */
const RETRY: RetryPolicy = { maxAttempts: 6, baseDelayMs: 1, maxDelayMs: 4 };

/** Resolves once `done()` holds; checked after every ack. */
function ackGate(done: (confirmed: number) => boolean): { reached: Promise<void>; onAck: (state: unknown, confirmed: number) => void } {
  let open!: () => void;
  const reached = new Promise<void>((resolve) => (open = resolve));
  return { reached, onAck: (_state, confirmed) => (done(confirmed) ? open() : undefined) };
}

describe('a chunk that fails again and again keeps its bytes', () => {
  const closers: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
  });

  const PART = 5 * MiB;
  /** Eight parts, four in flight: the buffers of the first parts are wanted again by part 6 on. */
  const SIZE = 7 * PART + 654_321;

  async function s3Case(tmp: string, shim: boolean): Promise<{ s3: S3ServerHandle; proxy: FaultProxy; protocol: S3Protocol }> {
    const s3 = await startS3Server(path.join(tmp, 's3'), { shim });
    closers.push(() => s3.close());
    const proxy = await startFaultProxy({ target: { host: '127.0.0.1', port: Number(new URL(s3.endpoint).port) } });
    closers.push(() => proxy.close());
    const protocol = new S3Protocol({ ...s3ProtocolOptions(s3, proxy.url()), partSize: PART, maxParallel: 4 });
    closers.push(() => protocol.close());
    return { s3, proxy, protocol };
  }

  /** Part 2's request is held until every other part is acknowledged, then reset; reset twice more; then let through. */
  async function uploadWithStubbornPart2(tmp: string, shim: boolean) {
    const src = await randomFile(tmp, 'volume.h5', SIZE);
    const { s3, proxy, protocol } = await s3Case(tmp, shim);
    const gate = ackGate((confirmed) => confirmed >= SIZE - PART);
    let tries = 0;
    proxy.setFaults({
      match: {
        pattern: '?partNumber=2&',
        decide: async (seen) => {
          tries = seen;
          if (seen === 1) await gate.reached;
          return seen <= 3 ? 'reset' : 'pass';
        },
      },
    });
    const { result } = await runUpload({ protocol, path: src.path, relativePath: 'volume.h5', retry: RETRY, onAck: gate.onAck });
    return { src, s3, proxy, result, tries };
  }

  test('S3 multipart behind the verifying server: the object is the source, byte for byte', async ({ tmp }) => {
    const { src, s3, proxy, result, tries } = await uploadWithStubbornPart2(tmp, true);
    expect(tries).toBe(4);
    expect(proxy.stats().resets).toBe(3);
    expect(s3.checksumMismatches()).toEqual([]);
    expect(result.sha256).toBe(src.sha256);
    expect(await s3.objectSha256('volume.h5')).toBe(src.sha256);
  });

  test('S3 multipart on plain s3rver (checksums ignored, so wrong bytes would land silently)', async ({ tmp }) => {
    const { src, s3, result, tries } = await uploadWithStubbornPart2(tmp, false);
    expect(tries).toBe(4);
    expect(result.sha256).toBe(src.sha256);
    // Read back from s3rver's own files, not through anything Ferry recorded.
    const stored = await readFile(s3.objectFile('volume.h5'));
    expect(stored.length).toBe(SIZE);
    expect(sha256Hex(stored)).toBe(src.sha256);
  });

  test('tus concatenation: the joined upload is the source, byte for byte', async ({ tmp }) => {
    const CHUNK = 256 * 1024;
    const size = 7 * CHUNK + 4321;
    const src = await randomFile(tmp, 'stack.tif', size);
    const bytes = await readFile(src.path);
    const second = bytes.subarray(CHUNK, 2 * CHUNK);
    const gate = ackGate((confirmed) => confirmed >= size - CHUNK);
    let target: string | undefined;
    let tries = 0;
    // No checksum extension: a wrong part would be joined without complaint.
    const fake = await new FakeTusServer({
      extensions: ['creation', 'termination', 'concatenation'],
      fault: async (req) => {
        if (req.method !== 'PATCH') return undefined;
        target ??= req.body.equals(second) ? req.path : undefined;
        if (req.path !== target) return undefined;
        tries++;
        if (tries === 1) await gate.reached;
        return tries <= 3 ? 'hangup' : undefined;
      },
    }).start();
    closers.push(() => fake.close());
    const tus = new TusProtocol({ endpoint: fake.endpoint, chunkSize: CHUNK, parallelParts: 4 });
    closers.push(() => tus.close());
    const { result } = await runUpload({ protocol: tus, path: src.path, relativePath: 'stack.tif', retry: RETRY, onAck: gate.onAck });
    expect(tries).toBe(4);
    const joined = fake.upload(result.location)!;
    expect(joined.concat).toBe('final');
    expect(joined.data.length).toBe(size);
    expect(sha256Hex(joined.data)).toBe(src.sha256);
  });
});
