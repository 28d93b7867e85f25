import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dispatchCommand } from '../../../main/engine/api/dispatch';
import { DEFAULT_EXCLUDES } from '../../../shared/watch';
import type { WatchRule } from '../../../shared/watch';
import { makeTmpDir } from '../../helpers/tmpDir';
import { waitForJob } from '../../helpers/engineFixture';
import { expectError, finished, idle, jobFiles, saveRule, waitForStatus, watchFixture, watching } from './watchFixture';

describe('watched-folder rules', () => {
  it('answers typed errors for folders that cannot be watched and for bad rules', async () => {
    const { ferry, engine, src } = await watchFixture();
    writeFileSync(join(src, 'a-file.txt'), 'x');
    const base = { name: 'Bad' };
    expect(await expectError(engine, { ...base, path: join(src, 'missing') })).toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining('does not exist') });
    expect(await expectError(engine, { ...base, path: join(src, 'a-file.txt') })).toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining('not a folder') });
    expect(await expectError(engine, { ...base, path: 'relative/folder' })).toMatchObject({ code: 'INVALID_INPUT' });
    expect(await expectError(engine, { ...base, path: src, include: ['{a,b'] })).toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining("'{' without '}'") });
    expect(await expectError(engine, { ...base, path: src, metadata: { nameTemplate: '{fodler}' } })).toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining('{fodler}') });
    expect(await expectError(engine, { ...base, path: src, destinationId: 'no-such-destination' })).toMatchObject({ code: 'NOT_FOUND' });
    expect(await expectError(engine, { ...base, path: join(ferry.dataDir, 'received') })).toMatchObject({ code: 'CONFLICT' });
    expect(await expectError(engine, { ...base, path: src, surprise: true } as never)).toMatchObject({ code: 'INVALID_INPUT' });
    expect(await expectError(engine, { ...base, path: src, id: 'not-there' })).toMatchObject({ code: 'NOT_FOUND' });
    expect(await dispatchCommand(engine, 'deleteWatchRule', { id: 'not-there' })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(await dispatchCommand(engine, 'watchStatus', { id: 'not-there' })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(await dispatchCommand(engine, 'listWatchRules', {})).toMatchObject({ ok: true, value: [] });
  });

  it('stores rules with their defaults, edits and lists them', async () => {
    const { engine, src } = await watchFixture();
    const rule = await saveRule(engine, { name: 'Defaults', path: src, stabilityMs: undefined, batchMs: undefined, datasetQuietMs: undefined, polling: undefined });
    expect(rule).toMatchObject({
      name: 'Defaults',
      include: ['**/*'],
      exclude: [...DEFAULT_EXCLUDES],
      stabilityMs: 5000,
      batchMs: 2000,
      mode: 'files',
      datasetQuietMs: 30_000,
      markerFile: null,
      destinationId: null,
      enabled: true,
      polling: 'auto',
      metadata: { nameTemplate: '{folder}', sensorType: 'OTHER' },
    });
    const { id: _id, createdAt: _c, updatedAt: _u, ...config } = rule;
    const edited = await saveRule(engine, { ...config, id: rule.id, name: 'Edited', mode: 'dataset', markerFile: 'DONE' });
    expect(edited).toMatchObject({ id: rule.id, name: 'Edited', mode: 'dataset', markerFile: 'DONE', createdAt: rule.createdAt });
    const listed = await dispatchCommand(engine, 'listWatchRules', {});
    expect(listed).toMatchObject({ ok: true, value: [{ id: rule.id, name: 'Edited' }] });
  });

  it('stops watching a deleted rule, and a disabled one until it is enabled again', async () => {
    const { engine, src, jobs, defer } = await watchFixture();
    const other = makeTmpDir('ferry-watch-other');
    defer(other.cleanup);
    const doomed = await saveRule(engine, { name: 'Doomed', path: src });
    const control = await saveRule(engine, { name: 'Control', path: other.dir });
    await waitForStatus(engine, doomed.id, watching);
    await waitForStatus(engine, control.id, watching);

    expect(await dispatchCommand(engine, 'deleteWatchRule', { id: doomed.id })).toEqual({ ok: true, value: { id: doomed.id } });
    expect(engine.services.watch.isWatching(doomed.id)).toBe(false);
    writeFileSync(join(src, 'ignored.bin'), randomBytes(100));
    writeFileSync(join(other.dir, 'seen.bin'), randomBytes(100));
    // Both files become stable at the same pace; the control rule's job shows the deleted rule had its chance.
    const job = await jobs.next();
    // Its files are listed once the job has them: wait for its end, not for its creation.
    await waitForJob(engine, job.id, finished);
    expect(jobFiles(engine, job.id).map((f) => f.path)).toEqual([join(control.path, 'seen.bin')]);
    await waitForStatus(engine, control.id, idle);
    expect(jobs.jobs()).toHaveLength(1);

    const off = await dispatchCommand(engine, 'setWatchRuleEnabled', { id: control.id, enabled: false });
    expect(off).toMatchObject({ ok: true, value: { enabled: false } });
    expect(engine.services.watch.isWatching(control.id)).toBe(false);
    expect(await dispatchCommand(engine, 'watchStatus', { id: control.id })).toMatchObject({ ok: true, value: [{ state: 'disabled' }] });
    writeFileSync(join(other.dir, 'while-off.bin'), randomBytes(100));
    await dispatchCommand(engine, 'setWatchRuleEnabled', { id: control.id, enabled: true });
    const again = await jobs.next();
    await waitForJob(engine, again.id, finished);
    expect(jobFiles(engine, again.id).map((f) => f.relativePath)).toEqual(['while-off.bin']);
  });

  it('shows an error while the folder is missing at start-up', async () => {
    const { engine, src } = await watchFixture();
    const gone = join(src, 'instrument');
    mkdirSync(gone);
    const rule = await saveRule(engine, { name: 'Unplugged', path: gone });
    await waitForStatus(engine, rule.id, watching);
    await engine.services.watch.stop();
    rmSync(gone, { recursive: true });
    engine.services.watch.start();
    const status = await waitForStatus(engine, rule.id, (s) => s.state === 'error');
    expect(status.lastError).toContain(gone);
  });

  it('shows an error when the watched folder is removed', async () => {
    const { engine, src } = await watchFixture();
    const gone = join(src, 'share');
    mkdirSync(join(gone, 'inner'), { recursive: true });
    const rule = await saveRule(engine, { name: 'Removed', path: gone });
    await waitForStatus(engine, rule.id, watching);
    rmSync(gone, { recursive: true });
    const status = await waitForStatus(engine, rule.id, (s) => s.state === 'error');
    expect(status.lastError).toContain('was removed');
    expect(engine.services.watch.isWatching(rule.id)).toBe(false);
  });

  it('sends the rules and statuses first, then changes, on watch.changed', async () => {
    const { engine, src, defer } = await watchFixture();
    const rule: WatchRule = await saveRule(engine, { name: 'Streamed', path: src });
    const batches: { rules: string[]; removed: string[] }[] = [];
    let sawRemoval: () => void = () => undefined;
    const removal = new Promise<void>((resolve) => (sawRemoval = resolve));
    const stop = engine.services.watch.subscribe((b) => {
      batches.push({ rules: b.rules.map((r) => r.name), removed: b.removed });
      if (b.removed.includes(rule.id)) sawRemoval();
    });
    defer(stop);
    expect(batches[0]).toEqual({ rules: ['Streamed'], removed: [] });
    await dispatchCommand(engine, 'deleteWatchRule', { id: rule.id });
    await removal;
    expect(batches.at(-1)).toEqual({ rules: [], removed: [rule.id] });
  });
});
