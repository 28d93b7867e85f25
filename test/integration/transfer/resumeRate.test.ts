/**
 * A resumed job keeps to the bandwidth limit from its first byte: the time it spent paused earns
 * it no burst. Measured on the wire, by a TCP proxy between Ferry and a real tus server, over a
 * window right after Resume, and in the speed the job reports.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { dispatchCommand } from '../../../main/engine/api/dispatch';
import { globalThrottle } from '../../../main/engine/upload/throttle';
import { startEngine, waitForJob } from '../../helpers/engineFixture';
import { startFaultProxy } from '../../helpers/faultProxy';
import { makeTmpDir } from '../../helpers/tmpDir';
import { startTusServer } from '../upload/fixtures/tusServer';
import { createUpload, seededSource } from './destinationsFixture';

const MiB = 1024 * 1024;
const LIMIT = 1 * MiB;

describe('bandwidth limit across a pause', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  it('a resumed upload sends no more than the limit allows in the first seconds after Resume', async () => {
    const tusDir = makeTmpDir('ferry-resume-rate-');
    cleanups.push(tusDir.cleanup);
    const tus = await startTusServer(tusDir.dir);
    cleanups.push(() => tus.close());
    const proxy = await startFaultProxy({ target: { host: '127.0.0.1', port: Number(new URL(tus.endpoint).port) } });
    cleanups.push(() => proxy.close());
    const { engine, dispose } = startEngine();
    cleanups.push(dispose);
    cleanups.push(() => globalThrottle.setRate(0));
    const saved = await dispatchCommand(engine, 'saveDestination', { name: 'Lab tus', kind: 'tus', config: { endpoint: proxy.url('/files'), chunkSizeMiB: 1, parallelParts: 1 } });
    const destinationId = (saved as { value: { id: string } }).value.id;
    expect(await dispatchCommand(engine, 'updateSettings', { bandwidthLimit: LIMIT, parallelFiles: 1 })).toMatchObject({ ok: true });
    const files = Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`frame-${String(i).padStart(2, '0')}.raw`, MiB / 2]));
    const id = await createUpload(engine, { paths: [seededSource(cleanups, files, 7)], name: 'paused sweep', destinationId });

    await waitForJob(engine, id, (j) => j.counts.processed >= 2, 30_000);
    await dispatchCommand(engine, 'pauseJob', { id });
    await waitForJob(engine, id, (j) => j.state === 'paused', 30_000);
    // Paused for a while, as a user would be: a bucket that saved up its unused rate meanwhile would
    // let the first bytes after Resume go at once, faster than the limit.
    const idle = proxy.stats().bytesUp;
    await new Promise((r) => setTimeout(r, 1500));
    expect(proxy.stats().bytesUp).toBe(idle);

    let fastest = 0;
    const stop = engine.services.jobs.onChanged((batch) => {
      for (const j of batch.upserts) if (j.id === id && j.state === 'running') fastest = Math.max(fastest, j.rate);
    });
    cleanups.push(stop);
    const resumedAt = performance.now();
    await dispatchCommand(engine, 'resumeJob', { id });
    const windows: number[] = [];
    for (const ms of [250, 500, 1000, 2000]) {
      await new Promise((r) => setTimeout(r, Math.max(0, resumedAt + ms - performance.now())));
      const seconds = (performance.now() - resumedAt) / 1000;
      windows.push((proxy.stats().bytesUp - idle) / seconds);
    }
    // Headers and tus requests add a few hundred bytes per request on top of the file bytes.
    const slack = 1.05;
    for (const rate of windows) expect(rate, `bytes/s over each window after Resume: ${windows.map((r) => Math.round(r)).join(', ')}`).toBeLessThan(LIMIT * slack);
    expect(fastest, 'the speed the job reported').toBeLessThan(LIMIT * slack);
    // And it does send: the limit is kept, not undercut by much.
    expect(windows.at(-1)!).toBeGreaterThan(LIMIT * 0.6);
    await dispatchCommand(engine, 'cancelJob', { id });
  });
});
