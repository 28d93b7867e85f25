import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { CommandName, CommandResult, JobsChanged } from '../../../../shared/contract';
import type { JobKind, JobState, Priority } from '../../../../shared/model';
import { dispatchCommand } from '../../../../main/engine/api/dispatch';
import type { Engine } from '../../../../main/engine/engine';
import { startEngine, waitForJob } from '../../../helpers/engineFixture';
import { stepRunner } from '../support/stepRunner';
import { waitFor } from '../support/waitFor';

type Fixture = ReturnType<typeof startEngine>;
const HOUR = 3600_000;

/** Calls a command the way a host does and unwraps the answer (throws the wire error). */
async function call<K extends CommandName>(engine: Engine, name: K, input: unknown): Promise<CommandResult<K>> {
  const res = await dispatchCommand(engine, name, input);
  if (!res.ok) throw Object.assign(new Error(res.error.message), res.error);
  return res.value as CommandResult<K>;
}

/** A job in a given state as if it had run: rows are set directly, the engine's queue is held. */
function seed(engine: Engine, spec: { name: string; kind?: JobKind; state?: JobState; priority?: Priority; dest?: string; createdAt?: number; finishedAt?: number; runMs?: number; bytes?: number; metadata?: unknown }): number {
  const id = engine.services.jobs.create({
    kind: spec.kind ?? 'verify',
    name: spec.name,
    priority: spec.priority ?? 'normal',
    params: { steps: 1 },
    metadata: spec.metadata ?? {},
    destinationId: spec.dest ?? null,
    total: spec.bytes ?? 1,
    unit: spec.bytes ? 'bytes' : 'items',
  }).id;
  engine.services.repo.update(id, {
    state: spec.state ?? 'queued',
    created_at: spec.createdAt ?? Date.now(),
    finished_at: spec.finishedAt ?? null,
    started_at: spec.finishedAt ? spec.finishedAt - (spec.runMs ?? 0) : null,
    run_ms: spec.runMs ?? 0,
    done: spec.bytes ?? 0,
    result: spec.state === 'completed' ? 'success' : spec.state === 'failed' ? 'failed' : spec.state === 'canceled' ? 'canceled' : null,
  } as never);
  return id;
}

describe('job commands', () => {
  let f: Fixture | undefined;
  afterEach(async () => {
    await f?.dispose();
    f = undefined;
  });

  it('lists with filters, sorts, pages and totals', async () => {
    f = startEngine({ runners: [stepRunner('verify'), stepRunner('command')] });
    const { engine } = f;
    engine.services.jobs.setQueuePaused(true);
    const now = Date.now();
    const ids: Record<string, number> = {};
    for (let i = 0; i < 30; i++) {
      const state: JobState = (['completed', 'failed', 'queued'] as const)[i % 3]!;
      ids[`j${i}`] = seed(engine, {
        name: `Job ${String(i).padStart(2, '0')} ${i % 2 ? 'alpha' : 'beta'}`,
        kind: i % 5 === 0 ? 'command' : 'verify',
        state,
        priority: (['high', 'normal', 'low'] as const)[i % 3],
        dest: i % 4 === 0 ? 'lab' : undefined,
        createdAt: now - (30 - i) * HOUR,
        finishedAt: state === 'queued' ? undefined : now - (30 - i) * HOUR + 1000 * i,
        runMs: 1000 * i,
      });
    }
    const all = await call(engine, 'listJobs', {});
    expect(all.total).toBe(30);
    expect(all.jobs[0]!.id).toBe(ids.j29);
    const failed = await call(engine, 'listJobs', { state: ['failed'], sort: 'duration', order: 'asc', limit: 3 });
    expect(failed.total).toBe(10);
    expect(failed.jobs.map((j) => j.runMs)).toEqual([1000, 4000, 7000]);
    const page2 = await call(engine, 'listJobs', { limit: 7, offset: 7, sort: 'name', order: 'asc' });
    expect(page2.jobs.map((j) => j.name.slice(0, 6))).toEqual(['Job 07', 'Job 08', 'Job 09', 'Job 10', 'Job 11', 'Job 12', 'Job 13']);
    expect((await call(engine, 'listJobs', { kind: ['command'] })).total).toBe(6);
    expect((await call(engine, 'listJobs', { destinationId: ['lab'] })).total).toBe(8);
    expect((await call(engine, 'listJobs', { priority: ['high'], state: ['completed'] })).total).toBe(10);
    const recent = await call(engine, 'listJobs', { createdFrom: now - 10 * HOUR, createdTo: now });
    expect(recent.total).toBe(10);
    const finishedWindow = await call(engine, 'listJobs', { finishedFrom: now - 5 * HOUR, sort: 'finished', order: 'asc' });
    expect(finishedWindow.jobs.every((j, i, a) => i === 0 || j.finishedAt! >= a[i - 1]!.finishedAt!)).toBe(true);
    expect((await call(engine, 'listJobs', { text: 'alph' })).total).toBe(15);
    expect((await call(engine, 'listJobs', { text: `#${ids.j3}` })).jobs.map((j) => j.id)).toContain(ids.j3);
    expect((await call(engine, 'listJobs', { text: '%_\\' })).total).toBe(0);
    const byPriority = await call(engine, 'listJobs', { sort: 'priority' });
    expect(byPriority.jobs.map((j) => j.priority).slice(0, 10)).toEqual(Array(10).fill('high'));
    expect(byPriority.jobs.at(-1)!.priority).toBe('low');
  });

  it('searches names, metadata and log lines with full text, and shows the matching line', async () => {
    f = startEngine({ runners: [stepRunner('verify')] });
    const { engine } = f;
    const named = seed(engine, { name: 'Cryo run Zebrafish 7', metadata: { sensor: 'TIFF', team: 'Neuro' } });
    const demo = await call(engine, 'createDemoJob', { items: 60, failRate: 0, itemDelayMs: 0, name: 'plain demo' });
    await waitForJob(engine, demo.id, (j) => j.state === 'completed');
    await engine.services.indexer.whenIdle();
    const byName = await call(engine, 'searchJobs', { text: 'zebra' });
    expect(byName.hits).toEqual([expect.objectContaining({ jobId: named, where: 'name' })]);
    expect((await call(engine, 'searchJobs', { text: 'neuro' })).hits).toEqual([expect.objectContaining({ jobId: named, where: 'metadata' })]);
    const inLog = await call(engine, 'searchJobs', { text: 'item_42' });
    expect(inLog.hits[0]).toMatchObject({ jobId: demo.id, where: 'log' });
    expect(inLog.hits[0]!.snippet).toContain("Processing 'item_42'");
    const listed = await call(engine, 'listJobs', { text: 'item_42' });
    expect(listed.jobs.map((j) => j.id)).toEqual([demo.id]);
    expect((await call(engine, 'listJobs', { text: 'item_42', textScope: 'names' })).total).toBe(0);
    expect((await call(engine, 'searchJobs', { text: '") OR *' })).hits).toEqual([]);
  });

  it('answers stats: success rate, duration percentiles by kind, bytes moved, hourly throughput', async () => {
    f = startEngine({ runners: [stepRunner('verify')] });
    const { engine } = f;
    engine.services.jobs.setQueuePaused(true);
    const now = Date.now();
    for (let i = 1; i <= 100; i++) seed(engine, { name: `u${i}`, kind: 'upload', state: 'completed', finishedAt: now - (i % 5) * HOUR - 1000, runMs: i * 10, bytes: 1000 });
    for (let i = 0; i < 25; i++) seed(engine, { name: `f${i}`, state: 'failed', finishedAt: now - 1000, runMs: 5 });
    seed(engine, { name: 'old', state: 'completed', finishedAt: now - 48 * HOUR, runMs: 1 });
    const s = await call(engine, 'jobStats', {});
    expect(s.finished).toBe(125);
    expect(s.successRate).toBeCloseTo(100 / 125);
    expect(s.durations.upload).toEqual({ count: 100, p50: 500, p90: 900, p99: 990, max: 1000 });
    expect(s.bytesMoved).toBe(100_000);
    expect(s.perHour).toHaveLength(24);
    expect(s.perHour.reduce((n, b) => n + b.completed, 0)).toBe(100);
    expect(s.perHour.at(-1)!.failed).toBe(25);
    expect(s.counts.completed).toBe(101);

    // Ten of the completed uploads had failed files: they are not successes, and a filter finds them.
    const partial = (await call(engine, 'listJobs', { state: ['completed'], kind: ['upload'], limit: 10 })).jobs.map((j) => j.id);
    for (const id of partial) engine.services.repo.update(id, { result: 'partial' } as never);
    const after = await call(engine, 'jobStats', {});
    expect(after.partial).toBe(10);
    expect(after.successRate).toBeCloseTo(90 / 125);
    expect(engine.stats().partial).toBe(10);
    const found = await call(engine, 'listJobs', { state: ['partial'], limit: 5 });
    expect(found.total).toBe(10);
    expect(found.jobs).toHaveLength(5);
    expect(found.jobs.every((j) => j.state === 'completed' && j.result === 'partial')).toBe(true);
    // With other states: any of them (a failed or a partial job), counted right.
    expect((await call(engine, 'listJobs', { state: ['failed', 'partial'] })).total).toBe(35);
    expect((await call(engine, 'listJobs', { state: ['completed'] })).total).toBe(101);
  });

  it('exports the filtered jobs to CSV and JSON files, streamed', async () => {
    f = startEngine({ runners: [stepRunner('verify')] });
    const { engine } = f;
    engine.services.jobs.setQueuePaused(true);
    for (let i = 0; i < 1200; i++) seed(engine, { name: i === 8 ? '=HYPERLINK("x"), "quoted"\nline' : `job ${i}`, state: i % 2 ? 'completed' : 'failed', finishedAt: Date.now() });
    const csv = await call(engine, 'exportJobs', { format: 'csv', state: ['failed'] });
    expect(csv.count).toBe(600);
    expect(csv.path.startsWith(join(f.dataDir, 'exports'))).toBe(true);
    const lines = readFileSync(csv.path, 'utf8').split('\r\n');
    expect(lines[0]).toMatch(/^id,name,kind,state,result,/);
    expect(lines.some((l) => l.includes(`,"'=HYPERLINK(""x""), ""quoted""\nline",`))).toBe(true);
    const dir = join(f.dataDir, 'out');
    mkdirSync(dir);
    const json = await call(engine, 'exportJobs', { format: 'json', path: dir, sort: 'created', order: 'asc' });
    const parsed = JSON.parse(readFileSync(json.path, 'utf8')) as { id: number }[];
    expect(parsed).toHaveLength(1200);
    expect(parsed[0]!.id).toBeLessThan(parsed[1]!.id);
    expect(json.bytes).toBeGreaterThan(0);
    expect(await dispatchCommand(engine, 'exportJobs', { format: 'csv', path: 'relative/file.csv' })).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
  });

  it('deletes a job with its files, refusing a running one until it is canceled', async () => {
    f = startEngine({ runners: [stepRunner('verify')] });
    const { engine } = f;
    const batches: JobsChanged[] = [];
    engine.services.jobs.onChanged((b) => batches.push(b));
    const id = engine.services.jobs.create({ kind: 'verify', name: 'victim', priority: 'normal', params: { steps: 500, stepMs: 5 }, total: 500 }).id;
    await waitForJob(engine, id, (j) => j.done >= 1);
    expect(await dispatchCommand(engine, 'deleteJob', { id })).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    expect(engine.services.jobs.view(id).state).toBe('running');
    engine.services.jobs.cancel(id);
    await waitFor(engine, () => engine.services.jobs.isDone(id), 'the canceled job to stop');
    await engine.services.indexer.whenIdle();
    expect(await call(engine, 'deleteJob', { id })).toEqual({ id, filesDeleted: 0 });
    expect(existsSync(engine.services.logs.paths(id).dir)).toBe(false);
    expect(await dispatchCommand(engine, 'getJob', { id })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(engine.services.db.prepare('SELECT COUNT(*) AS n FROM log_blocks WHERE job_id = ?').get(id)).toEqual({ n: 0 });
    await waitFor(engine, () => batches.some((b) => b.removed.includes(id)), 'the removal to be announced');
  });

  it('applies bulk actions through the transition table and reports what it skipped', async () => {
    f = startEngine({ runners: [stepRunner('verify')], limits: { concurrency: 2 } });
    const { engine } = f;
    const ids = Array.from({ length: 6 }, (_, i) => engine.services.jobs.create({ kind: 'verify', name: `b${i}`, priority: 'normal', params: { steps: 1000, stepMs: 5 }, total: 1000 }).id);
    const failed = seed(engine, { name: 'broken', state: 'failed', finishedAt: Date.now() });
    const paused = await call(engine, 'bulkAction', { action: 'pause' });
    expect(paused.affected.sort()).toEqual(ids.sort());
    await waitFor(engine, () => engine.services.jobs.runningCount() === 0, 'every runner to park');
    const resumed = await call(engine, 'bulkAction', { action: 'resume', ids: [...ids.slice(0, 3), failed] });
    expect(resumed.affected).toEqual(ids.slice(0, 3));
    expect(resumed.skipped).toEqual([{ id: failed, reason: expect.stringMatching(/CONFLICT|not allowed while failed/) }]);
    const canceled = await call(engine, 'bulkAction', { action: 'cancel' });
    expect(canceled.affected.sort()).toEqual(ids.sort());
    expect(await dispatchCommand(engine, 'bulkAction', { action: 'delete' })).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    const retried = await call(engine, 'bulkAction', { action: 'retry' });
    expect(retried.affected).toEqual([failed]);
    await waitFor(engine, () => ids.every((id) => engine.services.jobs.isDone(id)), 'the canceled jobs to stop');
    const deleted = await call(engine, 'bulkAction', { action: 'delete', ids });
    expect(deleted.affected.sort()).toEqual(ids.sort());
  });

  it('prunes finished jobs by age or beyond the newest N, on request', async () => {
    f = startEngine({ runners: [stepRunner('verify')], retention: { firstRunMs: 10_000_000 } });
    const { engine } = f;
    engine.services.jobs.setQueuePaused(true);
    const day = 24 * HOUR;
    const old = Array.from({ length: 5 }, (_, i) => seed(engine, { name: `old${i}`, state: 'completed', finishedAt: Date.now() - 40 * day - i }));
    const recent = Array.from({ length: 5 }, (_, i) => seed(engine, { name: `new${i}`, state: 'failed', finishedAt: Date.now() - i * 1000 }));
    const waiting = seed(engine, { name: 'queued' });
    const dry = await call(engine, 'pruneJobs', { dryRun: true });
    expect(dry).toEqual({ dryRun: true, count: 5, ids: [...old].sort((a, b) => a - b) });
    expect(engine.services.jobs.view(old[0]!).state).toBe('completed');
    expect(await call(engine, 'pruneJobs', {})).toMatchObject({ dryRun: false, count: 5 });
    expect(await call(engine, 'pruneJobs', { keepNewest: 2 })).toMatchObject({ count: 3 });
    const left = (await call(engine, 'listJobs', {})).jobs.map((j) => j.id).sort((a, b) => a - b);
    expect(left).toEqual([recent[0]!, recent[1]!, waiting].sort((a, b) => a - b));
    const health = await call(engine, 'health', {});
    expect(health.retention).toMatchObject({ days: 30, lastDeleted: 3 });
  });

  it('prunes by itself on the retention timer, and says so in the job feed', async () => {
    const first = startEngine({ runners: [stepRunner('verify')] });
    first.engine.services.jobs.setQueuePaused(true);
    const old = seed(first.engine, { name: 'ancient', state: 'completed', finishedAt: Date.now() - 31 * 24 * HOUR });
    const kept = seed(first.engine, { name: 'fresh', state: 'completed', finishedAt: Date.now() });
    await first.engine.stop();
    f = startEngine({ dataDir: first.dataDir, runners: [stepRunner('verify')], retention: { firstRunMs: 10 } });
    const { engine } = f;
    const removed = new Set<number>();
    engine.services.jobs.onChanged((b) => b.removed.forEach((id) => removed.add(id)));
    await waitFor(engine, () => removed.has(old), 'the retention task to delete the old job');
    expect(existsSync(engine.services.logs.paths(old).dir)).toBe(false);
    expect(engine.services.jobs.view(kept).state).toBe('completed');
    expect(engine.services.retention.lastDeleted).toBe(1);
    await f.dispose();
    f = undefined;
    await first.dispose();
  });

  it('reports health: free space, database check, scheduler, logs', async () => {
    f = startEngine({ runners: [stepRunner('verify')], limits: { concurrency: 3, perKind: { verify: 2 }, perDestination: 1 } });
    const h = await call(f.engine, 'health', { deep: true });
    expect(h).toMatchObject({ ok: true, database: 'ok', scheduler: { concurrency: 3, perKind: { verify: 2 }, perDestination: 1, paused: false } });
    expect(h.freeBytes).toBeGreaterThan(0);
    expect(h.logs).toMatchObject({ openWriters: 0 });
  });
});
