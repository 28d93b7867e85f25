import { randomBytes } from 'node:crypto';
import { appendFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { JobView } from '../../../shared/model';
import { waitForJob } from '../../helpers/engineFixture';
import { sha256Of, startFerryServices } from '../../helpers/servicesFixture';
import { makeTmpDir } from '../../helpers/tmpDir';
import { idle, jobFiles, recordUploadJobs, saveRule, waitForStatus } from './watchFixture';

const finished = (j: JobView) => j.state === 'completed' || j.state === 'failed' || j.state === 'canceled';

describe('watched folders: polling', () => {
  const cleanups: (() => unknown)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  it('finds new and removed files by walking the folder when asked to poll', async () => {
    const ferry = await startFerryServices();
    cleanups.push(ferry.dispose);
    const src = makeTmpDir('ferry-watch-src');
    cleanups.push(src.cleanup);
    const jobs = recordUploadJobs(ferry.engine);
    cleanups.push(jobs.stop);
    const rule = await saveRule(ferry.engine, { name: 'Share', path: src.dir, polling: 'always', pollIntervalMs: 200 });
    await waitForStatus(ferry.engine, rule.id, (s) => s.state === 'polling');

    writeFileSync(join(src.dir, 'polled.bin'), randomBytes(30_000));
    writeFileSync(join(src.dir, 'removed-later.bin'), randomBytes(10));
    const job = await jobs.next();
    await waitForJob(ferry.engine, job.id, finished);
    expect(sha256Of(join(ferry.dataDir, 'received', basename(rule.path), 'polled.bin'))).toBe(sha256Of(join(src.dir, 'polled.bin')));
    await waitForStatus(ferry.engine, rule.id, (s) => idle(s) && s.filesSeen === 2 && s.uploaded === 2);

    rmSync(join(src.dir, 'removed-later.bin'));
    const status = await waitForStatus(ferry.engine, rule.id, (s) => s.filesSeen === 1);
    expect(status).toMatchObject({ state: 'polling', uploaded: 2 });

    // Rewritten in place, the folder's time does not move: the periodic full walk finds it.
    appendFileSync(join(src.dir, 'polled.bin'), randomBytes(1000));
    const again = await jobs.next();
    await waitForJob(ferry.engine, again.id, finished);
    expect(jobFiles(ferry.engine, again.id)).toMatchObject([{ relativePath: 'polled.bin', sha256: sha256Of(join(src.dir, 'polled.bin')) }]);
  });
});
