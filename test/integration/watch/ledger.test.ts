import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { dispatchCommand } from '../../../main/engine/api/dispatch';
import type { JobView } from '../../../shared/model';
import { waitForJob } from '../../helpers/engineFixture';
import { sha256Of, startFerryServices } from '../../helpers/servicesFixture';
import { makeTmpDir } from '../../helpers/tmpDir';
import { idle, jobFiles, recordUploadJobs, saveRule, waitForStatus, watching } from './watchFixture';

const finished = (j: JobView) => j.state === 'completed' || j.state === 'failed' || j.state === 'canceled';

describe('watched folders: the ledger and job outcomes', () => {
  const cleanups: (() => unknown)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  it('releases the files of a canceled job, offers them again at the next scan, and fills in the hash when a job succeeds', async () => {
    const ferry = await startFerryServices();
    cleanups.push(ferry.dispose);
    const { engine } = ferry;
    const src = makeTmpDir('ferry-watch-src');
    cleanups.push(src.cleanup);
    const jobs = recordUploadJobs(engine);
    cleanups.push(jobs.stop);
    engine.jobs.limits.concurrency = 0; // jobs wait in the queue, where they can be canceled
    const rule = await saveRule(engine, { name: 'Canceled', path: src.dir });
    await waitForStatus(engine, rule.id, watching);
    writeFileSync(join(src.dir, 'one.bin'), randomBytes(1000));

    const first = await jobs.next();
    await waitForStatus(engine, rule.id, (s) => s.pending === 1);
    expect(await dispatchCommand(engine, 'cancelJob', { id: first.id })).toMatchObject({ ok: true });
    const released = await waitForStatus(engine, rule.id, (s) => s.failed === 1);
    expect(released).toMatchObject({ pending: 0, uploaded: 0, waiting: 0 });

    engine.jobs.limits.concurrency = 2;
    await dispatchCommand(engine, 'setWatchRuleEnabled', { id: rule.id, enabled: true });
    const second = await jobs.next();
    expect(jobFiles(engine, second.id).map((f) => f.relativePath)).toEqual(['one.bin']);
    engine.jobs.pump();
    await waitForJob(engine, second.id, finished);
    const status = await waitForStatus(engine, rule.id, (s) => idle(s) && s.uploaded === 1);
    expect(status.failed).toBe(0);
    const row = engine.db.prepare('SELECT state, sha256, job_id FROM watch_ledger WHERE rule_id = ? AND path = ?').get(rule.id, join(rule.path, 'one.bin'));
    expect(row).toEqual({ state: 'uploaded', sha256: sha256Of(join(src.dir, 'one.bin')), job_id: second.id });
  });
});
