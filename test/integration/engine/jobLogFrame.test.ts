import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { dispatchCommand } from '../../../main/engine/api/dispatch';
import { closeDatabase, openDatabase } from '../../../main/engine/db/database';
import { ItemsRepo } from '../../../main/engine/db/itemsRepo';
import { JobsRepo } from '../../../main/engine/db/jobsRepo';
import { itemResultsOf } from '../../../main/engine/jobs/logFormat';
import { ITEM_RESULTS_CAP, parseJobLogFooters, parseJobLogHeader } from '../../../shared/jobLog';
import type { JobView } from '../../../shared/model';
import { startEngine, waitForJob } from '../../helpers/engineFixture';
import { makeDataset, startFerryServices } from '../../helpers/servicesFixture';
import { makeTmpDir } from '../../helpers/tmpDir';

const ok = <T>(res: unknown): T => {
  expect(res).toMatchObject({ ok: true });
  return (res as { value: T }).value;
};

describe('job log frame: monitor URL and per-item results', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  it('says the local API is off when the host serves no HTTP API', async () => {
    const f = startEngine();
    cleanups.push(() => f.dispose());
    const job = ok<JobView>(await dispatchCommand(f.engine, 'createDemoJob', { items: 3, failRate: 1, itemDelayMs: 0, linesPerItem: 1 }));
    await waitForJob(f.engine, job.id, (j) => j.state === 'completed');
    const text = readFileSync(f.engine.services.logs.paths(job.id).log, 'utf8');
    expect(parseJobLogHeader(text)?.monitor).toBeNull();
    expect(text).toContain('# Monitor: local API off\n');
    expect(parseJobLogFooters(text).at(-1)!.items).toEqual({
      processed: [],
      processedMore: 0,
      failed: [
        { item: 'item_1', reason: 'simulated error' },
        { item: 'item_2', reason: 'simulated error' },
        { item: 'item_3', reason: 'simulated error' },
      ],
      failedMore: 0,
    });
  });

  it('lists the files an upload sent in its footer', async () => {
    const ferry = await startFerryServices();
    cleanups.push(ferry.dispose);
    const src = makeDataset({ 'a.bin': 500, 'b/c.bin': 700 });
    cleanups.push(() => rmSync(src, { recursive: true, force: true }));
    const up = ok<JobView>(await dispatchCommand(ferry.engine, 'createUpload', { paths: [src] }));
    await waitForJob(ferry.engine, up.id, (j) => j.state === 'completed', 30_000);
    const footer = parseJobLogFooters(readFileSync(ferry.engine.services.logs.paths(up.id).log, 'utf8')).at(-1)!;
    expect(footer.items).toEqual({ processed: ['a.bin', 'b/c.bin'], processedMore: 0, failed: [], failedMore: 0 });
  });

  it('caps the failed files of a dataset with their reasons, counting the rest', () => {
    const tmp = makeTmpDir('ferry-items-');
    cleanups.push(tmp.cleanup);
    const db = openDatabase(join(tmp.dir, 'ferry.db'));
    cleanups.push(() => closeDatabase(db));
    const id = new JobsRepo(db).insert({ kind: 'upload', name: 'many', priority: 'normal', params: {} }).id;
    const items = new ItemsRepo(db);
    const n = ITEM_RESULTS_CAP + 5;
    items.insertAll(id, Array.from({ length: n }, (_, i) => ({ path: `/src/f${i}`, relativePath: `f${i}`, size: 1, mtimeMs: 0 })));
    items.done(id, 0, { sha256: 'x', location: 'l', verified: 'v', size: 1 });
    for (let i = 1; i < n; i++) items.fail(id, i, `disk error on f${i}`, false);
    const r = itemResultsOf(items.results(id, ITEM_RESULTS_CAP))!;
    expect(r.processed).toEqual(['f0']);
    expect(r.failed).toHaveLength(ITEM_RESULTS_CAP);
    expect(r.failed[0]).toEqual({ item: 'f1', reason: 'disk error on f1' });
    expect(r.failedMore).toBe(n - 1 - ITEM_RESULTS_CAP);
  });
});
