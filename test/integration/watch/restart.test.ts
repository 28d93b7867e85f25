import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { waitForJob } from '../../helpers/engineFixture';
import { finished, idle, jobFiles, saveRule, waitForStatus, watchFixture } from './watchFixture';

describe('watched folders across restarts', () => {
  it('does not upload an unchanged file twice, and picks up what arrived while Ferry was closed', async () => {
    const fx = await watchFixture();
    writeFileSync(join(fx.src, 'kept.bin'), randomBytes(50_000));
    const rule = await saveRule(fx.engine, { name: 'Restarted', path: fx.src });
    const first = await fx.jobs.next();
    await waitForJob(fx.engine, first.id, finished);
    await waitForStatus(fx.engine, rule.id, (s) => idle(s) && s.uploaded === 1);

    await fx.restart(() => writeFileSync(join(fx.src, 'while-closed.bin'), randomBytes(20_000)));
    const second = await fx.jobs.next();
    await waitForJob(fx.engine, second.id, finished);
    expect(jobFiles(fx.engine, second.id).map((f) => f.relativePath)).toEqual(['while-closed.bin']);
    const status = await waitForStatus(fx.engine, rule.id, (s) => idle(s) && s.uploaded === 2);
    expect(status).toMatchObject({ filesSeen: 2, failed: 0 });
    expect(fx.jobs.jobs()).toHaveLength(1);
  });

  it('settles files of a job that finished while the watcher was not listening', async () => {
    const fx = await watchFixture();
    const rule = await saveRule(fx.engine, { name: 'Settled later', path: fx.src });
    await waitForStatus(fx.engine, rule.id, (s) => s.state === 'watching');
    writeFileSync(join(fx.src, 'late.bin'), randomBytes(10_000));
    const job = await fx.jobs.next();
    // The watcher stops listening before the job ends: the next start must settle it from the job table.
    await fx.engine.services.watch.stop();
    await waitForJob(fx.engine, job.id, finished);

    await fx.restart();
    const status = await waitForStatus(fx.engine, rule.id, idle);
    expect(status).toMatchObject({ uploaded: 1, pending: 0, jobsCreated: 0 });
  });
});
