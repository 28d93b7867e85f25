/**
 * Completed with failures, then put right: "Re-send failed files" sends only the files that
 * failed, to the same place in the same dataset, and the places Ferry shows are where the bytes are.
 */
import { readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { JobItemPage } from '../../../shared/contract';
import type { JobView } from '../../../shared/model';
import { dispatchCommand } from '../../../main/engine/api/dispatch';
import { waitForJob } from '../../helpers/engineFixture';
import { makeDataset, sha256Of, startFerryServices } from '../../helpers/servicesFixture';

type Services = Awaited<ReturnType<typeof startFerryServices>>;

async function call<T>(ferry: Services, name: Parameters<typeof dispatchCommand>[1], input: unknown): Promise<T> {
  const res = await dispatchCommand(ferry.engine, name, input);
  if (!res.ok) throw new Error(`${name}: ${res.error.code} ${res.error.message}`);
  return res.value as T;
}

describe('re-sending the failed files of an upload', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  it('sends only the files that failed to the same dataset; the rest stay as they landed, the manifest covers all', async () => {
    const ferry = await startFerryServices();
    cleanups.push(ferry.dispose);
    const src = makeDataset({ 'keep.bin': 4096, 'sub/moved.bin': 300_000, 'sub/deeper/lost.txt': 1500 });
    cleanups.push(() => rmSync(src, { recursive: true, force: true }));
    const aside = `${src}-aside`;
    cleanups.push(() => rmSync(aside, { recursive: true, force: true }));

    // Two files go missing between the scan and their send (moved away), so they fail for real.
    ferry.engine.services.jobs.limits.concurrency = 0;
    const job = await call<JobView>(ferry, 'createUpload', { paths: [src], name: 'plates' });
    const scanned = ferry.engine.services.items.insertBatch.bind(ferry.engine.services.items);
    ferry.engine.services.items.insertBatch = (id, firstSeq, items) => {
      scanned(id, firstSeq, items);
      renameSync(join(src, 'sub'), aside);
    };
    ferry.engine.services.jobs.limits.concurrency = 1;
    ferry.engine.services.jobs.pump();
    const partial = await waitForJob(ferry.engine, job.id, (j) => j.state === 'completed' || j.state === 'failed', 30_000);
    expect(partial).toMatchObject({ state: 'completed', result: 'partial', counts: { processed: 1, failed: 2 } });
    const landed = join(ferry.dataDir, 'received', 'plates');
    const kept = statSync(join(landed, 'keep.bin'));
    expect(readFileSync(join(landed, 'manifest-sha256.txt'), 'utf8').trim().split('\n')).toHaveLength(1);

    // The failed files are listed with their reasons; the jobs list finds the job as "partial".
    const failed = await call<JobItemPage>(ferry, 'listJobItems', { id: job.id, state: 'failed' });
    expect(failed.items.map((i) => i.relativePath).sort()).toEqual(['sub/deeper/lost.txt', 'sub/moved.bin']);
    for (const item of failed.items) {
      expect(item.error).toMatch(/vanished|no such file/i);
      expect(item.where).toBeNull();
    }
    expect(await call(ferry, 'listJobs', { state: ['partial'] })).toMatchObject({ total: 1, jobs: [{ id: job.id }] });
    expect((await call<{ partial: number }>(ferry, 'getStats', {})).partial).toBe(1);

    // Put the files back, and send the failed ones again.
    renameSync(aside, join(src, 'sub'));
    const again = await call<JobView>(ferry, 'resendFailed', { id: job.id });
    expect(['queued', 'running']).toContain(again.state);
    const done = await waitForJob(ferry.engine, job.id, (j) => j.state === 'completed' || j.state === 'failed', 30_000);
    expect(done, readFileSync(ferry.engine.services.logs.paths(job.id).log, 'utf8')).toMatchObject({ state: 'completed', result: 'success', attempts: 2 });

    for (const rel of ['keep.bin', 'sub/moved.bin', 'sub/deeper/lost.txt']) expect(sha256Of(join(landed, rel))).toBe(sha256Of(join(src, rel)));
    // The file that had landed was not sent again.
    const after = statSync(join(landed, 'keep.bin'));
    expect([after.ino, after.mtimeMs]).toEqual([kept.ino, kept.mtimeMs]);
    expect(readFileSync(ferry.engine.services.logs.paths(job.id).log, 'utf8').match(/OK {4}keep\.bin/g)).toHaveLength(1);
    // One manifest, in place of the first, covering every file; no "manifest-sha256 (1).txt" beside it.
    const manifest = readFileSync(join(landed, 'manifest-sha256.txt'), 'utf8').trim().split('\n');
    expect(manifest.sort()).toEqual(
      ['keep.bin', 'sub/deeper/lost.txt', 'sub/moved.bin'].map((rel) => `${sha256Of(join(src, rel))}  ${rel}`).sort(),
    );
    expect(readdirSync(landed).sort()).toEqual(['dataset.json', 'keep.bin', 'manifest-sha256.txt', 'sub']);
    expect(JSON.parse(readFileSync(join(landed, 'dataset.json'), 'utf8'))).toMatchObject({ files: 3 });

    // Each file's place is where its bytes are; the dataset's place holds them all.
    const page = await call<JobItemPage>(ferry, 'listJobItems', { id: job.id });
    expect(page.place).toMatchObject({ kind: 'receiver', where: landed, local: true });
    for (const item of page.items) expect(sha256Of(item.where!)).toBe(sha256Of(join(src, item.relativePath)));

    expect(await call(ferry, 'listJobs', { state: ['partial'] })).toMatchObject({ total: 0 });
    // Nothing left to send: asked again, it says so and changes nothing.
    expect(await dispatchCommand(ferry.engine, 'resendFailed', { id: job.id })).toMatchObject({ ok: false, error: { code: 'CONFLICT', message: expect.stringMatching(/no file of it failed/) } });
  });

  it('to a folder destination: the failed files land beside the others, the manifest is replaced, and Reveal shows where the bytes are', async () => {
    // The desktop host's file manager is the OS's; here it records what it was asked to show.
    const revealed: string[] = [];
    const ferry = await startFerryServices({ host: { kind: 'desktop', dropPaths: true, reveal: (path) => void revealed.push(path) } });
    cleanups.push(ferry.dispose);
    const src = makeDataset({ 'a.bin': 2000, 'big.bin': 5 * 1024 * 1024, 'b/c.bin': 10 });
    const folder = makeDataset({});
    cleanups.push(() => rmSync(src, { recursive: true, force: true }));
    cleanups.push(() => rmSync(folder, { recursive: true, force: true }));
    const dest = await call<{ id: string }>(ferry, 'saveDestination', { name: 'Lab share', kind: 'folder', config: { path: folder } });

    ferry.engine.services.jobs.limits.concurrency = 0;
    const job = await call<JobView>(ferry, 'createUpload', { paths: [src], name: 'run7', destinationId: dest.id });
    const scanned = ferry.engine.services.items.insertBatch.bind(ferry.engine.services.items);
    ferry.engine.services.items.insertBatch = (id, firstSeq, items) => {
      scanned(id, firstSeq, items);
      renameSync(join(src, 'big.bin'), `${src}-big.bin`);
    };
    ferry.engine.services.jobs.limits.concurrency = 1;
    ferry.engine.services.jobs.pump();
    expect(await waitForJob(ferry.engine, job.id, (j) => j.state === 'completed' || j.state === 'failed', 30_000)).toMatchObject({ result: 'partial', counts: { failed: 1 } });
    const landed = join(folder, 'run7');

    // Reveal: the dataset's folder, and a landed file; not a file that has not landed.
    expect(await call(ferry, 'revealPath', { id: job.id, what: 'destination' })).toEqual({ path: landed });
    const items = await call<JobItemPage>(ferry, 'listJobItems', { id: job.id });
    expect(items.place).toEqual({ kind: 'folder', destination: 'Lab share', where: landed, local: true });
    const small = items.items.find((i) => i.relativePath === 'b/c.bin')!;
    expect(await call(ferry, 'revealPath', { id: job.id, what: 'destination', seq: small.seq })).toEqual({ path: join(landed, 'b', 'c.bin') });
    expect(revealed).toEqual([landed, join(landed, 'b', 'c.bin')]);
    const big = items.items.find((i) => i.relativePath === 'big.bin')!;
    expect(await dispatchCommand(ferry.engine, 'revealPath', { id: job.id, what: 'destination', seq: big.seq })).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', message: expect.stringMatching(/has not landed/) } });

    renameSync(`${src}-big.bin`, join(src, 'big.bin'));
    await call(ferry, 'resendFailed', { id: job.id });
    const done = await waitForJob(ferry.engine, job.id, (j) => j.state === 'completed' || j.state === 'failed', 30_000);
    expect(done, readFileSync(ferry.engine.services.logs.paths(job.id).log, 'utf8')).toMatchObject({ state: 'completed', result: 'success' });
    for (const rel of ['a.bin', 'big.bin', 'b/c.bin']) expect(sha256Of(join(landed, rel))).toBe(sha256Of(join(src, rel)));
    expect(readFileSync(join(landed, 'manifest-sha256.txt'), 'utf8').trim().split('\n')).toHaveLength(3);
    const page = await call<JobItemPage>(ferry, 'listJobItems', { id: job.id });
    for (const item of page.items) expect(sha256Of(item.where!)).toBe(sha256Of(join(src, item.relativePath)));
  });

  it('is refused for a job that is not a completed upload', async () => {
    const ferry = await startFerryServices();
    cleanups.push(ferry.dispose);
    const demo = await call<JobView>(ferry, 'createDemoJob', { items: 2, itemDelayMs: 1, failRate: 0 });
    await waitForJob(ferry.engine, demo.id, (j) => j.state === 'completed');
    expect(await dispatchCommand(ferry.engine, 'resendFailed', { id: demo.id })).toMatchObject({ ok: false, error: { code: 'CONFLICT', message: expect.stringMatching(/only an upload/) } });
    expect(await dispatchCommand(ferry.engine, 'resendFailed', { id: 999_999 })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  });
});
