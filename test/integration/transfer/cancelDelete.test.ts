import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { dispatchCommand } from '../../../main/engine/api/dispatch';
import { globalThrottle } from '../../../main/engine/upload/throttle';
import { startEngine, waitForJob } from '../../helpers/engineFixture';
import { makeTmpDir } from '../../helpers/tmpDir';
import { createUpload, DESTINATION_KINDS, partWay, seededSource, settled, startDestination, tree } from './destinationsFixture';

/**
 * Cancel and delete, for every destination kind: a canceled job leaves nothing unfinished at the
 * destination (read from the destination's own storage), and a job deleted with its files takes
 * them (and its manifest) away where the destination allows it.
 */

const MiB = 1024 * 1024;

describe('cancel and delete at every kind of destination', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  const source = (files: Record<string, number>): string => seededSource(cleanups, files, 11);

  for (const kind of DESTINATION_KINDS) {
    it(`${kind}: cancel in the middle of a file discards the unfinished upload at the destination`, async () => {
      const dest = await startDestination(kind, cleanups);
      const { engine } = dest;
      // Slow enough that the cancel lands in the middle of the big file, on any machine.
      expect(await dispatchCommand(engine, 'updateSettings', { bandwidthLimit: 4 * MiB })).toMatchObject({ ok: true });
      const src = source({ 'big.bin': 40 * MiB + 123 });
      const id = await createUpload(engine, { paths: [src], name: 'cut', ...(dest.destinationId ? { destinationId: dest.destinationId } : {}) });
      await partWay(engine, id);
      // Not vacuous: the destination does hold an unfinished upload now.
      expect(await dest.partials()).not.toEqual([]);
      expect(await dispatchCommand(engine, 'cancelJob', { id })).toMatchObject({ ok: true });
      const done = await waitForJob(engine, id, settled(engine, id), 60_000);
      const log = readFileSync(engine.services.logs.paths(id).log, 'utf8');
      expect(done, log).toMatchObject({ state: 'canceled' });
      expect(await dest.partials(), log).toEqual([]);
      expect(log).toMatch(/Discarded 1 unfinished upload at /);
      // The discard is written before the attempt's footer, and there is one footer.
      expect(log.indexOf('Discarded 1 unfinished upload')).toBeLessThan(log.lastIndexOf('"result": "canceled"'));
      expect(log.match(/"result": "canceled"/g)).toHaveLength(1);
      expect(engine.services.items.page(id, 0, 10).every((it) => it.session === null)).toBe(true);
    });
  }

  for (const kind of ['folder', 'receiver', 's3'] as const) {
    it(`${kind}: delete with files removes the files the job uploaded and its manifest; without, they stay`, async () => {
      const dest = await startDestination(kind, cleanups);
      const { engine } = dest;
      const src = source({ 'a.bin': 3000, 'b.bin': 2 * MiB + 5, 'c.bin': 7 * MiB + 1 });
      const to = dest.destinationId ? { destinationId: dest.destinationId } : {};
      const kept = await createUpload(engine, { paths: [src], name: 'kept', ...to });
      const gone = await createUpload(engine, { paths: [src], name: 'gone', ...to });
      for (const id of [kept, gone]) expect(await waitForJob(engine, id, settled(engine, id), 60_000)).toMatchObject({ state: 'completed', result: 'success' });
      expect(await dest.landed('gone')).toEqual(['a.bin', 'b.bin', 'c.bin', 'dataset.json', 'manifest-sha256.txt']);

      expect(await dispatchCommand(engine, 'deleteJob', { id: gone, deleteFiles: true })).toEqual({ ok: true, value: { id: gone, filesDeleted: 3 } });
      expect(await dest.landed('gone')).toEqual([]);
      expect(await dispatchCommand(engine, 'getJob', { id: gone })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });

      expect(await dispatchCommand(engine, 'deleteJob', { id: kept })).toEqual({ ok: true, value: { id: kept, filesDeleted: 0 } });
      expect(await dest.landed('kept')).toEqual(['a.bin', 'b.bin', 'c.bin', 'dataset.json', 'manifest-sha256.txt']);
    });
  }

  it('tus: delete with files terminates every upload of the job (files, manifest, dataset.json) on a server that offers termination', async () => {
    const dest = await startDestination('tus', cleanups);
    const { engine } = dest;
    const src = source({ 'a.bin': 3000, 'b.bin': 2 * MiB + 5 });
    const id = await createUpload(engine, { paths: [src], name: 'ds', destinationId: dest.destinationId });
    expect(await waitForJob(engine, id, settled(engine, id), 30_000)).toMatchObject({ state: 'completed', result: 'success' });
    expect(await dest.landed('ds')).toHaveLength(4);
    // @tus/server confirms sizes, not checksums: each file was read back and hashed, never "verified by size".
    const log = readFileSync(engine.services.logs.paths(id).log, 'utf8');
    expect(log.match(/^.*OK {4}[ab]\.bin .*$/gm)?.map((l) => /\((read-back|empty)/.test(l))).toEqual([true, true]);
    expect(engine.services.items.page(id, 0, 10).map((it) => it.verified)).toEqual(['read-back', 'read-back']);
    expect(await dispatchCommand(engine, 'deleteJob', { id, deleteFiles: true })).toEqual({ ok: true, value: { id, filesDeleted: 2 } });
    expect(await dest.partials()).toEqual([]);
  });

  it('tus: delete with files is refused where the server offers no termination, and deletes nothing', async () => {
    const dest = await startDestination('tus', cleanups, { tusTermination: false });
    const { engine } = dest;
    const src = source({ 'a.bin': 3000 });
    const id = await createUpload(engine, { paths: [src], name: 'ds', destinationId: dest.destinationId });
    await waitForJob(engine, id, settled(engine, id), 30_000);
    const before = await dest.landed('ds');
    expect(await dispatchCommand(engine, 'deleteJob', { id, deleteFiles: true })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_INPUT', message: expect.stringMatching(/Lab tus does not allow deleting uploaded files \(the server does not offer tus termination \(DELETE\)\); nothing was deleted/) },
    });
    expect(await dispatchCommand(engine, 'getJob', { id })).toMatchObject({ ok: true });
    expect(await dest.landed('ds')).toEqual(before);
  });

  it('delete with files is refused while the job runs or waits; it must be canceled (and its partials discarded) first', async () => {
    const dest = await startDestination('folder', cleanups);
    const { engine } = dest;
    expect(await dispatchCommand(engine, 'updateSettings', { bandwidthLimit: 4 * MiB })).toMatchObject({ ok: true });
    const src = source({ 'big.bin': 24 * MiB });
    const id = await createUpload(engine, { paths: [src], name: 'busy', destinationId: dest.destinationId });
    await partWay(engine, id);
    expect(await dispatchCommand(engine, 'deleteJob', { id, deleteFiles: true })).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    expect(await dispatchCommand(engine, 'pauseJob', { id })).toMatchObject({ ok: true });
    await waitForJob(engine, id, (j) => j.state === 'paused');
    expect(await dispatchCommand(engine, 'deleteJob', { id, deleteFiles: true })).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    // A paused job's runner waits at its checkpoint: cancel wakes it, and the partial is discarded.
    expect(await dest.partials()).not.toEqual([]);
    await dispatchCommand(engine, 'cancelJob', { id });
    await waitForJob(engine, id, settled(engine, id), 30_000);
    expect(await dest.partials()).toEqual([]);
    expect(await dispatchCommand(engine, 'deleteJob', { id, deleteFiles: true })).toEqual({ ok: true, value: { id, filesDeleted: 0 } });
  });

  it('a job canceled while queued after a restart (no runner alive) discards its saved session too', async () => {
    const storage = makeTmpDir('ferry-cancel-restart-');
    cleanups.push(storage.cleanup);
    const dataDir = mkdtempSync(join(tmpdir(), 'ferry-cancel-data-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    cleanups.push(() => globalThrottle.setRate(0));
    const first = startEngine({ dataDir });
    const saved = await dispatchCommand(first.engine, 'saveDestination', { name: 'Share', kind: 'folder', config: { path: storage.dir } });
    const destinationId = (saved as { value: { id: string } }).value.id;
    expect(await dispatchCommand(first.engine, 'updateSettings', { bandwidthLimit: 4 * MiB })).toMatchObject({ ok: true });
    const src = source({ 'big.bin': 24 * MiB });
    const id = await createUpload(first.engine, { paths: [src], name: 'requeued', destinationId });
    await partWay(first.engine, id);
    // The queue is held (a flag that survives the restart), so the recovered job cannot start.
    expect(await dispatchCommand(first.engine, 'setQueuePaused', { paused: true })).toMatchObject({ ok: true });
    await first.dispose(); // as a quit: the job stays running in the database, its partial stays
    const partials = () => tree(storage.dir).filter((p) => p.endsWith('.ferry-part'));
    expect(partials()).toHaveLength(1);

    const second = startEngine({ dataDir });
    cleanups.push(second.dispose);
    expect(second.engine.services.jobs.view(id), readFileSync(second.engine.services.logs.paths(id).log, 'utf8')).toMatchObject({ state: 'queued' });
    expect(second.engine.services.jobs.runningCount()).toBe(0);
    expect(await dispatchCommand(second.engine, 'cancelJob', { id })).toMatchObject({ ok: true });
    const done = await waitForJob(second.engine, id, settled(second.engine, id), 30_000);
    const log = readFileSync(second.engine.services.logs.paths(id).log, 'utf8');
    expect(done, log).toMatchObject({ state: 'canceled' });
    expect(partials(), log).toEqual([]);
    expect(log).toMatch(/Discarded 1 unfinished upload at Share/);
  });
});
