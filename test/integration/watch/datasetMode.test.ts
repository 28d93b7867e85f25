import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { JobView } from '../../../shared/model';
import { waitForJob } from '../../helpers/engineFixture';
import { sha256Of, startFerryServices } from '../../helpers/servicesFixture';
import { makeTmpDir } from '../../helpers/tmpDir';
import { idle, jobFiles, recordUploadJobs, saveRule, waitForStatus, watching } from './watchFixture';

const finished = (j: JobView) => j.state === 'completed' || j.state === 'failed' || j.state === 'canceled';
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('watched folders: dataset mode', () => {
  const cleanups: (() => unknown)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  async function setup() {
    const ferry = await startFerryServices();
    cleanups.push(ferry.dispose);
    const src = makeTmpDir('ferry-watch-src');
    cleanups.push(src.cleanup);
    const jobs = recordUploadJobs(ferry.engine);
    cleanups.push(jobs.stop);
    return { ferry, engine: ferry.engine, src: src.dir, jobs };
  }

  it('makes one dataset job per new folder once nothing in it changed for the quiet period', async () => {
    const { ferry, engine, src, jobs } = await setup();
    const rule = await saveRule(engine, { name: 'Runs', path: src, mode: 'dataset', datasetQuietMs: 1500, metadata: { nameTemplate: 'run {folder}', team: 'optics' } });
    await waitForStatus(engine, rule.id, watching);
    writeFileSync(join(src, 'loose.bin'), randomBytes(100)); // not in a folder: not a dataset
    for (const run of ['run-a', 'run-b']) {
      mkdirSync(join(src, run, 'sub'), { recursive: true });
      writeFileSync(join(src, run, 'frame-1.raw'), randomBytes(40_000));
    }
    // The acquisition goes on in bursts shorter than the quiet period.
    let lastWrite = 0;
    for (let i = 2; i <= 4; i++) {
      await pause(200);
      for (const run of ['run-a', 'run-b']) writeFileSync(join(src, run, 'sub', `frame-${i}.raw`), randomBytes(10_000 * i));
      lastWrite = Date.now();
    }

    const a = await jobs.next();
    const b = await jobs.next();
    for (const job of [a, b]) {
      expect(job.createdAt).toBeGreaterThanOrEqual(lastWrite + 1500);
      expect(await waitForJob(engine, job.id, finished)).toMatchObject({ state: 'completed', result: 'success' });
    }
    expect([a.name, b.name].sort()).toEqual(['run run-a', 'run run-b']);
    const files = jobFiles(engine, a.id).map((f) => f.relativePath);
    expect(files).toEqual(['frame-1.raw', 'sub/frame-2.raw', 'sub/frame-3.raw', 'sub/frame-4.raw']);
    expect(sha256Of(join(ferry.dataDir, 'received', 'run run-a', 'sub', 'frame-4.raw'))).toBe(sha256Of(join(src, 'run-a', 'sub', 'frame-4.raw')));
    await waitForStatus(engine, rule.id, (s) => idle(s) && s.uploaded === 8);
    expect(jobs.jobs()).toHaveLength(2);
  });

  it('sends a folder at once when its marker file appears, and only once', async () => {
    const { engine, src, jobs } = await setup();
    const rule = await saveRule(engine, { name: 'Marked', path: src, mode: 'dataset', datasetQuietMs: 120_000, markerFile: 'acquisition.complete' });
    await waitForStatus(engine, rule.id, watching);
    mkdirSync(join(src, 'scan-7'));
    for (let i = 0; i < 5; i++) writeFileSync(join(src, 'scan-7', `tile-${i}.tif`), randomBytes(5000));
    writeFileSync(join(src, 'scan-7', 'acquisition.complete'), '');

    const job = await jobs.next(10_000);
    expect(job.name).toBe('scan-7');
    await waitForJob(engine, job.id, finished);
    expect(jobFiles(engine, job.id).map((f) => f.relativePath)).toEqual(['acquisition.complete', ...[0, 1, 2, 3, 4].map((i) => `tile-${i}.tif`)]);
    // Idle means no folder is waiting out its (two-minute) quiet period: nothing else will be sent.
    await waitForStatus(engine, rule.id, (s) => idle(s) && s.uploaded === 6);
    expect(jobs.jobs()).toHaveLength(1);
  });

  it('takes a hidden marker as the signal but neither sends nor records it', async () => {
    const { engine, src, jobs } = await setup();
    const rule = await saveRule(engine, { name: 'Hidden marker', path: src, mode: 'dataset', datasetQuietMs: 120_000, markerFile: '.done' });
    await waitForStatus(engine, rule.id, watching);
    mkdirSync(join(src, 'plate-3'));
    writeFileSync(join(src, 'plate-3', 'well-a1.tif'), randomBytes(3000));
    writeFileSync(join(src, 'plate-3', '.done'), '');

    const job = await jobs.next(10_000);
    await waitForJob(engine, job.id, finished);
    expect(jobFiles(engine, job.id).map((f) => f.relativePath)).toEqual(['well-a1.tif']);
    const status = await waitForStatus(engine, rule.id, (s) => idle(s) && s.uploaded === 1);
    expect(status.failed).toBe(0);
    expect(jobs.jobs()).toHaveLength(1);
  });

  it("applies the rule's excludes inside a dataset: excluded files are neither sent nor recorded", async () => {
    const { engine, src, jobs } = await setup();
    const rule = await saveRule(engine, { name: 'Excluding', path: src, mode: 'dataset', datasetQuietMs: 120_000, markerFile: '.done', exclude: ['**/*.tmp'] });
    await waitForStatus(engine, rule.id, watching);
    mkdirSync(join(src, 'run-9', 'raw'), { recursive: true });
    writeFileSync(join(src, 'run-9', 'raw', 'frame-1.tif'), randomBytes(3000));
    writeFileSync(join(src, 'run-9', 'raw', 'frame-2.tif.tmp'), randomBytes(3000));
    writeFileSync(join(src, 'run-9', 'scratch.tmp'), randomBytes(100));
    writeFileSync(join(src, 'run-9', '.done'), '');

    const job = await jobs.next(10_000);
    await waitForJob(engine, job.id, finished);
    expect(jobFiles(engine, job.id).map((f) => f.relativePath)).toEqual(['raw/frame-1.tif']);
    await waitForStatus(engine, rule.id, (s) => idle(s) && s.uploaded === 1);
    expect(jobs.jobs()).toHaveLength(1);
  });
});
