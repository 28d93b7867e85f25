import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FerryError } from '../../../shared/errors';
import { Engine } from '../../../main/engine/engine';
import { createDownloadRunner, PART_SUFFIX, type DownloadParams, type DownloadState } from '../../../main/engine/kinds/downloadRunner';
import { waitForJob } from '../../helpers/engineFixture';
import { startFaultProxy, type FaultProxy } from '../../helpers/faultProxy';
import { createRunnerHarness } from '../../helpers/runnerHarness';
import { makeTmpDir, type TmpDir } from '../../helpers/tmpDir';
import { startGarbageServer, startRangeServer, type RangeServer } from './rangeServer';

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const FAST = { backoff: { baseMs: 10, maxMs: 50 }, blockSize: 64 * 1024, idleTimeoutMs: 5000 };

describe('download job kind', () => {
  let tmp: TmpDir;
  let server: RangeServer | undefined;
  let proxy: FaultProxy | undefined;
  const content = randomBytes(2 * 1024 * 1024 + 123);

  beforeEach(() => {
    tmp = makeTmpDir('ferry-download-');
  });
  afterEach(async () => {
    await proxy?.close();
    await server?.close();
    proxy = undefined;
    server = undefined;
    await tmp.cleanup();
  });

  const params = (url: string, extra: Partial<DownloadParams> = {}): DownloadParams => ({ url, dest: join(tmp.dir, 'out', 'data.bin'), ...extra });
  /** A partial file of `bytes` and the state an earlier attempt would have persisted for it. */
  const seedPartial = (dest: string, bytes: Buffer, state: Partial<DownloadState> = {}): DownloadState => {
    mkdirSync(dirname(dest), { recursive: true });
    writeFileSync(dest + PART_SUFFIX, bytes);
    return { offset: bytes.length, total: content.length, etag: '"v1"', lastModified: null, ...state };
  };

  it('downloads, verifies the SHA-256, reports bytes and renames into place', async () => {
    server = await startRangeServer({ content });
    const p = params(server.url(), { expectedSha256: sha256(content) });
    const h = createRunnerHarness(createDownloadRunner(FAST), p);
    const outcome = await h.run();
    expect(outcome.result).toBe('success');
    expect(outcome.summary).toMatchObject({ bytes: content.length, sha256: sha256(content) });
    expect(sha256(readFileSync(p.dest))).toBe(sha256(content));
    expect(existsSync(p.dest + PART_SUFFIX)).toBe(false);
    expect(h.progress.at(-1)).toEqual({ done: content.length, total: content.length, unit: 'bytes' });
    expect(h.progress.every((u, i) => i === 0 || u.done >= h.progress[i - 1]!.done)).toBe(true);
    expect(h.saved).toMatchObject({ finished: true, offset: content.length });
    expect(h.durablePersists).toBe(1);
  });

  it('survives connections cut mid-body (fault proxy) by resuming with Range', async () => {
    server = await startRangeServer({ content });
    proxy = await startFaultProxy({ target: { host: '127.0.0.1', port: server.port }, seed: 7 });
    proxy.setFaults({ truncateResponseAfterBytes: 400_000 });
    const p = params(proxy.url('/file'), { expectedSha256: sha256(content) });
    const h = createRunnerHarness(createDownloadRunner(FAST), p);
    await h.run();
    expect(sha256(readFileSync(p.dest))).toBe(sha256(content));
    expect(proxy.stats().resets).toBeGreaterThanOrEqual(4);
    const ranged = server.requests.filter((r) => r.range);
    expect(ranged.length).toBeGreaterThanOrEqual(4);
    expect(ranged.every((r) => r.status === 206 && r.ifRange === '"v1"')).toBe(true);
    const offsets = ranged.map((r) => Number(/bytes=(\d+)-/.exec(r.range!)![1]));
    expect(offsets).toEqual([...offsets].sort((a, b) => a - b));
  });

  it('rides out a network outage with the shared backoff, then completes', async () => {
    server = await startRangeServer({ content });
    proxy = await startFaultProxy({ target: { host: '127.0.0.1', port: server.port }, seed: 3 });
    proxy.setFaults({ truncateResponseAfterBytes: 700_000 });
    const p = params(proxy.url('/file'));
    const h = createRunnerHarness(createDownloadRunner({ ...FAST, maxFailures: 20 }), p);
    const running = h.run();
    await h.waitForLog(/retrying from byte/);
    proxy.setFaults({ dropConnections: true });
    const retries = () => h.logs.filter((l) => /retrying from byte/.test(l)).length;
    const before = retries();
    await h.waitFor(() => retries() >= before + 3, 'three failed reconnects');
    proxy.setFaults({});
    await running;
    expect(sha256(readFileSync(p.dest))).toBe(sha256(content));
  });

  it('resumes a persisted partial file with Range and If-Range, rebuilding the hash', async () => {
    server = await startRangeServer({ content });
    const p = params(server.url(), { expectedSha256: sha256(content) });
    const state = seedPartial(p.dest, content.subarray(0, 1_000_000));
    const h = createRunnerHarness(createDownloadRunner(FAST), p, { state });
    await h.run();
    expect(server.requests).toEqual([{ range: 'bytes=1000000-', ifRange: '"v1"', status: 206 }]);
    expect(h.logs.some((l) => l.includes('Resuming at byte 1000000'))).toBe(true);
    expect(sha256(readFileSync(p.dest))).toBe(sha256(content));
  });

  it('starts over when the server ignores the Range header', async () => {
    server = await startRangeServer({ content, ignoreRange: true });
    const p = params(server.url(), { expectedSha256: sha256(content) });
    const h = createRunnerHarness(createDownloadRunner(FAST), p, { state: seedPartial(p.dest, content.subarray(0, 500_000)) });
    await h.run();
    expect(server.requests.map((r) => r.status)).toEqual([200]);
    expect(h.logs.some((l) => /Starting over from byte 0: the server ignored the range/.test(l))).toBe(true);
    expect(sha256(readFileSync(p.dest))).toBe(sha256(content));
  });

  it('starts over when the remote file changed (If-Range answered with the whole new file)', async () => {
    const v2 = randomBytes(300_000);
    server = await startRangeServer({ content: v2, etag: '"v2"' });
    const p = params(server.url());
    const h = createRunnerHarness(createDownloadRunner(FAST), p, { state: seedPartial(p.dest, content.subarray(0, 200_000)) });
    await h.run();
    expect(server.requests).toEqual([{ range: 'bytes=200000-', ifRange: '"v1"', status: 200 }]);
    expect(h.logs.some((l) => /remote file changed \(ETag "v1" → "v2"\)/.test(l))).toBe(true);
    expect(sha256(readFileSync(p.dest))).toBe(sha256(v2));
  });

  it('starts over when a server without If-Range answers a range of a changed file', async () => {
    const v2 = randomBytes(300_000);
    server = await startRangeServer({ content: v2, etag: '"v2"', honourIfRange: false });
    const p = params(server.url());
    const h = createRunnerHarness(createDownloadRunner(FAST), p, { state: seedPartial(p.dest, content.subarray(0, 200_000), { total: 300_000 }) });
    await h.run();
    expect(server.requests.map((r) => [r.range, r.status])).toEqual([
      ['bytes=200000-', 206],
      [undefined, 200],
    ]);
    expect(sha256(readFileSync(p.dest))).toBe(sha256(v2));
  });

  it('fails on a SHA-256 mismatch and removes the partial file', async () => {
    server = await startRangeServer({ content });
    const p = params(server.url(), { expectedSha256: 'ab'.repeat(32) });
    const h = createRunnerHarness(createDownloadRunner(FAST), p);
    const err = await h.run().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FerryError);
    expect(err).toMatchObject({ code: 'REMOTE', details: { retriable: false, actual: sha256(content) } });
    expect((err as Error).message).toMatch(/^download\(job 1, http:\/\/127\.0\.0\.1:\d+\/file\): SHA-256 mismatch/);
    expect(existsSync(p.dest)).toBe(false);
    expect(existsSync(p.dest + PART_SUFFIX)).toBe(false);
  });

  it('answers typed errors: 404 at once, 500 after the retries, garbage as not HTTP', async () => {
    server = await startRangeServer({ content });
    const missing = await createRunnerHarness(createDownloadRunner(FAST), params(server.url('/nope'))).run().catch((e: unknown) => e);
    expect(missing).toMatchObject({ code: 'REMOTE', details: { status: 404, retriable: false } });
    expect((missing as Error).message).toMatch(/server answered 404 Not Found$/);
    expect(server.requests).toHaveLength(1);

    server.set({ failNext: [500, 500, 500] });
    const broken = await createRunnerHarness(createDownloadRunner({ ...FAST, maxFailures: 2 }), params(server.url())).run().catch((e: unknown) => e);
    expect(broken).toMatchObject({ code: 'REMOTE', details: { status: 500, retriable: true } });
    expect(server.requests.slice(1).map((r) => r.status)).toEqual([500, 500, 500]);

    const garbage = await startGarbageServer();
    try {
      const err = await createRunnerHarness(createDownloadRunner(FAST), params(`http://127.0.0.1:${garbage.port}/file`)).run().catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'REMOTE', details: { retriable: false } });
      expect((err as Error).message).toMatch(/not valid HTTP/);
    } finally {
      await garbage.close();
    }
  });

  it('retries a 503 after its Retry-After and refuses bad params without retrying', async () => {
    server = await startRangeServer({ content, failNext: [503], retryAfter: '0' });
    const p = params(server.url());
    const h = createRunnerHarness(createDownloadRunner(FAST), p);
    await h.run();
    expect(server.requests.map((r) => r.status)).toEqual([503, 200]);
    expect(h.logs.some((l) => /server answered 503 Service Unavailable; retrying from byte 0 in 0\.0 s/.test(l))).toBe(true);

    const bad = await createRunnerHarness(createDownloadRunner(FAST), { url: 'ftp://x/y', dest: 'relative/path' }).run().catch((e: unknown) => e);
    expect(bad).toMatchObject({ code: 'INVALID_INPUT', details: { retriable: false } });
    expect((bad as Error).message).toMatch(/url: use an http/);
    expect((bad as Error).message).toMatch(/dest: dest must be an absolute path/);
  });

  it('pause closes the connection, resume continues with Range; cancel keeps the partial file', async () => {
    server = await startRangeServer({ content, throttle: { bytes: 32 * 1024, everyMs: 5 } });
    const p = params(server.url());
    const h = createRunnerHarness(createDownloadRunner(FAST), p);
    const running = h.run();
    await h.waitFor(() => (h.progress.at(-1)?.done ?? 0) >= 300_000, '300 kB downloaded');
    h.pause();
    await h.waitForLog(/^Paused at byte \d+/);
    const pausedAt = h.progress.at(-1)!.done;
    h.resume();
    await h.waitFor(() => server!.requests.length === 2, 'the second request');
    expect(server.requests[1]!.range).toBe(`bytes=${pausedAt}-`);
    await h.waitFor(() => (h.progress.at(-1)?.done ?? 0) >= pausedAt + 300_000, 'more bytes after resume');
    h.cancel();
    await expect(running).rejects.toMatchObject({ code: 'CANCELED' });
    expect(statSync(p.dest + PART_SUFFIX).size).toBe(h.saved!.offset);
    expect(existsSync(p.dest)).toBe(false);
  });

  it('without pause listeners a pause holds at the next block and goes on over the same connection', async () => {
    server = await startRangeServer({ content, throttle: { bytes: 32 * 1024, everyMs: 5 } });
    const p = params(server.url(), { expectedSha256: sha256(content) });
    const h = createRunnerHarness(createDownloadRunner(FAST), p, { withoutPauseListeners: true });
    const running = h.run();
    await h.waitFor(() => (h.progress.at(-1)?.done ?? 0) >= 200_000, '200 kB downloaded');
    const persisted = h.persists;
    const heldBefore = h.held;
    h.pause();
    // Held at the checkpoint after the block in hand: at most that one block more.
    await h.waitFor(() => h.held > heldBefore, 'the runner held at its checkpoint');
    expect(h.persists - persisted).toBeLessThanOrEqual(1);
    h.resume();
    await running;
    expect(server.requests).toHaveLength(1);
    expect(sha256(readFileSync(p.dest))).toBe(sha256(content));
  });

  it('resumes from the saved offset after the engine is stopped and started again', async () => {
    server = await startRangeServer({ content, throttle: { bytes: 16 * 1024, everyMs: 5 } });
    const dataDir = join(tmp.dir, 'data');
    const runner = createDownloadRunner(FAST);
    const p = params(server.url(), { expectedSha256: sha256(content) });
    let engine = new Engine({ dataDir, runners: [runner] });
    let running = true;
    engine.start();
    try {
      const job = engine.services.jobs.create({ kind: 'download', name: 'data.bin', priority: 'normal', params: p, total: 0, unit: 'bytes' }, p);
      await waitForJob(engine, job.id, (j) => j.done >= 400_000);
      running = false;
      await engine.stop();
      const partSize = statSync(p.dest + PART_SUFFIX).size;
      expect(partSize).toBeGreaterThanOrEqual(400_000);
      expect(partSize).toBeLessThan(content.length);

      engine = new Engine({ dataDir, runners: [runner] });
      running = true;
      engine.start();
      server.set({ throttle: undefined });
      const done = await waitForJob(engine, job.id, (j) => j.state === 'completed' || j.state === 'failed');
      expect(done).toMatchObject({ state: 'completed', result: 'success', done: content.length, total: content.length, unit: 'bytes' });
      expect(sha256(readFileSync(p.dest))).toBe(sha256(content));
      const resumedFrom = Number(/bytes=(\d+)-/.exec(server.requests.at(-1)!.range ?? '')?.[1]);
      expect(resumedFrom).toBeGreaterThanOrEqual(400_000);
      expect(server.requests).toHaveLength(2);
      expect(readFileSync(engine.services.logs.paths(job.id).log, 'utf8')).toContain(`Resuming at byte ${resumedFrom}`);
    } finally {
      if (running) await engine.stop();
    }
  });
});
