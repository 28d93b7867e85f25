import { randomBytes } from 'node:crypto';
import { appendFileSync, mkdirSync, openSync, closeSync, writeSync, renameSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_EXCLUDES } from '../../../shared/watch';
import { waitForJob } from '../../helpers/engineFixture';
import { sha256Of } from '../../helpers/servicesFixture';
import { findBySha, finished, idle, jobFiles, saveRule, waitForStatus, watchFixture, watching } from './watchFixture';

describe('watched folders: files mode', () => {
  it('uploads a file dropped into the folder once it is stable; the bytes land under the dataset', async () => {
    const { ferry, engine, src, jobs } = await watchFixture();
    const rule = await saveRule(engine, { name: 'Drop box', path: src });
    await waitForStatus(engine, rule.id, watching);
    writeFileSync(join(src, 'scan-001.bin'), randomBytes(300_000));

    const job = await jobs.next();
    expect(job.name).toBe(basename(rule.path));
    expect(await waitForJob(engine, job.id, finished)).toMatchObject({ state: 'completed', result: 'success' });
    const landed = join(ferry.dataDir, 'received', basename(rule.path), 'scan-001.bin');
    expect(sha256Of(landed)).toBe(sha256Of(join(src, 'scan-001.bin')));
    const status = await waitForStatus(engine, rule.id, idle);
    expect(status).toMatchObject({ state: 'watching', filesSeen: 1, uploaded: 1, pending: 0, failed: 0, jobsCreated: 1, lastJobId: job.id });
  });

  it('collects files dropped together into one job, subfolders included, and sends status at most ~10 times a second', async () => {
    const { ferry, engine, src, jobs, defer } = await watchFixture();
    const rule = await saveRule(engine, { name: 'Burst', path: src, batchMs: 1000 });
    await waitForStatus(engine, rule.id, watching);
    const batches: number[] = [];
    defer(engine.services.watch.subscribe(() => batches.push(Date.now())));
    mkdirSync(join(src, 'sub'));
    for (let i = 0; i < 40; i++) writeFileSync(join(src, `img-${String(i).padStart(3, '0')}.tif`), randomBytes(1000 + i));
    // Same name in a subfolder: it keeps its place there, so both share the job.
    writeFileSync(join(src, 'sub', 'img-000.tif'), randomBytes(77));

    const job = await jobs.next();
    await waitForJob(engine, job.id, finished);
    await waitForStatus(engine, rule.id, (s) => idle(s) && s.uploaded === 41);
    expect(job.name).toBe(basename(rule.path));
    const files = jobFiles(engine, job.id).map((f) => f.relativePath);
    expect(files).toHaveLength(41);
    expect(files).toContain('img-000.tif');
    expect(files).toContain('sub/img-000.tif');
    const dataset = join(ferry.dataDir, 'received', basename(rule.path));
    for (const rel of ['img-000.tif', 'sub/img-000.tif']) expect(sha256Of(join(dataset, rel))).toBe(sha256Of(join(src, rel)));
    expect(jobs.jobs()).toHaveLength(1);
    const gaps = batches.slice(2).map((t, i) => t - batches[i + 1]!);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(90);
  });

  it('does not take a file while it is still being written', async () => {
    const { engine, src, jobs } = await watchFixture();
    const rule = await saveRule(engine, { name: 'Slow writer', path: src, stabilityMs: 1000, batchMs: 0 });
    await waitForStatus(engine, rule.id, watching);
    const path = join(src, 'growing.raw');
    const fd = openSync(path, 'w');
    let lastWrite = 0;
    for (let i = 0; i < 15; i++) {
      writeSync(fd, randomBytes(16 * 1024));
      lastWrite = Date.now();
      await new Promise((r) => setTimeout(r, 100)); // the writer's pace, not a wait for Ferry
    }
    closeSync(fd);

    const job = await jobs.next();
    expect(job.createdAt).toBeGreaterThanOrEqual(lastWrite + 1000);
    await waitForJob(engine, job.id, finished);
    const [item] = jobFiles(engine, job.id);
    expect(item).toMatchObject({ relativePath: 'growing.raw', state: 'done', sha256: sha256Of(path) });
    await waitForStatus(engine, rule.id, idle);
    expect(jobs.jobs()).toHaveLength(1);
  });

  it('uploads a changed file again, and leaves the unchanged one alone', async () => {
    const { ferry, engine, src, jobs } = await watchFixture();
    writeFileSync(join(src, 'a.csv'), 'x,y\n1,2\n');
    writeFileSync(join(src, 'b.csv'), 'x,y\n3,4\n');
    const rule = await saveRule(engine, { name: 'Tables', path: src });
    const first = await jobs.next();
    await waitForJob(engine, first.id, finished);
    expect(jobFiles(engine, first.id).map((f) => f.relativePath)).toEqual(['a.csv', 'b.csv']);
    await waitForStatus(engine, rule.id, (s) => idle(s) && s.uploaded === 2);

    appendFileSync(join(src, 'a.csv'), '5,6\n');
    const second = await jobs.next();
    await waitForJob(engine, second.id, finished);
    const files = jobFiles(engine, second.id);
    expect(files.map((f) => f.relativePath)).toEqual(['a.csv']);
    expect(files[0]!.sha256).toBe(sha256Of(join(src, 'a.csv')));
    expect(findBySha(join(ferry.dataDir, 'received', basename(rule.path)), sha256Of(join(src, 'a.csv')))).toHaveLength(1);
    await waitForStatus(engine, rule.id, (s) => idle(s) && s.uploaded === 2);
    expect(jobs.jobs()).toHaveLength(2);
  });

  it('leaves excluded and temporary files alone and takes a partial file once it is renamed', async () => {
    const { engine, src, jobs } = await watchFixture();
    const rule = await saveRule(engine, {
      name: 'Filtered',
      path: src,
      include: ['**/*.dat', '**/*.bin'],
      exclude: [...DEFAULT_EXCLUDES, 'raw/**'],
    });
    await waitForStatus(engine, rule.id, watching);
    mkdirSync(join(src, 'raw'));
    mkdirSync(join(src, '.cache'));
    for (const name of ['keep.dat', '.hidden.dat', 'x.tmp', 'y.bin.part', 'z.dat.ferry-part', '~$lock.dat', 'notes.txt', 'raw/skip.bin', '.cache/c.bin']) {
      writeFileSync(join(src, name), randomBytes(500));
    }
    writeFileSync(join(src, 'big.bin.part'), randomBytes(200_000));
    renameSync(join(src, 'big.bin.part'), join(src, 'big.bin'));

    const taken = new Set<string>();
    while (taken.size < 2) {
      const job = await jobs.next();
      await waitForJob(engine, job.id, finished);
      for (const f of jobFiles(engine, job.id)) taken.add(f.relativePath);
    }
    const status = await waitForStatus(engine, rule.id, idle);
    expect([...taken].sort()).toEqual(['big.bin', 'keep.dat']);
    expect(status).toMatchObject({ filesSeen: 2, uploaded: 2 });
  });
});
