import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { dispatchCommand } from '../../../main/engine/api/dispatch';
import type { Engine } from '../../../main/engine/engine';
import { startReceiver } from '../../../main/receiver/receiver';
import type { JobView } from '../../../shared/model';
import { startEngine, waitForJob } from '../../helpers/engineFixture';
import { startFaultProxy } from '../../helpers/faultProxy';
import { makeDataset, sha256Of } from '../../helpers/servicesFixture';
import { makeTmpDir } from '../../helpers/tmpDir';
import { canMountTmpfs, tryMount, unmount } from '../../helpers/tmpfs';

/**
 * Small files go to the built-in receiver and to folders in batches (hundreds per request or per
 * durability point). What a user relies on is unchanged: every file lands whole and once, a cut
 * or paused batch is sent again without duplicates, and the job's items say what happened.
 */

const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };

/** `{ 'f0000.bin': size, … }` for `count` files spread over a few subfolders. */
function manySmall(count: number, size: (i: number) => number): Record<string, number> {
  const files: Record<string, number> = {};
  for (let i = 0; i < count; i++) files[`part-${i % 4}/f${String(i).padStart(4, '0')}.bin`] = size(i);
  return files;
}

/** Every regular file under `root`, as '/'-separated relative paths. */
function tree(root: string): string[] {
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(root.length + 1).split('\\').join('/'))
    .sort();
}

function expectSameFiles(src: string, landed: string, files: Record<string, number>): void {
  const expected = [...Object.keys(files), 'dataset.json', 'manifest-sha256.txt'].sort();
  expect(tree(landed)).toEqual(expected);
  for (const rel of Object.keys(files)) expect(sha256Of(join(landed, rel)), rel).toBe(sha256Of(join(src, rel)));
}

async function upload(engine: Engine, body: Record<string, unknown>): Promise<number> {
  const res = await dispatchCommand(engine, 'createUpload', body);
  if (!res.ok) throw new Error(JSON.stringify(res.error));
  return (res.value as JobView).id;
}

const finished = (j: JobView) => j.state === 'completed' || j.state === 'failed' || j.state === 'canceled';
const logOf = (engine: Engine, id: number) => readFileSync(engine.services.logs.paths(id).log, 'utf8');

describe('small files in batches', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  /** A receiver behind a fault-injecting proxy, and an engine whose built-in destination is the proxy. */
  async function receiverBehindProxy() {
    const storage = makeTmpDir('ferry-batch-storage-');
    cleanups.push(storage.cleanup);
    const receiver = await startReceiver({ storageDir: storage.dir, logger: silent });
    cleanups.push(() => receiver.close());
    const proxy = await startFaultProxy({ target: { host: '127.0.0.1', port: receiver.port }, seed: 7 });
    cleanups.push(() => proxy.close());
    const ferry = startEngine({ receiverUrl: proxy.url('/files/') });
    cleanups.push(ferry.dispose);
    return { storage: storage.dir, proxy, engine: ferry.engine };
  }

  function dataset(files: Record<string, number>): string {
    const src = makeDataset(files);
    cleanups.push(() => rmSync(src, { recursive: true, force: true }));
    return src;
  }

  it('sends 1 500 small files and a large one to the receiver in a few requests, each verified by SHA-256', async () => {
    const { storage, proxy, engine } = await receiverBehindProxy();
    const files = { ...manySmall(1500, (i) => (i * 37) % 3000), 'big.bin': 3 * 1024 * 1024 + 5 };
    const src = dataset(files);
    const id = await upload(engine, { paths: [src], name: 'many' });
    const done = await waitForJob(engine, id, finished, 60_000);
    expect(done, logOf(engine, id)).toMatchObject({ state: 'completed', result: 'success', counts: { processed: 1501, failed: 0 } });
    expectSameFiles(src, join(storage, 'many'), files);
    // Batches, not one exchange per file: far fewer connections than files.
    expect(proxy.stats().connections).toBeLessThan(50);
    const items = await dispatchCommand(engine, 'listJobItems', { id, limit: 500 });
    expect(items).toMatchObject({ ok: true, value: { total: 1501 } });
    const rows = (items as { value: { items: { relativePath: string; verified: string; state: string }[] } }).value.items;
    expect(rows.every((r) => r.state === 'done' && r.verified === 'checksum')).toBe(true);
  });

  it('connections reset at random offsets: cut batches are sent again, every file lands once and whole', async () => {
    const { storage, proxy, engine } = await receiverBehindProxy();
    const files = manySmall(800, (i) => 512 + (i % 700));
    const src = dataset(files);
    proxy.setFaults({ resetProbability: 0.15 });
    const id = await upload(engine, { paths: [src], name: 'cut' });
    const done = await waitForJob(engine, id, finished, 90_000);
    proxy.setFaults({});
    expect(done, logOf(engine, id)).toMatchObject({ state: 'completed', result: 'success' });
    expect(proxy.stats().resets).toBeGreaterThan(0);
    expect(logOf(engine, id)).toMatch(/retry a batch of small files/);
    // A batch the receiver filed before its answer was cut is sent again: duplicates are dropped,
    // so the tree holds each file once, with no " (1)" copies.
    expectSameFiles(src, join(storage, 'cut'), files);
  });

  it('pausing abandons the batches in flight; resuming sends the rest and nothing twice', async () => {
    const { storage, engine } = await receiverBehindProxy();
    const files = manySmall(3000, () => 2048);
    const src = dataset(files);
    const id = await upload(engine, { paths: [src], name: 'paused' });
    await waitForJob(engine, id, (j) => j.state === 'running' && (j.counts?.processed ?? 0) > 0, 30_000);
    expect(await dispatchCommand(engine, 'pauseJob', { id })).toMatchObject({ ok: true });
    const paused = await waitForJob(engine, id, (j) => j.state === 'paused', 10_000);
    const processedAtPause = paused.counts?.processed ?? 0;
    expect(processedAtPause).toBeLessThan(3000);
    await new Promise((r) => setTimeout(r, 300));
    expect(engine.services.jobs.view(id).counts?.processed).toBe(processedAtPause);
    expect(await dispatchCommand(engine, 'resumeJob', { id })).toMatchObject({ ok: true });
    const done = await waitForJob(engine, id, finished, 60_000);
    expect(done, logOf(engine, id)).toMatchObject({ state: 'completed', result: 'success', counts: { processed: 3000 } });
    expectSameFiles(src, join(storage, 'paused'), files);
    // Each file is reported once in the log, however many times its batch went out.
    expect(logOf(engine, id).match(/^.*OK {4}part-\d\/f\d{4}\.bin/gm)).toHaveLength(3000);
  });

  it('a small file that grew past the batch limit before it was read goes on its own, whole', async () => {
    const { storage, engine } = await receiverBehindProxy();
    const files = manySmall(50, () => 100);
    const src = dataset(files);
    const grown = Buffer.alloc(2 * 1024 * 1024 + 3, 9);
    engine.services.jobs.limits.concurrency = 0;
    const id = await upload(engine, { paths: [src], name: 'grew' });
    const insertBatch = engine.services.items.insertBatch.bind(engine.services.items);
    engine.services.items.insertBatch = (jobId, firstSeq, items) => {
      insertBatch(jobId, firstSeq, items);
      writeFileSync(join(src, 'part-1/f0001.bin'), grown);
    };
    engine.services.jobs.limits.concurrency = 1;
    engine.services.jobs.pump();
    const done = await waitForJob(engine, id, finished, 30_000);
    expect(done, logOf(engine, id)).toMatchObject({ state: 'completed', result: 'success', counts: { processed: 50 } });
    expect(sha256Of(join(storage, 'grew', 'part-1/f0001.bin'))).toBe(sha256Of(join(src, 'part-1/f0001.bin')));
    expect(readFileSync(join(src, 'part-1/f0001.bin')).length).toBe(grown.length);
  });

  describe('to a folder', () => {
    async function folderEngine() {
      const dest = makeTmpDir('ferry-batch-folder-');
      cleanups.push(dest.cleanup);
      const ferry = startEngine();
      cleanups.push(ferry.dispose);
      const saved = await dispatchCommand(ferry.engine, 'saveDestination', { name: 'Share', kind: 'folder', config: { path: dest.dir } });
      if (!saved.ok) throw new Error(JSON.stringify(saved.error));
      return { root: dest.dir, engine: ferry.engine, destinationId: (saved.value as { id: string }).id };
    }

    it('copies thousands of small files with one durability point per batch: all whole, no partials left', async () => {
      const { root, engine, destinationId } = await folderEngine();
      const files = { ...manySmall(2500, (i) => i % 5000), 'big.bin': 9 * 1024 * 1024 };
      const src = dataset(files);
      const id = await upload(engine, { paths: [src], name: 'copy', destinationId });
      const done = await waitForJob(engine, id, finished, 60_000);
      expect(done, logOf(engine, id)).toMatchObject({ state: 'completed', result: 'success', counts: { processed: 2501 } });
      expectSameFiles(src, join(root, 'copy'), files);
      expect(tree(root).filter((p) => p.endsWith('.ferry-part'))).toEqual([]);
      expect(logOf(engine, id)).toMatch(/OK {4}part-0\/f0000\.bin {2}0 B {2}sha256 e3b0c442[0-9a-f]{56} \(local\)/);
    });

    it('files a crashed run already placed (same bytes) count as sent; nothing is duplicated or refused', async () => {
      const { root, engine, destinationId } = await folderEngine();
      const files = manySmall(400, (i) => 100 + i);
      const src = dataset(files);
      // As if the last run renamed a batch into place and died before recording it.
      const placed = Object.keys(files).filter((_, i) => i % 3 === 0);
      for (const rel of placed) {
        mkdirSync(dirname(join(root, 'again', rel)), { recursive: true });
        writeFileSync(join(root, 'again', rel), readFileSync(join(src, rel)));
      }
      const id = await upload(engine, { paths: [src], name: 'again', destinationId });
      const done = await waitForJob(engine, id, finished, 30_000);
      expect(done, logOf(engine, id)).toMatchObject({ state: 'completed', result: 'success', counts: { processed: 400 } });
      expectSameFiles(src, join(root, 'again'), files);
    });

    it('the bandwidth limit holds for batches too', async () => {
      const { root, engine, destinationId } = await folderEngine();
      const files = manySmall(400, () => 5000); // 2 MB
      const src = dataset(files);
      expect(await dispatchCommand(engine, 'updateSettings', { bandwidthLimit: 1_000_000 })).toMatchObject({ ok: true });
      const started = Date.now();
      const id = await upload(engine, { paths: [src], name: 'slow', destinationId });
      const done = await waitForJob(engine, id, finished, 30_000);
      const seconds = (Date.now() - started) / 1000;
      expect(done, logOf(engine, id)).toMatchObject({ state: 'completed', result: 'success' });
      // 2 MB at 1 MB/s, less the bucket's small burst: well over a second, not the ~0.1 s unlimited.
      expect(seconds).toBeGreaterThan(1.6);
      expect(seconds).toBeLessThan(6);
      expectSameFiles(src, join(root, 'slow'), files);
    });

    it.skipIf(!canMountTmpfs)('a full disk fails the attempt saying so, and leaves no partial file behind', async () => {
      const { root, engine, destinationId } = await folderEngine();
      expect(tryMount(root, 1024 * 1024)).toBe(true);
      cleanups.push(() => unmount(root)); // before the folder itself goes
      const files = manySmall(600, () => 4096);
      const src = dataset(files);
      const id = await upload(engine, { paths: [src], name: 'full', destinationId });
      await waitForJob(engine, id, (j) => /Attempt 1 failed/.test(logOf(engine, id)) || finished(j), 30_000);
      expect(logOf(engine, id)).toMatch(/Attempt 1 failed: .*no space left on device/);
      expect(tree(root).filter((p) => p.endsWith('.ferry-part'))).toEqual([]);
      await dispatchCommand(engine, 'cancelJob', { id });
      await waitForJob(engine, id, finished, 10_000);
    });

    it('a file already at the destination stops the job with CONFLICT and leaves no partial behind', async () => {
      const { root, engine, destinationId } = await folderEngine();
      const files = manySmall(300, () => 64);
      const src = dataset(files);
      const taken = join(root, 'clash', 'part-2', 'f0150.bin');
      makeDataset({ 'part-2/f0150.bin': 10 }, join(root, 'clash'));
      const before = readFileSync(taken);
      const id = await upload(engine, { paths: [src], name: 'clash', destinationId });
      const done = await waitForJob(engine, id, finished, 30_000);
      // Not retried: a name taken at the destination needs a person, not another attempt.
      expect(done).toMatchObject({ state: 'failed', attempts: 1 });
      expect(done.error).toMatch(/f0150\.bin already exists/);
      expect(readFileSync(taken)).toEqual(before);
      expect(tree(root).filter((p) => p.endsWith('.ferry-part'))).toEqual([]);
      expect(existsSync(join(root, 'clash', 'manifest-sha256.txt'))).toBe(false);
    });
  });
});
