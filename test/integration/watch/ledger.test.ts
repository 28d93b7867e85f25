import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dispatchCommand } from '../../../main/engine/api/dispatch';
import { waitForJob } from '../../helpers/engineFixture';
import { sha256Of } from '../../helpers/servicesFixture';
import { finished, idle, jobFiles, saveRule, waitForStatus, watchFixture, watching } from './watchFixture';

describe('watched folders: the ledger and job outcomes', () => {
  it('releases the files of a canceled job, offers them again at the next scan, and fills in the hash when a job succeeds', async () => {
    const { engine, src, jobs } = await watchFixture();
    engine.services.jobs.limits.concurrency = 0; // jobs wait in the queue, where they can be canceled
    const rule = await saveRule(engine, { name: 'Canceled', path: src });
    await waitForStatus(engine, rule.id, watching);
    writeFileSync(join(src, 'one.bin'), randomBytes(1000));

    const first = await jobs.next();
    await waitForStatus(engine, rule.id, (s) => s.pending === 1);
    expect(await dispatchCommand(engine, 'cancelJob', { id: first.id })).toMatchObject({ ok: true });
    const released = await waitForStatus(engine, rule.id, (s) => s.failed === 1);
    expect(released).toMatchObject({ pending: 0, uploaded: 0, waiting: 0 });

    engine.services.jobs.limits.concurrency = 2;
    await dispatchCommand(engine, 'setWatchRuleEnabled', { id: rule.id, enabled: true });
    const second = await jobs.next();
    expect(jobFiles(engine, second.id).map((f) => f.relativePath)).toEqual(['one.bin']);
    engine.services.jobs.pump();
    await waitForJob(engine, second.id, finished);
    const status = await waitForStatus(engine, rule.id, (s) => idle(s) && s.uploaded === 1);
    expect(status.failed).toBe(0);
    const row = engine.services.db.prepare('SELECT state, sha256, job_id FROM watch_ledger WHERE rule_id = ? AND path = ?').get(rule.id, join(rule.path, 'one.bin'));
    expect(row).toEqual({ state: 'uploaded', sha256: sha256Of(join(src, 'one.bin')), job_id: second.id });
  });
});
