import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { dispatchCommand } from '../../../main/engine/api/dispatch';
import { Engine } from '../../../main/engine/engine';
import { globalThrottle } from '../../../main/engine/upload/throttle';
import type { JobEvent, JobView } from '../../../shared/model';
import { startEngine, waitForJob } from '../../helpers/engineFixture';
import { startFaultProxy } from '../../helpers/faultProxy';
import { makeDataset, sha256Of } from '../../helpers/servicesFixture';
import { makeTmpDir } from '../../helpers/tmpDir';
import { startTusServer } from '../upload/fixtures/tusServer';
import { createUpload, isFinished, partWay, seededSource, settled, startDestination, tree } from './destinationsFixture';

/**
 * A job's life as a user drives it: stop after the files in flight, a job whose every file
 * failed, inputs refused before a job exists, a name only one file cannot have, and the progress
 * a restarted job shows before its destination answers.
 */

const MiB = 1024 * 1024;
const logOf = (engine: Engine, id: number) => readFileSync(engine.services.logs.paths(id).log, 'utf8');

describe('job lifecycle', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  const source = (files: Record<string, number>): string => seededSource(cleanups, files, 101);

  async function folderDestination() {
    const dest = await startDestination('folder', cleanups);
    const root = (dest.engine.services.destinations.get(dest.destinationId!).config as { path: string }).path;
    return { ...dest, root };
  }

  describe('stop after current', () => {
    it('with parallel files, the files in flight finish and none starts; it pauses with the rest queued, and resume sends the rest', async () => {
      const { engine, destinationId, root, partials } = await folderDestination();
      expect(await dispatchCommand(engine, 'updateSettings', { parallelFiles: 3, bandwidthLimit: 8 * MiB })).toMatchObject({ ok: true });
      const files = Object.fromEntries(Array.from({ length: 6 }, (_, i) => [`f${i}.bin`, 5 * MiB + i]));
      const src = source(files);
      const id = await createUpload(engine, { paths: [src], name: 'stopped', destinationId });
      // All three workers hold a file that is part-way.
      await waitForJob(engine, id, (j) => j.state === 'running' && engine.services.items.page(id, 0, 10).filter((it) => it.session !== null && it.state !== 'done').length === 3, 30_000);
      expect(await dispatchCommand(engine, 'stopAfterCurrent', { id })).toMatchObject({ ok: true, value: { stopAfterCurrent: true } });
      const paused = await waitForJob(engine, id, (j) => j.state === 'paused' || isFinished(j), 60_000);
      expect(paused, logOf(engine, id)).toMatchObject({ state: 'paused', counts: { processed: 3 } });
      const items = engine.services.items.page(id, 0, 10);
      expect(items.filter((it) => it.state === 'done')).toHaveLength(3);
      // The other three never started: no bytes, no session, nothing at the destination.
      expect(items.filter((it) => it.state === 'pending' && it.session === null && it.bytes_done === 0)).toHaveLength(3);
      expect(await partials()).toEqual([]);
      const landed = tree(join(root, 'stopped'));
      expect(landed).toHaveLength(3);
      for (const name of landed) expect(sha256Of(join(root, 'stopped', name))).toBe(sha256Of(join(src, name)));
      expect(logOf(engine, id)).toMatch(/Paused after the current item, as asked/);

      expect(await dispatchCommand(engine, 'resumeJob', { id })).toMatchObject({ ok: true });
      const done = await waitForJob(engine, id, settled(engine, id), 60_000);
      expect(done, logOf(engine, id)).toMatchObject({ state: 'completed', result: 'success', counts: { processed: 6 } });
      expect(tree(join(root, 'stopped'))).toEqual([...Object.keys(files), 'dataset.json', 'manifest-sha256.txt'].sort());
      for (const name of Object.keys(files)) expect(sha256Of(join(root, 'stopped', name))).toBe(sha256Of(join(src, name)));
    });

    it('a one-file upload finishes its file and completes (it does not pause at 100 %)', async () => {
      const { engine, destinationId, root } = await folderDestination();
      expect(await dispatchCommand(engine, 'updateSettings', { bandwidthLimit: 8 * MiB })).toMatchObject({ ok: true });
      const src = source({ 'only.bin': 12 * MiB + 7 });
      const id = await createUpload(engine, { paths: [join(src, 'only.bin')], name: 'single', destinationId });
      await partWay(engine, id);
      expect(await dispatchCommand(engine, 'stopAfterCurrent', { id })).toMatchObject({ ok: true });
      const done = await waitForJob(engine, id, (j) => j.state === 'paused' || settled(engine, id)(j), 60_000);
      expect(done, logOf(engine, id)).toMatchObject({ state: 'completed', result: 'success', done: 12 * MiB + 7, stopAfterCurrent: false });
      expect(sha256Of(join(root, 'single', 'only.bin'))).toBe(sha256Of(join(src, 'only.bin')));
    });

    it('small-file batches honour it: asked once 500 of 2 000 files landed, not all 2 000 are sent', async () => {
      const { engine, destinationId, root } = await folderDestination();
      // One batch in flight at a time, so "the batches in flight" is one.
      expect(await dispatchCommand(engine, 'updateSettings', { parallelFiles: 1 })).toMatchObject({ ok: true });
      const files: Record<string, number> = {};
      for (let i = 0; i < 2000; i++) files[`part-${i % 4}/f${String(i).padStart(4, '0')}.bin`] = 16 * 1024 + (i % 97);
      const src = makeDataset(files);
      cleanups.push(() => rmSync(src, { recursive: true, force: true }));
      const id = await createUpload(engine, { paths: [src], name: 'many', destinationId });
      // Asked the moment the landed count reaches 500 (as a user watching the count would).
      let landedCount = 0;
      const doneAll = engine.services.items.doneAll.bind(engine.services.items);
      engine.services.items.doneAll = (jobId, rows) => {
        doneAll(jobId, rows);
        const before = landedCount;
        landedCount += rows.length;
        if (jobId === id && before < 500 && landedCount >= 500) engine.services.jobs.stopAfterCurrent(id);
      };
      const paused = await waitForJob(engine, id, (j) => j.state === 'paused' || isFinished(j), 60_000);
      const processed = paused.counts.processed;
      expect(paused.state, logOf(engine, id)).toBe('paused');
      expect(processed).toBeGreaterThanOrEqual(500);
      expect(processed).toBeLessThan(2000);
      // What the destination holds is what the job counts: nothing beyond the batches in flight.
      expect(tree(join(root, 'many'))).toHaveLength(processed);

      expect(await dispatchCommand(engine, 'resumeJob', { id })).toMatchObject({ ok: true });
      const done = await waitForJob(engine, id, settled(engine, id), 60_000);
      expect(done, logOf(engine, id)).toMatchObject({ state: 'completed', result: 'success', counts: { processed: 2000 } });
      expect(tree(join(root, 'many'))).toHaveLength(2002);
      for (const rel of ['part-0/f0000.bin', 'part-3/f1999.bin']) expect(sha256Of(join(root, 'many', rel))).toBe(sha256Of(join(src, rel)));
    });
  });

  it('a job in which every file failed ends failed (not completed) and sends no manifest', async () => {
    const { engine, destinationId, root } = await folderDestination();
    const src = source({ 'a.bin': 4000, 'b.bin': 2 * MiB });
    // Both files vanish between the scan and their upload.
    const insertBatch = engine.services.items.insertBatch.bind(engine.services.items);
    engine.services.items.insertBatch = (jobId, firstSeq, items) => {
      insertBatch(jobId, firstSeq, items);
      for (const it of items) rmSync(it.path);
    };
    const id = await createUpload(engine, { paths: [src], name: 'nothing', destinationId });
    const done = await waitForJob(engine, id, settled(engine, id), 30_000);
    expect(done, logOf(engine, id)).toMatchObject({ state: 'failed', result: 'failed', attempts: 1, counts: { processed: 0, failed: 2 } });
    expect(done.error).toMatch(/every file failed \(2 of 2\); nothing was sent/);
    expect(tree(join(root, 'nothing'))).toEqual([]);
    expect(logOf(engine, id)).not.toMatch(/manifest-sha256\.txt/);
  });

  it('createUpload refuses a path that does not exist and a reserved dataset name (any letter case) before a job exists', async () => {
    const { engine } = await folderDestination();
    const src = source({ 'a.bin': 10 });
    const missing = join(src, 'not-here');
    const answer = await dispatchCommand(engine, 'createUpload', { paths: [src, missing] });
    expect(answer).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', message: `createUpload: ${missing} does not exist`, details: { path: missing } } });
    for (const name of ['.incoming', '.INCOMING', '.Incoming']) {
      expect(await dispatchCommand(engine, 'createUpload', { paths: [src], name })).toMatchObject({
        ok: false,
        error: { code: 'INVALID_INPUT', message: `createUpload: the dataset name ${JSON.stringify(name)} is reserved for partial uploads` },
      });
    }
    expect(await dispatchCommand(engine, 'listJobs', {})).toMatchObject({ ok: true, value: { total: 0 } });
  });

  it('a file name with a backslash fails that file alone at a folder destination; the others land', async () => {
    const { engine, destinationId, root } = await folderDestination();
    const src = source({ 'ok.bin': 3000, 'big.bin': 3 * MiB });
    writeFileSync(join(src, 'back\\slash.txt'), 'a legal name on this system');
    writeFileSync(join(src, 'also\\large.bin'), Buffer.alloc(2 * MiB, 7));
    const id = await createUpload(engine, { paths: [src], name: 'odd', destinationId });
    // Before the fix the whole job failed and was retried: stop waiting at the second attempt.
    const done = await waitForJob(engine, id, (j) => settled(engine, id)(j) || j.attempts > 1, 30_000);
    const log = logOf(engine, id);
    expect(done, log).toMatchObject({ state: 'completed', result: 'partial', attempts: 1, counts: { processed: 2, failed: 2 } });
    expect(log).toMatch(/FAIL {2}back\\slash\.txt: Share cannot store a file under this name: contains a backslash/);
    expect(log).toMatch(/FAIL {2}also\\large\.bin: .*backslash/);
    expect(tree(join(root, 'odd'))).toEqual(['big.bin', 'dataset.json', 'manifest-sha256.txt', 'ok.bin']);
    for (const name of ['ok.bin', 'big.bin']) expect(sha256Of(join(root, 'odd', name))).toBe(sha256Of(join(src, name)));
  });

  it('after a restart the job shows the bytes it had sent at once, before the destination answers', async () => {
    const tusDir = makeTmpDir('ferry-life-tus-');
    cleanups.push(tusDir.cleanup);
    const tus = await startTusServer(tusDir.dir);
    cleanups.push(() => tus.close());
    const port = Number(new URL(tus.endpoint).port);
    const proxy = await startFaultProxy({ target: { host: '127.0.0.1', port } });
    cleanups.push(() => proxy.close());
    const dataDir = mkdtempSync(join(tmpdir(), 'ferry-life-data-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    cleanups.push(() => globalThrottle.setRate(0));

    const first = startEngine({ dataDir });
    const saved = await dispatchCommand(first.engine, 'saveDestination', { name: 'Lab tus', kind: 'tus', config: { endpoint: proxy.url('/files'), chunkSizeMiB: 1 } });
    const destinationId = (saved as { value: { id: string } }).value.id;
    expect(await dispatchCommand(first.engine, 'updateSettings', { bandwidthLimit: 4 * MiB })).toMatchObject({ ok: true });
    const src = source({ 'big.bin': 24 * MiB });
    const id = await createUpload(first.engine, { paths: [src], name: 'resumed', destinationId });
    await waitForJob(first.engine, id, () => (first.engine.services.items.page(id, 0, 1)[0]?.bytes_done ?? 0) >= 2 * MiB, 30_000);
    await first.dispose();

    // From now on the destination never answers: whatever progress shows comes from the database.
    proxy.setFaults({ dropConnections: true });
    const engine = new Engine({ dataDir });
    cleanups.push(() => engine.stop());
    const savedBytes = engine.services.items.page(id, 0, 1)[0]!.bytes_done;
    expect(savedBytes).toBeGreaterThanOrEqual(2 * MiB);
    const before = (await engine.services.logs.readEvents(id, 0, 100_000)).at(-1)?.seq ?? 0;
    // The runner names its stage right after publishing the progress it starts from.
    const uploading = new Promise<JobEvent>((resolve, reject) => {
      const stop = engine.streams['job.events'](
        { id, since: before },
        (batch) => {
          const stage = batch.events.find((e) => e.type === 'stage_started' && e.payload?.stage === 'uploading');
          if (stage) {
            stop();
            resolve(stage);
          }
        },
        reject,
      );
      cleanups.push(stop);
    });
    engine.start();
    await uploading;
    const view: JobView = engine.services.jobs.view(id);
    expect(view.state).toBe('running');
    expect(view.done).toBe(savedBytes);
    await dispatchCommand(engine, 'pauseJob', { id });
  });
});
