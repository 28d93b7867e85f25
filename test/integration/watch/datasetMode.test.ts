import { randomBytes } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { waitForJob } from '../../helpers/engineFixture';
import { sha256Of } from '../../helpers/servicesFixture';
import { finished, idle, jobFiles, saveRule, waitForStatus, watchFixture, watching } from './watchFixture';

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('watched folders: dataset mode', () => {
  it('makes one dataset job per new folder once nothing in it changed for the quiet period', async () => {
    const { ferry, engine, src, jobs } = await watchFixture();
    const rule = await saveRule(engine, { name: 'Runs', path: src, mode: 'dataset', datasetQuietMs: 1500, metadata: { nameTemplate: 'run {folder}', team: 'optics' } });
    await waitForStatus(engine, rule.id, watching);
    writeFileSync(join(src, 'loose.bin'), randomBytes(100)); // not in a folder: not a dataset
    for (const run of ['run-a', 'run-b']) {
      mkdirSync(join(src, run, 'sub'), { recursive: true });
      writeFileSync(join(src, run, 'frame-1.raw'), randomBytes(40_000));
    }
    // The acquisition goes on in bursts shorter than the quiet period.
    let lastWrite = 0;
    for (let i = 2; i <= 4; i++) {
      await pause(200);
      for (const run of ['run-a', 'run-b']) writeFileSync(join(src, run, 'sub', `frame-${i}.raw`), randomBytes(10_000 * i));
      lastWrite = Date.now();
    }

    const a = await jobs.next();
    const b = await jobs.next();
    for (const job of [a, b]) {
      expect(job.createdAt).toBeGreaterThanOrEqual(lastWrite + 1500);
      expect(await waitForJob(engine, job.id, finished)).toMatchObject({ state: 'completed', result: 'success' });
    }
    expect([a.name, b.name].sort()).toEqual(['run run-a', 'run run-b']);
    const files = jobFiles(engine, a.id).map((f) => f.relativePath);
    expect(files).toEqual(['frame-1.raw', 'sub/frame-2.raw', 'sub/frame-3.raw', 'sub/frame-4.raw']);
    expect(sha256Of(join(ferry.dataDir, 'received', 'run run-a', 'sub', 'frame-4.raw'))).toBe(sha256Of(join(src, 'run-a', 'sub', 'frame-4.raw')));
    await waitForStatus(engine, rule.id, (s) => idle(s) && s.uploaded === 8);
    expect(jobs.jobs()).toHaveLength(2);
  });

  it('sends a folder at once when its marker file appears, only once, and without the marker', async () => {
    const { engine, src, jobs } = await watchFixture();
    const rule = await saveRule(engine, { name: 'Marked', path: src, mode: 'dataset', datasetQuietMs: 120_000, markerFile: 'acquisition.complete' });
    await waitForStatus(engine, rule.id, watching);
    mkdirSync(join(src, 'scan-7'));
    for (let i = 0; i < 5; i++) writeFileSync(join(src, 'scan-7', `tile-${i}.tif`), randomBytes(5000));
    writeFileSync(join(src, 'scan-7', 'acquisition.complete'), '');

    const job = await jobs.next(10_000);
    expect(job.name).toBe('scan-7');
    await waitForJob(engine, job.id, finished);
    expect(jobFiles(engine, job.id).map((f) => f.relativePath)).toEqual([0, 1, 2, 3, 4].map((i) => `tile-${i}.tif`));
    // Idle means no folder is waiting out its (two-minute) quiet period: nothing else will be sent.
    await waitForStatus(engine, rule.id, (s) => idle(s) && s.uploaded === 5);
    expect(jobs.jobs()).toHaveLength(1);
  });

  it('takes a hidden marker as the signal but neither sends nor records it', async () => {
    const { engine, src, jobs } = await watchFixture();
    const rule = await saveRule(engine, { name: 'Hidden marker', path: src, mode: 'dataset', datasetQuietMs: 120_000, markerFile: '.done' });
    await waitForStatus(engine, rule.id, watching);
    mkdirSync(join(src, 'plate-3'));
    writeFileSync(join(src, 'plate-3', 'well-a1.tif'), randomBytes(3000));
    writeFileSync(join(src, 'plate-3', '.done'), '');

    const job = await jobs.next(10_000);
    await waitForJob(engine, job.id, finished);
    expect(jobFiles(engine, job.id).map((f) => f.relativePath)).toEqual(['well-a1.tif']);
    const status = await waitForStatus(engine, rule.id, (s) => idle(s) && s.uploaded === 1);
    expect(status.failed).toBe(0);
    expect(jobs.jobs()).toHaveLength(1);
  });

  it("applies the rule's own excludes inside a dataset, at any depth, and leaves the marker behind", async () => {
    const { ferry, engine, src, jobs } = await watchFixture();
    // Hidden files are not excluded by this rule: `.meta.json` is data here, `.DS_Store` is not.
    const rule = await saveRule(engine, { name: 'Excluding', path: src, mode: 'dataset', datasetQuietMs: 120_000, markerFile: 'DONE', exclude: ['**/*.tmp', '**/.DS_Store'] });
    await waitForStatus(engine, rule.id, watching);
    mkdirSync(join(src, 'run-9', 'raw'), { recursive: true });
    for (const [rel, size] of [['raw/frame-1.tif', 3000], ['raw/frame-2.tif.tmp', 3000], ['scratch.tmp', 100], ['.DS_Store', 10], ['raw/.DS_Store', 10], ['.meta.json', 50]] as const) {
      writeFileSync(join(src, 'run-9', rel), randomBytes(size));
    }
    writeFileSync(join(src, 'run-9', 'DONE'), '');

    const job = await jobs.next(10_000);
    expect(await waitForJob(engine, job.id, finished)).toMatchObject({ state: 'completed', result: 'success' });
    expect(jobFiles(engine, job.id).map((f) => f.relativePath)).toEqual(['.meta.json', 'raw/frame-1.tif']);
    const received = join(ferry.dataDir, 'received', 'run-9');
    expect(sha256Of(join(received, 'raw', 'frame-1.tif'))).toBe(sha256Of(join(src, 'run-9', 'raw', 'frame-1.tif')));
    for (const rel of ['DONE', 'scratch.tmp', 'raw/frame-2.tif.tmp', '.DS_Store', 'raw/.DS_Store']) expect(existsSync(join(received, rel)), rel).toBe(false);
    await waitForStatus(engine, rule.id, (s) => idle(s) && s.uploaded === 2);
    expect(jobs.jobs()).toHaveLength(1);
  });

  it("applies the rule's excludes to a dataset of more files than one job lists (10 001)", async () => {
    const { ferry, engine, src, jobs } = await watchFixture();
    const rule = await saveRule(engine, { name: 'Huge', path: src, mode: 'dataset', datasetQuietMs: 120_000, markerFile: 'DONE', exclude: ['**/*.tmp', '*/scratch'] });
    await waitForStatus(engine, rule.id, watching);
    const run = join(src, 'run-big');
    mkdirSync(join(run, 'tiles'), { recursive: true });
    mkdirSync(join(run, 'scratch'));
    for (let i = 0; i < 10_001; i++) writeFileSync(join(run, 'tiles', `t${String(i).padStart(5, '0')}.dat`), String(i % 10));
    // Hidden files are not excluded by this rule: `.meta.json` is data here.
    for (const rel of ['tiles/t00000.dat.tmp', 'notes.tmp', 'scratch/work.bin', '.meta.json']) writeFileSync(join(run, rel), 'x');
    writeFileSync(join(run, 'DONE'), '');

    const job = await jobs.next(60_000);
    expect(await waitForJob(engine, job.id, finished, 120_000)).toMatchObject({ state: 'completed', result: 'success' });
    const files = jobFiles(engine, job.id).map((f) => f.relativePath);
    expect(files).toHaveLength(10_002);
    expect(files.slice(0, 2)).toEqual(['.meta.json', 'tiles/t00000.dat']);
    expect(files.filter((f) => f.endsWith('.tmp') || f.startsWith('scratch') || f === 'DONE')).toEqual([]);
    const received = join(ferry.dataDir, 'received', 'run-big');
    for (const rel of ['notes.tmp', 'tiles/t00000.dat.tmp', 'scratch', 'DONE']) expect(existsSync(join(received, rel)), rel).toBe(false);
    expect(readFileSync(join(received, 'tiles', 't10000.dat'), 'utf8')).toBe('0');
    await waitForStatus(engine, rule.id, (s) => idle(s) && s.uploaded === 10_002, 60_000);
  }, 240_000);

  it('sends the marker when an include pattern names it', async () => {
    const { ferry, engine, src, jobs } = await watchFixture();
    const rule = await saveRule(engine, { name: 'Sequencer', path: src, mode: 'dataset', datasetQuietMs: 120_000, markerFile: 'RTAComplete.txt', include: ['**/*', 'RTAComplete.txt'] });
    await waitForStatus(engine, rule.id, watching);
    mkdirSync(join(src, 'run-12', 'Data'), { recursive: true });
    writeFileSync(join(src, 'run-12', 'Data', 'lane-1.bcl'), randomBytes(2000));
    writeFileSync(join(src, 'run-12', 'RTAComplete.txt'), 'RTA 3.4.4 completed');

    const job = await jobs.next(10_000);
    await waitForJob(engine, job.id, finished);
    expect(jobFiles(engine, job.id).map((f) => f.relativePath)).toEqual(['Data/lane-1.bcl', 'RTAComplete.txt']);
    expect(readFileSync(join(ferry.dataDir, 'received', 'run-12', 'RTAComplete.txt'), 'utf8')).toBe('RTA 3.4.4 completed');
    await waitForStatus(engine, rule.id, (s) => idle(s) && s.uploaded === 2);
  });

  it('does not send a dataset again after a restart, and sends it again, still filtered, once a file in it changes', async () => {
    const fx = await watchFixture();
    const rule = await saveRule(fx.engine, { name: 'Plates', path: fx.src, mode: 'dataset', datasetQuietMs: 800, markerFile: 'DONE', exclude: ['**/*.tmp'] });
    await waitForStatus(fx.engine, rule.id, watching);
    const well = join(fx.src, 'plate-7', 'wells', 'a1.tif');
    mkdirSync(join(fx.src, 'plate-7', 'wells'), { recursive: true });
    writeFileSync(well, randomBytes(5000));
    writeFileSync(join(fx.src, 'plate-7', 'wells', 'a2.tif'), randomBytes(5000));
    writeFileSync(join(fx.src, 'plate-7', 'wells', 'a1.tif.tmp'), randomBytes(10));
    writeFileSync(join(fx.src, 'plate-7', 'DONE'), '');
    const first = await fx.jobs.next();
    await waitForJob(fx.engine, first.id, finished);
    await waitForStatus(fx.engine, rule.id, (s) => idle(s) && s.uploaded === 2);

    await fx.restart();
    // The marker is seen again at start-up, but everything the dataset sends is in the ledger.
    await waitForStatus(fx.engine, rule.id, (s) => idle(s) && s.filesSeen === 3 && s.uploaded === 2);
    expect(fx.jobs.jobs()).toHaveLength(0);

    appendFileSync(well, randomBytes(100));
    const second = await fx.jobs.next();
    await waitForJob(fx.engine, second.id, finished);
    const files = jobFiles(fx.engine, second.id);
    expect(files.map((f) => f.relativePath)).toEqual(['wells/a1.tif', 'wells/a2.tif']);
    expect(files[0]!.sha256).toBe(sha256Of(well));
    await waitForStatus(fx.engine, rule.id, (s) => idle(s) && s.uploaded === 2);
    expect(fx.jobs.jobs()).toHaveLength(1);
  });

  it('grows the same dataset at the destination when a file is added to a sent folder, sending only that file', async () => {
    const fx = await watchFixture();
    const rule = await saveRule(fx.engine, { name: 'Growing', path: fx.src, mode: 'dataset', datasetQuietMs: 800 });
    await waitForStatus(fx.engine, rule.id, watching);
    mkdirSync(join(fx.src, 'run-9'));
    writeFileSync(join(fx.src, 'run-9', 'frame-1.raw'), randomBytes(30_000));
    writeFileSync(join(fx.src, 'run-9', 'frame-2.raw'), randomBytes(20_000));
    const first = await fx.jobs.next();
    await waitForJob(fx.engine, first.id, finished);
    await waitForStatus(fx.engine, rule.id, (s) => idle(s) && s.uploaded === 2);

    writeFileSync(join(fx.src, 'run-9', 'frame-3.raw'), randomBytes(25_000));
    const second = await fx.jobs.next();
    expect(await waitForJob(fx.engine, second.id, finished)).toMatchObject({ state: 'completed', result: 'success' });
    expect(second.name).toBe(first.name);
    // The two files sent before were skipped as unchanged; only the new one went.
    const files = fx.engine.services.items.page(second.id, 0, 100);
    expect(files.filter((f) => f.verified === 'unchanged').map((f) => f.relative_path)).toEqual(['frame-1.raw', 'frame-2.raw']);
    expect(files.find((f) => f.relative_path === 'frame-3.raw')?.verified).not.toBe('unchanged');
    // One dataset at the destination, grown: no copy beside it, a manifest that lists every file.
    const received = join(fx.ferry.dataDir, 'received');
    expect(readdirSync(received).filter((n) => !n.startsWith('.'))).toEqual(['run-9']);
    expect(readdirSync(join(received, 'run-9')).sort()).toEqual(['dataset.json', 'frame-1.raw', 'frame-2.raw', 'frame-3.raw', 'manifest-sha256.txt']);
    const manifest = readFileSync(join(received, 'run-9', 'manifest-sha256.txt'), 'utf8');
    for (const f of ['frame-1.raw', 'frame-2.raw', 'frame-3.raw']) expect(manifest).toContain(`${sha256Of(join(fx.src, 'run-9', f))}  ${f}\n`);
  });
});
