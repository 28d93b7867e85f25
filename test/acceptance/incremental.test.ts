import { mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { UploadPlan } from '../../shared/contract';
import { makeTmpDir, type TmpDir } from '../helpers/tmpDir';
import { KiB, makeDataset, MiB, SEED, seededBytes, sha256, type SourceDataset } from './support/dataset';
import { addDestination, compareLanded, storedContents, type Destination, type Kind } from './support/destinations';
import { CallError, Instance } from './support/instance';

/**
 * Issue 17, part 2: a dataset sent again to the same destination sends only what changed, judged
 * by what the destination itself holds (its manifest-sha256.txt, sizes, SHA-256s), so it also
 * works from a fresh data directory. Driven through the built `ferry serve`, its CLI and API, with
 * the fault proxies in front of S3; what landed is read back from the destination's own storage.
 */

const MANIFEST = 'manifest-sha256.txt';
/** Destinations whose dataset can be read back by name. */
const KINDS: Kind[] = ['receiver', 'folder', 's3'];
/** What a send costs beyond the files' bytes: requests, the manifest and dataset.json, a cut request or two. */
const OVERHEAD = 1 * MiB;

/** A manifest's lines as path → SHA-256. */
function manifestOf(bytes: Buffer | null): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of (bytes ?? Buffer.alloc(0)).toString('utf8').split('\n')) {
    const m = /^([0-9a-f]{64}) {2}(.+)$/.exec(line);
    if (m) out.set(m[2]!, m[1]!);
  }
  return out;
}

/** Changes a dataset as a user does between two sends: one file rewritten with the same size, one grown, one added, one removed. */
function changeDataset(source: SourceDataset, seed: number): { changed: string[]; added: string; removed: string } {
  const [sameSize, grown, removed] = ['file-0.bin', 'raw/file-1.tif', 'raw/deep/file-2.h5'];
  const write = (rel: string, bytes: Buffer) => {
    mkdirSync(dirname(join(source.dir, rel)), { recursive: true });
    writeFileSync(join(source.dir, rel), bytes);
    source.files.set(rel, sha256(bytes));
  };
  const size = statSync(join(source.dir, sameSize)).size;
  write(sameSize, seededBytes(size, seed + 1));
  write(grown, seededBytes(statSync(join(source.dir, grown)).size + 4 * KiB + 1, seed + 2));
  const added = 'raw/new-file.dat';
  write(added, seededBytes(2 * MiB + 17, seed + 3));
  rmSync(join(source.dir, removed));
  source.files.delete(removed);
  return { changed: [sameSize, grown], added, removed };
}

describe('incremental re-send', () => {
  let tmp: TmpDir;
  const cleanups: Array<() => Promise<unknown>> = [];
  const fresh = async (name = 'data') => {
    const instance = new Instance(join(tmp.dir, name), []);
    cleanups.push(() => instance.stop());
    await instance.start();
    return instance;
  };
  const destination = async (instance: Instance, kind: Kind) => {
    const dest = await addDestination(instance, kind, tmp.dir);
    cleanups.push(() => dest.close());
    return dest;
  };
  const begin = () => {
    tmp = makeTmpDir('ferry-acc-incremental');
    cleanups.push(() => tmp.cleanup());
  };
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  const planOf = async (instance: Instance, args: string[]): Promise<UploadPlan> => {
    const run = await instance.cli(['upload', ...args, '--plan', '--json']);
    expect(run.code, run.stderr).toBe(0);
    return JSON.parse(run.stdout) as UploadPlan;
  };
  const destArgs = (dest: Destination) => (dest.id ? ['--to', dest.id] : []);

  for (const kind of KINDS) {
    it(`${kind}: after changing, adding and removing files only those are sent; --delete-removed deletes the gone one`, async () => {
      begin();
      const instance = await fresh();
      const dest = await destination(instance, kind);
      const source = makeDataset(join(tmp.dir, 'src'), 'incr', [3 * MiB + 5, 40 * KiB, 1 * MiB + 7, 20 * KiB, 6 * MiB + 1, 5 * KiB], SEED + 171);
      const first = await instance.call('createUpload', { paths: [source.dir], name: 'incr', ...(dest.id ? { destinationId: dest.id } : {}) });
      expect((await instance.waitForJob(first.id)).state).toBe('completed');
      expect(compareLanded(source.files, await dest.landed('incr'))).toEqual([]);
      const oldManifest = storedContents(dest, 'incr', MANIFEST);

      const unchanged = ['raw/file-4.tif', 'file-3.bin', 'raw/deep/file-5.h5'];
      const before = new Map(unchanged.map((rel) => [rel, statSync(dest.storedFile('incr', rel) ?? '/nonexistent', { throwIfNoEntry: false })]));
      const { changed, added, removed } = changeDataset(source, SEED + 172);

      const plan = await planOf(instance, [source.dir, '--name', 'incr', ...destArgs(dest)]);
      expect(plan).toMatchObject({ readable: true, found: true, counts: { new: 1, changed: 2, unchanged: 3, removed: 1 } });
      const sizeOf = (rel: string) => statSync(join(source.dir, rel)).size;
      expect(plan.bytesToSend).toBe([...changed, added].reduce((n, rel) => n + sizeOf(rel), 0));
      expect(plan.files.filter((f) => f.change === 'changed').map((f) => f.path).sort()).toEqual([...changed].sort());
      expect(plan.files.find((f) => f.change === 'removed')?.path).toBe(removed);
      // The plan sends nothing: the destination still holds the first send.
      expect(storedContents(dest, 'incr', MANIFEST)).toEqual(oldManifest);

      const upBefore = dest.tcp?.stats().bytesUp ?? 0;
      // S3 through the fault proxies: the manifest read and a size look-up each fail twice in a row
      // (faults while files are sent are faults.test.ts's; here they would blur the bytes counted).
      dest.http?.setFaults([
        { match: (r) => r.method === 'GET' && r.url.includes(`/incr/${MANIFEST}`), times: 2, action: { status: 503 } },
        { match: (r) => r.method === 'HEAD' && r.url.includes('/incr/file-3.bin'), times: 2, action: { status: 500 } },
      ]);
      const run = await instance.cli(['upload', source.dir, '--name', 'incr', ...destArgs(dest), '--incremental', '--delete-removed', '--wait', '--json']);
      expect(run.code, run.stderr).toBe(0);
      const job = JSON.parse(run.stdout.slice(0, run.stdout.indexOf('\n}') + 2)) as { id: number };
      if (dest.http) expect([...dest.http.fired().values()].reduce((a, b) => a + b, 0), 'faults fired').toBe(4);
      dest.http?.setFaults([]);
      // Every end: the destination holds exactly the source, and its manifest lists exactly it.
      expect(compareLanded(source.files, await dest.landed('incr'))).toEqual([]);
      expect(storedContents(dest, 'incr', removed), 'the removed file is deleted at the destination').toBeNull();
      expect(manifestOf(storedContents(dest, 'incr', MANIFEST))).toEqual(source.files);
      const described = JSON.parse(storedContents(dest, 'incr', 'dataset.json')!.toString('utf8')) as { files: number; manifest: { sha256: string } };
      expect(described.files).toBe(source.files.size);
      expect(described.manifest.sha256).toBe(sha256(storedContents(dest, 'incr', MANIFEST)!));
      // Unchanged files were not sent again: not rewritten at the destination, and not on the wire.
      const log = await instance.call('readLog', { id: job.id, maxBytes: 4 * 1024 * 1024 });
      if (dest.tcp) {
        const sent = dest.tcp.stats().bytesUp - upBefore;
        expect(sent, 'bytes sent to S3').toBeGreaterThanOrEqual(plan.bytesToSend);
        // Requests, the manifest and dataset.json cost far less than the 6 MiB of unchanged files.
        expect(sent, `bytes sent to S3; the log:\n${log.text}`).toBeLessThan(plan.bytesToSend + OVERHEAD);
      } else {
        for (const rel of unchanged) expect(statSync(dest.storedFile('incr', rel)!).ino, `${rel} left in place`).toBe(before.get(rel)!.ino);
      }
      for (const rel of unchanged) expect(log.text).toContain(`SKIP  ${rel}: unchanged`);
      expect(log.text).toContain(`DELETED ${removed}`);
      const items = await instance.call('listJobItems', { id: job.id, limit: 100 });
      expect(items.items.filter((i) => i.verified === 'unchanged').map((i) => i.relativePath).sort()).toEqual([...unchanged].sort());
    });
  }

  for (const kind of ['folder', 's3'] as const) {
    it(`${kind}: from a fresh data directory against the same destination, the destination's own manifest decides`, async () => {
      begin();
      const first = await fresh('data-a');
      const dest = await destination(first, kind);
      const source = makeDataset(join(tmp.dir, 'src'), 'moved', [2 * MiB + 3, 30 * KiB, 1 * MiB + 9, 5 * MiB + 12], SEED + 173);
      const job = await first.call('createUpload', { paths: [source.dir], name: 'moved', destinationId: dest.id! });
      expect((await first.waitForJob(job.id)).state).toBe('completed');
      await first.stop();

      // Another computer, or the database lost: nothing of the first send is known here.
      const second = await fresh('data-b');
      const again = await sameDestination(second, dest, tmp.dir);
      const { changed, added } = changeDataset(source, SEED + 174);
      const plan = await planOf(second, [source.dir, '--name', 'moved', '--to', again]);
      expect(plan.counts).toEqual({ new: 1, changed: 2, unchanged: 1, removed: 1 });
      expect(plan.files.filter((f) => f.change !== 'unchanged' && f.change !== 'removed').map((f) => f.path).sort()).toEqual([...changed, added].sort());
      const upBefore = dest.tcp?.stats().bytesUp ?? 0;
      const created = await second.call('createUpload', { paths: [source.dir], name: 'moved', destinationId: again, incremental: true });
      expect((await second.waitForJob(created.id)).state).toBe('completed');
      // Without --delete-removed the gone file stays at the destination, out of the new manifest.
      const landed = await dest.landed('moved');
      expect(landed.has('raw/deep/file-2.h5'), 'the removed file is kept').toBe(true);
      landed.delete('raw/deep/file-2.h5');
      expect(compareLanded(source.files, landed)).toEqual([]);
      expect(manifestOf(storedContents(dest, 'moved', MANIFEST))).toEqual(source.files);
      expect(plan.bytesUnchanged).toBeGreaterThan(OVERHEAD * 4);
      if (dest.tcp) expect(dest.tcp.stats().bytesUp - upBefore, 'bytes sent to S3').toBeLessThan(plan.bytesToSend + OVERHEAD);
    });
  }

  for (const kind of KINDS) {
    it(`${kind}: a kill -9 before the new manifest is in place leaves the old one valid; after the restart the new one replaces it`, async () => {
      begin();
      const instance = await fresh();
      const dest = await destination(instance, kind);
      // Many small files make a manifest that takes a while to send under a bandwidth limit.
      const dir = join(tmp.dir, 'src', 'swap');
      const files = new Map<string, string>();
      for (let i = 0; i < 1000; i++) {
        const rel = `f/${String(i).padStart(5, '0')}-a-rather-long-file-name-for-a-longer-manifest-line.dat`;
        const bytes = seededBytes(64, SEED * 7 + i);
        mkdirSync(dirname(join(dir, rel)), { recursive: true });
        writeFileSync(join(dir, rel), bytes);
        files.set(rel, sha256(bytes));
      }
      const first = await instance.call('createUpload', { paths: [dir], name: 'swap', ...(dest.id ? { destinationId: dest.id } : {}) });
      expect((await instance.waitForJob(first.id, undefined, 300_000)).state).toBe('completed');
      const oldManifest = storedContents(dest, 'swap', MANIFEST)!;
      expect(manifestOf(oldManifest)).toEqual(files);

      const added = seededBytes(100, SEED + 175);
      writeFileSync(join(dir, 'added.dat'), added);
      await instance.call('updateSettings', { bandwidthLimit: 8 * KiB });
      const job = await instance.call('createUpload', { paths: [dir], name: 'swap', incremental: true, ...(dest.id ? { destinationId: dest.id } : {}) });
      await instance.waitForJob(job.id, (j) => j.stage === 'manifest', 120_000);
      await instance.kill9();
      // The destination's manifest is the old one, whole, and every file it lists is intact.
      const held = storedContents(dest, 'swap', MANIFEST);
      expect(held, 'the old manifest is still there after the kill').toEqual(oldManifest);
      for (const [rel, sum] of manifestOf(held)) expect(sha256(storedContents(dest, 'swap', rel) ?? Buffer.alloc(0)), rel).toBe(sum);

      await instance.start();
      await instance.call('updateSettings', { bandwidthLimit: 0 });
      expect((await instance.waitForJob(job.id)).state).toBe('completed');
      files.set('added.dat', sha256(added));
      expect(manifestOf(storedContents(dest, 'swap', MANIFEST))).toEqual(files);
      expect(compareLanded(files, await dest.landed('swap'))).toEqual([]);
    }, 300_000);
  }

  it('tus: the plan says a tus server cannot be read back, and an incremental upload sends every file', async () => {
    begin();
    const instance = await fresh();
    const dest = await destination(instance, 'tus');
    const source = makeDataset(join(tmp.dir, 'src'), 'tus-incr', [1 * MiB + 1, 3 * KiB], SEED + 176);
    const plan = await planOf(instance, [source.dir, '--to', dest.id!]);
    expect(plan).toMatchObject({ readable: false, counts: { new: 2, changed: 0, unchanged: 0, removed: 0 } });
    expect(plan.why).toMatch(/tus server/);
    const job = await instance.call('createUpload', { paths: [source.dir], destinationId: dest.id!, incremental: true });
    expect((await instance.waitForJob(job.id)).state).toBe('completed');
    expect(compareLanded(source.files, await dest.landed('tus-incr'))).toEqual([]);
  });

  it('bad input: delete-removed or rehash without incremental, a missing path, a dataset name with a slash', async () => {
    begin();
    const instance = await fresh();
    const source = makeDataset(join(tmp.dir, 'src'), 'bad', [1 * KiB], SEED + 177);
    const code = (p: Promise<unknown>) => p.then(() => 'accepted', (err: unknown) => (err instanceof CallError ? err.code : String(err)));
    expect(await code(instance.call('createUpload', { paths: [source.dir], deleteRemoved: true }))).toBe('INVALID_INPUT');
    expect(await code(instance.call('createUpload', { paths: [source.dir], rehash: true }))).toBe('INVALID_INPUT');
    expect(await code(instance.call('planUpload', { paths: [join(tmp.dir, 'missing')] }))).toBe('INVALID_INPUT');
    expect(await code(instance.call('planUpload', { paths: [source.dir], name: '../escape' }))).toBe('INVALID_INPUT');
    expect(await code(instance.call('planUpload', { paths: [source.dir], destinationId: 'no-such-destination' }))).toBe('NOT_FOUND');
    const cli = await instance.cli(['upload', source.dir, '--delete-removed']);
    expect(cli.code).toBe(2);
    expect(cli.stderr).toMatch(/--delete-removed goes with --incremental/);
    expect((await instance.jobs()).length, 'nothing was queued').toBe(0);
  });
});

/** The same destination saved again in another data directory (another computer): the same folder, or the same S3 bucket behind the same proxies. */
async function sameDestination(instance: Instance, dest: Destination, root: string): Promise<string> {
  if (dest.kind === 'folder') return (await instance.call('saveDestination', { name: 'folder', kind: 'folder', config: { path: join(root, 'folder-destination') } })).id;
  const saved = await instance.call('saveDestination', {
    name: 's3rver',
    kind: 's3',
    config: { endpoint: `http://127.0.0.1:${dest.tcp!.port}`, bucket: dest.s3!.bucket, accessKeyId: 'S3RVER', forcePathStyle: true, partSizeMiB: 5, parallelParts: 4 },
    secret: { secretAccessKey: 'S3RVER' },
  });
  return saved.id;
}
