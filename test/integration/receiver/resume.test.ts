import fsp from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startFaultProxy, type FaultProxy } from '../../helpers/faultProxy';
import { seededRandom } from '../../helpers/seededRandom';
import { finalTree, sha256, sha256OfFile, startReceiverFixture, writeRandomFile, type ReceiverFixture } from './receiverFixture';
import { create, head, patch, request, uploadResumable } from './tusHttp';

const SEED = Number(process.env.FERRY_TEST_SEED ?? 20240611);

describe('receiver: resume after network faults and restarts', () => {
  let fx: ReceiverFixture;
  let proxy: FaultProxy;
  beforeEach(async () => {
    fx = await startReceiverFixture();
    proxy = await startFaultProxy({ target: { host: '127.0.0.1', port: fx.receiver.port }, seed: SEED });
  });
  afterEach(async () => {
    await proxy.close();
    await fx.dispose();
  });

  it(`resumes from HEAD after TCP resets at random offsets (seed ${SEED})`, async () => {
    const src = await writeRandomFile(fx.srcDir, 'big.bin', 6 * 1024 * 1024 + 123);
    const random = seededRandom(SEED);
    // Each connection is cut after 2 KiB .. 900 KiB upstream: inside a 1 MiB PATCH body, never
    // inside a HEAD; a new offset is drawn after every failure.
    const arm = () => proxy.setFaults({ resetAfterBytes: 2048 + Math.floor(random() * 900 * 1024) });
    arm();
    const result = await uploadResumable(
      proxy.url('/files/'),
      src.file,
      { relativePath: 'r/big.bin', dataset: 'ds', sha256: src.sha256 },
      { chunkSize: 1024 * 1024, beforeRetry: arm },
    );
    expect(result.failures).toBeGreaterThan(2);
    expect(proxy.stats().resets).toBe(result.failures);
    expect(await finalTree(fx.storageDir)).toEqual(['ds/r/big.bin']);
    expect(await sha256OfFile(path.join(fx.storageDir, 'ds/r/big.bin'))).toBe(src.sha256);
  });

  it('survives a per-64KiB reset probability for the whole upload', async () => {
    const src = await writeRandomFile(fx.srcDir, 'p.bin', 3 * 1024 * 1024);
    proxy.setFaults({ resetProbability: 0.25 });
    const result = await uploadResumable(
      proxy.url('/files/'),
      src.file,
      { relativePath: 'p.bin', dataset: 'ds', sha256: src.sha256 },
      { chunkSize: 512 * 1024 },
    );
    expect(result.failures).toBeGreaterThan(0);
    expect(await sha256OfFile(path.join(fx.storageDir, 'ds/p.bin'))).toBe(src.sha256);
  });

  it('treats a lost answer to the final PATCH as done once HEAD shows the whole length', async () => {
    const src = await writeRandomFile(fx.srcDir, 't.bin', 200_000);
    const answer = await create(proxy.url('/files/'), { length: 200_000, metadata: { relativePath: 't.bin', dataset: 'ds', sha256: src.sha256 } });
    const url = answer.uploadUrl as string;
    expect(url.startsWith(proxy.url('/files/'))).toBe(true);
    const data = await fsp.readFile(src.file);
    expect((await patch(url, 0, data.subarray(0, 100_000))).status).toBe(204);
    proxy.setFaults({ truncateResponseAfterBytes: 5 });
    await expect(patch(url, 100_000, data.subarray(100_000))).rejects.toThrow();
    proxy.setFaults({});
    const after = await head(url);
    expect(after.status).toBe(200);
    expect(after.headers['upload-offset']).toBe('200000');
    expect(await sha256OfFile(path.join(fx.storageDir, 'ds/t.bin'))).toBe(src.sha256);
  });

  it('fails requests while connections are dropped, then recovers', async () => {
    proxy.setFaults({ dropConnections: true });
    await expect(request(proxy.url('/files/'), { method: 'OPTIONS' })).rejects.toThrow(/ECONNRESET|socket hang up/);
    expect(proxy.stats()).toMatchObject({ connections: 1, resets: 1, bytesUp: 0 });
    proxy.setFaults({});
    expect((await request(proxy.url('/files/'), { method: 'OPTIONS' })).status).toBe(204);
  });

  it('resumes across a receiver restart at the offset the file store persisted', async () => {
    const src = await writeRandomFile(fx.srcDir, 'restart.bin', 1_000_000);
    const data = await fsp.readFile(src.file);
    const answer = await create(fx.receiver.url, { length: data.length, metadata: { relativePath: 'restart.bin', dataset: 'ds', sha256: src.sha256 } });
    const id = (answer.uploadUrl as string).split('/').pop() as string;
    expect((await patch(answer.uploadUrl as string, 0, data.subarray(0, 400_000))).status).toBe(204);

    const restarted = await fx.restart();
    const url = `${restarted.url}${id}`;
    const h = await head(url);
    expect(h.status).toBe(200);
    expect(h.headers['upload-offset']).toBe('400000');
    expect(h.headers['upload-length']).toBe('1000000');
    expect((await patch(url, 400_000, data.subarray(400_000))).status).toBe(204);
    expect(await sha256OfFile(path.join(fx.storageDir, 'ds/restart.bin'))).toBe(src.sha256);
  });

  it('keeps what a PATCH cut off by close() had written, and resumes from there', async () => {
    const src = await writeRandomFile(fx.srcDir, 'cut.bin', 2_000_000);
    const data = await fsp.readFile(src.file);
    const answer = await create(fx.receiver.url, { length: data.length, metadata: { relativePath: 'cut.bin', dataset: 'ds', sha256: src.sha256 } });
    const id = (answer.uploadUrl as string).split('/').pop() as string;

    // A PATCH that announces the whole rest but sends only part of it, then hangs.
    const req = http.request(answer.uploadUrl as string, {
      method: 'PATCH',
      agent: false,
      headers: {
        'Tus-Resumable': '1.0.0',
        'Upload-Offset': '0',
        'Content-Type': 'application/offset+octet-stream',
        'Content-Length': String(data.length),
      },
    });
    req.on('error', () => undefined);
    req.write(data.subarray(0, 700_000));
    const partial = path.join(fx.storageDir, '.incoming', id);
    await vi.waitFor(async () => expect((await fsp.stat(partial)).size).toBe(700_000), { timeout: 10_000, interval: 20 });

    const restarted = await fx.restart();
    req.destroy();
    const url = `${restarted.url}${id}`;
    const offset = Number((await head(url)).headers['upload-offset']);
    expect(offset).toBe(700_000);
    expect(sha256(await fsp.readFile(partial))).toBe(sha256(data.subarray(0, offset)));
    expect((await patch(url, offset, data.subarray(offset))).status).toBe(204);
    expect(await sha256OfFile(path.join(fx.storageDir, 'ds/cut.bin'))).toBe(src.sha256);
  });

  it('files on HEAD an upload whose data was complete when the receiver died before finishing', async () => {
    const good = Buffer.from('complete but never finished\n');
    const bad = Buffer.from('complete, but not what was announced');
    const ids: string[] = [];
    for (const [name, body, announced] of [['good.txt', good, good], ['bad.txt', bad, good]] as const) {
      const answer = await create(fx.receiver.url, { length: body.length, metadata: { relativePath: name, dataset: 'ds', sha256: sha256(announced) } });
      ids.push((answer.uploadUrl as string).split('/').pop() as string);
      // Bytes written straight to the store file: the state a crash between write and finish leaves.
      await fsp.writeFile(path.join(fx.storageDir, '.incoming', ids.at(-1) as string), body);
    }
    const restarted = await fx.restart();
    const goodHead = await head(`${restarted.url}${ids[0]}`);
    expect(goodHead.status).toBe(200);
    expect(goodHead.headers['upload-offset']).toBe(String(good.length));
    expect(await fsp.readFile(path.join(fx.storageDir, 'ds/good.txt'), 'utf8')).toBe(good.toString());
    // A mismatch found on that path is discarded like any other: 404, start anew.
    expect((await head(`${restarted.url}${ids[1]}`)).status).toBe(404);
    expect(await finalTree(fx.storageDir)).toEqual(['ds/good.txt']);
  });

  it('still completes through a stalling proxy (latency on every chunk)', async () => {
    const src = await writeRandomFile(fx.srcDir, 's.bin', 64 * 1024);
    proxy.setFaults({ stallMs: 150 });
    const started = Date.now();
    await uploadResumable(proxy.url('/files/'), src.file, { relativePath: 's.bin', dataset: 'ds', sha256: src.sha256 }, { chunkSize: 32 * 1024 });
    // POST, two PATCHes: each waits at least once each way.
    expect(Date.now() - started).toBeGreaterThanOrEqual(3 * 2 * 150);
    expect(await sha256OfFile(path.join(fx.storageDir, 'ds/s.bin'))).toBe(src.sha256);
  });
});
