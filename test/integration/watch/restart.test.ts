import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { JobView } from '../../../shared/model';
import { waitForJob } from '../../helpers/engineFixture';
import { startFerryServices } from '../../helpers/servicesFixture';
import { makeTmpDir } from '../../helpers/tmpDir';
import { idle, jobFiles, recordUploadJobs, saveRule, waitForStatus } from './watchFixture';

const finished = (j: JobView) => j.state === 'completed' || j.state === 'failed' || j.state === 'canceled';

describe('watched folders across restarts', () => {
  const cleanups: (() => unknown)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  it('does not upload an unchanged file twice, and picks up what arrived while Ferry was closed', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'ferry-watch-data-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const src = makeTmpDir('ferry-watch-src');
    cleanups.push(src.cleanup);

    const before = await startFerryServices({ dataDir });
    const jobsBefore = recordUploadJobs(before.engine);
    writeFileSync(join(src.dir, 'kept.bin'), randomBytes(50_000));
    const rule = await saveRule(before.engine, { name: 'Restarted', path: src.dir });
    const first = await jobsBefore.next();
    await waitForJob(before.engine, first.id, finished);
    await waitForStatus(before.engine, rule.id, (s) => idle(s) && s.uploaded === 1);
    jobsBefore.stop();
    await before.dispose();

    writeFileSync(join(src.dir, 'while-closed.bin'), randomBytes(20_000));

    const after = await startFerryServices({ dataDir });
    cleanups.push(after.dispose);
    const jobsAfter = recordUploadJobs(after.engine);
    cleanups.push(jobsAfter.stop);
    const second = await jobsAfter.next();
    await waitForJob(after.engine, second.id, finished);
    expect(jobFiles(after.engine, second.id).map((f) => f.relativePath)).toEqual(['while-closed.bin']);
    const status = await waitForStatus(after.engine, rule.id, (s) => idle(s) && s.uploaded === 2);
    expect(status).toMatchObject({ filesSeen: 2, failed: 0 });
    expect(jobsAfter.jobs()).toHaveLength(1);
  });

  it('settles files of a job that finished while the watcher was not listening', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'ferry-watch-data-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const src = makeTmpDir('ferry-watch-src');
    cleanups.push(src.cleanup);
    const before = await startFerryServices({ dataDir });
    const jobs = recordUploadJobs(before.engine);
    const rule = await saveRule(before.engine, { name: 'Settled later', path: src.dir });
    await waitForStatus(before.engine, rule.id, (s) => s.state === 'watching');
    writeFileSync(join(src.dir, 'late.bin'), randomBytes(10_000));
    const job = await jobs.next();
    jobs.stop();
    // The watcher stops listening before the job ends: the next start must settle it from the job table.
    await before.engine.watch.stop();
    await waitForJob(before.engine, job.id, finished);
    await before.dispose();

    const after = await startFerryServices({ dataDir });
    cleanups.push(after.dispose);
    const status = await waitForStatus(after.engine, rule.id, idle);
    expect(status).toMatchObject({ uploaded: 1, pending: 0, jobsCreated: 0 });
  });
});
