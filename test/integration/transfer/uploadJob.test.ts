import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { dispatchCommand } from '../../../main/engine/api/dispatch';
import { waitForJob } from '../../helpers/engineFixture';
import { makeDataset, sha256Of, startFerryServices } from '../../helpers/servicesFixture';

describe('upload jobs to the built-in receiver', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  it('uploads a folder as one dataset: every file lands byte-identical, with a manifest last', async () => {
    const ferry = await startFerryServices();
    cleanups.push(ferry.dispose);
    const src = makeDataset({ 'a.bin': 0, 'b.bin': 1, 'sub/c.bin': 3 * 1024 * 1024 + 7, 'sub/deeper/ünï code & space.txt': 4096 });
    cleanups.push(() => rmSync(src, { recursive: true, force: true }));
    const res = await dispatchCommand(ferry.engine, 'createUpload', { paths: [src], metadata: { sensorType: 'TIFF', team: 'lab' } });
    expect(res.ok).toBe(true);
    const job = (res as { value: { id: number } }).value;
    const done = await waitForJob(ferry.engine, job.id, (j) => j.state === 'completed' || j.state === 'failed', 30_000);
    expect(done).toMatchObject({ state: 'completed', result: 'success', unit: 'bytes' });
    expect(done.done).toBe(done.total);
    const dataset = basename(src);
    const landed = join(ferry.dataDir, 'received', dataset);
    for (const rel of ['a.bin', 'b.bin', 'sub/c.bin', 'sub/deeper/ünï code & space.txt']) {
      expect(sha256Of(join(landed, rel))).toBe(sha256Of(join(src, rel)));
    }
    const manifest = readFileSync(join(landed, 'manifest-sha256.txt'), 'utf8').trim().split('\n');
    expect(manifest).toHaveLength(4);
    expect(manifest).toContain(`${sha256Of(join(src, 'sub/c.bin'))}  sub/c.bin`);
    const items = await dispatchCommand(ferry.engine, 'listJobItems', { id: job.id });
    expect(items).toMatchObject({ ok: true, value: { total: 4 } });
    const log = readFileSync(ferry.engine.services.logs.paths(job.id).log, 'utf8');
    expect(log).toMatch(/OK {4}sub\/c\.bin/);
    expect(log).toContain('"result": "success"');
  });

  it('with a base folder, files picked from deep inside keep their place below it', async () => {
    const ferry = await startFerryServices();
    cleanups.push(ferry.dispose);
    const src = makeDataset({ 'run/a/x.tif': 10, 'run/b/c/y.tif': 20, 'other.txt': 5 });
    cleanups.push(() => rmSync(src, { recursive: true, force: true }));
    const picked = [join(src, 'run/a/x.tif'), join(src, 'run/b/c/y.tif')];
    const res = await dispatchCommand(ferry.engine, 'createUpload', { paths: picked, base: src, name: 'deep' });
    const job = (res as { value: { id: number } }).value;
    await waitForJob(ferry.engine, job.id, (j) => j.state === 'completed', 30_000);
    for (const rel of ['run/a/x.tif', 'run/b/c/y.tif']) expect(sha256Of(join(ferry.dataDir, 'received', 'deep', rel))).toBe(sha256Of(join(src, rel)));
    expect(existsSync(join(ferry.dataDir, 'received', 'deep', 'x.tif'))).toBe(false);
    // A path outside the base is refused before anything runs.
    expect(await dispatchCommand(ferry.engine, 'createUpload', { paths: [join(src, 'other.txt')], base: join(src, 'run') })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_INPUT' },
    });
  });

  it('does not follow symlinks by default and says so in the log', async () => {
    const ferry = await startFerryServices();
    cleanups.push(ferry.dispose);
    const src = makeDataset({ 'real.bin': 100 });
    symlinkSync(join(src, 'real.bin'), join(src, 'link.bin'));
    mkdirSync(join(src, 'loop'));
    symlinkSync(src, join(src, 'loop', 'back'));
    cleanups.push(() => rmSync(src, { recursive: true, force: true }));
    const preview = await dispatchCommand(ferry.engine, 'previewUpload', { paths: [src] });
    expect(preview).toMatchObject({ ok: true, value: { files: 1, bytes: 100 } });
    const job = (await dispatchCommand(ferry.engine, 'createUpload', { paths: [src] }) as { value: { id: number } }).value;
    const done = await waitForJob(ferry.engine, job.id, (j) => j.state === 'completed' || j.state === 'failed', 30_000);
    expect(done, readFileSync(ferry.engine.services.logs.paths(job.id).log, 'utf8')).toMatchObject({ state: 'completed', counts: { processed: 1 } });
    expect(readFileSync(ferry.engine.services.logs.paths(job.id).log, 'utf8')).toMatch(/SKIP .*link\.bin: symbolic link/);
  });

  it('fails only the item whose file vanished, and finishes the rest as partial', async () => {
    const ferry = await startFerryServices();
    cleanups.push(ferry.dispose);
    const src = makeDataset({ 'keep.bin': 2048, 'gone.bin': 2048 });
    cleanups.push(() => rmSync(src, { recursive: true, force: true }));
    ferry.engine.services.jobs.limits.concurrency = 0;
    const job = (await dispatchCommand(ferry.engine, 'createUpload', { paths: [src] }) as { value: { id: number } }).value;
    // Scan first (concurrency back to 1), then pull the file away before it is read.
    ferry.engine.services.jobs.limits.concurrency = 1;
    const orig = ferry.engine.services.items.insertBatch.bind(ferry.engine.services.items);
    ferry.engine.services.items.insertBatch = (id, firstSeq, items) => {
      orig(id, firstSeq, items);
      rmSync(join(src, 'gone.bin'));
    };
    ferry.engine.services.jobs.pump();
    const done = await waitForJob(ferry.engine, job.id, (j) => j.state === 'completed' || j.state === 'failed', 30_000);
    expect(done, readFileSync(ferry.engine.services.logs.paths(job.id).log, 'utf8')).toMatchObject({ state: 'completed', result: 'partial', counts: { processed: 1, failed: 1 } });
    expect(readFileSync(ferry.engine.services.logs.paths(job.id).log, 'utf8')).toMatch(/FAIL {2}gone\.bin: .*vanished|FAIL {2}gone\.bin: .*no such file/);
  });

  it('a scan a crash cut short is started over: the files it had listed are not taken as the dataset', async () => {
    const ferry = await startFerryServices();
    cleanups.push(ferry.dispose);
    const src = makeDataset({ 'a.bin': 100, 'sub/b.bin': 200 });
    cleanups.push(() => rmSync(src, { recursive: true, force: true }));
    ferry.engine.services.jobs.limits.concurrency = 0;
    const job = (await dispatchCommand(ferry.engine, 'createUpload', { paths: [src], name: 'cut' }) as { value: { id: number } }).value;
    // As a kill -9 leaves it: the first batch of a scan written, the scan marked as under way.
    ferry.engine.services.items.insertBatch(job.id, 0, [{ path: join(src, 'a.bin'), relativePath: 'a.bin', size: 100, mtimeMs: 0 }]);
    ferry.engine.services.repo.update(job.id, { resume_state: JSON.stringify({ scanning: true }) });
    ferry.engine.services.jobs.limits.concurrency = 1;
    ferry.engine.services.jobs.pump();
    const done = await waitForJob(ferry.engine, job.id, (j) => j.state === 'completed' || j.state === 'failed', 30_000);
    const log = readFileSync(ferry.engine.services.logs.paths(job.id).log, 'utf8');
    expect(done, log).toMatchObject({ state: 'completed', result: 'success', counts: { processed: 2, failed: 0 } });
    expect(log).toContain('The scan was cut short: starting it over');
    expect(ferry.engine.services.items.page(job.id, 0, 10).map((i) => i.relative_path)).toEqual(['a.bin', 'sub/b.bin']);
    expect(existsSync(join(ferry.dataDir, 'received', 'cut', 'sub', 'b.bin'))).toBe(true);
  });

  it('a name the receiver refuses (a line break, a tab) fails that file alone; the rest land; a folder destination takes it', async () => {
    const ferry = await startFerryServices();
    cleanups.push(ferry.dispose);
    const src = makeDataset({ 'ok.txt': 10, 'line\nbreak.txt': 10, 'sub/big\ttab.bin': 2 * 1024 * 1024 });
    cleanups.push(() => rmSync(src, { recursive: true, force: true }));
    const job = (await dispatchCommand(ferry.engine, 'createUpload', { paths: [src], name: 'odd' }) as { value: { id: number } }).value;
    const done = await waitForJob(ferry.engine, job.id, (j) => j.state === 'completed' || j.state === 'failed', 30_000);
    const log = readFileSync(ferry.engine.services.logs.paths(job.id).log, 'utf8');
    expect(done, log).toMatchObject({ state: 'completed', result: 'partial', counts: { processed: 1, failed: 2 } });
    // Names are shown on one log line, the line break escaped.
    expect(log).toMatch(/FAIL {2}line\\nbreak\.txt: This computer \(built-in receiver\) cannot store a file under this name: contains a control character/);
    expect(log).toMatch(/FAIL {2}sub\/big\\ttab\.bin: .*control character/);
    expect(sha256Of(join(ferry.dataDir, 'received', 'odd', 'ok.txt'))).toBe(sha256Of(join(src, 'ok.txt')));

    const dest = makeDataset({});
    cleanups.push(() => rmSync(dest, { recursive: true, force: true }));
    const saved = (await dispatchCommand(ferry.engine, 'saveDestination', { name: 'Share', kind: 'folder', config: { path: dest } })) as { value: { id: string } };
    const toFolder = (await dispatchCommand(ferry.engine, 'createUpload', { paths: [src], name: 'odd', destinationId: saved.value.id }) as { value: { id: number } }).value;
    expect(await waitForJob(ferry.engine, toFolder.id, (j) => j.state === 'completed' || j.state === 'failed', 30_000)).toMatchObject({ result: 'success' });
    expect(sha256Of(join(dest, 'odd', 'line\nbreak.txt'))).toBe(sha256Of(join(src, 'line\nbreak.txt')));
    expect(sha256Of(join(dest, 'odd', 'sub', 'big\ttab.bin'))).toBe(sha256Of(join(src, 'sub', 'big\ttab.bin')));
    // The manifest escapes the name as sha256sum does, so `sha256sum -c` checks the dataset.
    const check = spawnSync('sha256sum', ['-c', 'manifest-sha256.txt'], { cwd: join(dest, 'odd'), encoding: 'utf8' });
    expect(check.status, check.stdout + check.stderr).toBe(0);
    expect(check.stdout).toContain('ok.txt: OK');
  });

  it('says which file it is sending now while it runs, and nothing once done', async () => {
    const ferry = await startFerryServices();
    cleanups.push(ferry.dispose);
    const src = makeDataset({ 'first/slow.bin': 2 * 1024 * 1024 });
    cleanups.push(() => rmSync(src, { recursive: true, force: true }));
    expect(await dispatchCommand(ferry.engine, 'updateSettings', { bandwidthLimit: 2_000_000 })).toMatchObject({ ok: true });
    const job = (await dispatchCommand(ferry.engine, 'createUpload', { paths: [src] }) as { value: { id: number } }).value;
    const running = await waitForJob(ferry.engine, job.id, (j) => j.state === 'running' && j.current != null, 10_000);
    expect(running.current).toBe('first/slow.bin');
    const done = await waitForJob(ferry.engine, job.id, (j) => j.state === 'completed' || j.state === 'failed', 30_000);
    expect(done).toMatchObject({ state: 'completed', current: null });
  });

  it('answers typed errors for bad paths and unknown destinations', async () => {
    const ferry = await startFerryServices();
    cleanups.push(ferry.dispose);
    expect(await dispatchCommand(ferry.engine, 'createUpload', { paths: ['relative/path'] })).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    expect(await dispatchCommand(ferry.engine, 'createUpload', { paths: [] })).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    // A dataset name no destination could store is refused before a job exists.
    expect(await dispatchCommand(ferry.engine, 'createUpload', { paths: ['/tmp'], name: 'run\n7' })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_INPUT', message: expect.stringMatching(/dataset name "run\\n7" contains a control character/) },
    });
    expect(await dispatchCommand(ferry.engine, 'listJobs', {})).toMatchObject({ ok: true, value: { total: 0 } });
    expect(await dispatchCommand(ferry.engine, 'createUpload', { paths: ['/tmp'], destinationId: 'nope' })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(await dispatchCommand(ferry.engine, 'previewUpload', { paths: ['/definitely/not/here'] })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    const file = join(ferry.dataDir, 'x.txt');
    writeFileSync(file, 'x');
    expect(existsSync(file)).toBe(true);
  });
});
