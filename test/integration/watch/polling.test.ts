import { randomBytes } from 'node:crypto';
import { appendFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { waitForJob } from '../../helpers/engineFixture';
import { sha256Of } from '../../helpers/servicesFixture';
import { finished, idle, jobFiles, saveRule, waitForStatus, watchFixture } from './watchFixture';

describe('watched folders: polling', () => {
  it('finds new and removed files by walking the folder when asked to poll', async () => {
    const { ferry, src, jobs } = await watchFixture();
    const rule = await saveRule(ferry.engine, { name: 'Share', path: src, polling: 'always', pollIntervalMs: 200 });
    await waitForStatus(ferry.engine, rule.id, (s) => s.state === 'polling');

    writeFileSync(join(src, 'polled.bin'), randomBytes(30_000));
    writeFileSync(join(src, 'removed-later.bin'), randomBytes(10));
    const job = await jobs.next();
    await waitForJob(ferry.engine, job.id, finished);
    expect(sha256Of(join(ferry.dataDir, 'received', basename(rule.path), 'polled.bin'))).toBe(sha256Of(join(src, 'polled.bin')));
    await waitForStatus(ferry.engine, rule.id, (s) => idle(s) && s.filesSeen === 2 && s.uploaded === 2);

    rmSync(join(src, 'removed-later.bin'));
    const status = await waitForStatus(ferry.engine, rule.id, (s) => s.filesSeen === 1);
    expect(status).toMatchObject({ state: 'polling', uploaded: 2 });

    // Rewritten in place, the folder's time does not move: the periodic full walk finds it.
    appendFileSync(join(src, 'polled.bin'), randomBytes(1000));
    const again = await jobs.next();
    await waitForJob(ferry.engine, again.id, finished);
    expect(jobFiles(ferry.engine, again.id)).toMatchObject([{ relativePath: 'polled.bin', sha256: sha256Of(join(src, 'polled.bin')) }]);
  });
});
