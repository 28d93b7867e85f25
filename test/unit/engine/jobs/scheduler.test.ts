import { afterEach, describe, expect, it } from 'vitest';
import type { JobKind, Priority } from '../../../../shared/model';
import type { JobRunner } from '../../../../main/engine/jobs/runner';
import { dispatchCommand } from '../../../../main/engine/api/dispatch';
import { startEngine, waitForJob } from '../../../helpers/engineFixture';
import { stepRunner, type StepParams } from '../support/stepRunner';
import { waitFor } from '../support/waitFor';

type Fixture = ReturnType<typeof startEngine>;

describe('scheduler', () => {
  let f: Fixture | undefined;
  afterEach(async () => {
    await f?.dispose();
    f = undefined;
  });

  it('holds the global, per-kind and per-destination limits with 1000 queued jobs, and runs them all', async () => {
    // One map for every kind, so the global limit is checked over all of them together.
    const counters = { now: new Map<string, number>(), max: new Map<string, number>() };
    const shared = instrumentedShared(counters);
    f = startEngine({
      runners: [shared(stepRunner('verify')), shared(stepRunner('command'))],
      limits: { concurrency: 6, perKind: { verify: 4, command: 3 }, perDestination: 2 },
    });
    const { engine } = f;
    engine.services.jobs.setQueuePaused(true);
    const ids: number[] = [];
    for (let i = 0; i < 1000; i++) {
      const kind: JobKind = i % 3 === 0 ? 'command' : 'verify';
      const dest = ['a', 'b', undefined][i % 3];
      const view = engine.services.jobs.create({
        kind,
        name: `j${i}`,
        priority: (['high', 'normal', 'low'] as Priority[])[i % 3]!,
        params: { steps: 2, stepMs: 1, ...(dest ? { dest } : {}) },
        destinationId: dest ?? null,
        total: 2,
      });
      ids.push(view.id);
    }
    engine.services.jobs.setQueuePaused(false);
    await waitFor(engine, () => (engine.services.repo.countByState().completed ?? 0) === 1000, '1000 completed jobs', 60_000);
    expect(counters.max.get('all')).toBe(6);
    expect(counters.max.get('kind:verify')).toBeLessThanOrEqual(4);
    expect(counters.max.get('kind:command')).toBeLessThanOrEqual(3);
    expect(counters.max.get('dest:a')).toBeLessThanOrEqual(2);
    expect(counters.max.get('dest:b')).toBeLessThanOrEqual(2);
    expect(engine.services.jobs.runningCount()).toBe(0);
  }, 60_000);

  it('starts by priority, first in first out within one, and a changed priority moves a queued job', async () => {
    const runner = stepRunner('verify');
    f = startEngine({ runners: [runner], limits: { concurrency: 1 } });
    const { engine } = f;
    engine.services.jobs.setQueuePaused(true);
    const make = (name: string, priority: Priority) => engine.services.jobs.create({ kind: 'verify', name, priority, params: { steps: 1 }, total: 1 }).id;
    const n1 = make('n1', 'normal');
    const l1 = make('l1', 'low');
    const h1 = make('h1', 'high');
    const n2 = make('n2', 'normal');
    const h2 = make('h2', 'high');
    const l2 = make('l2', 'low');
    expect((await dispatchCommand(engine, 'setPriority', { id: l2, priority: 'high' })).ok).toBe(true);
    engine.services.jobs.setQueuePaused(false);
    await waitFor(engine, () => (engine.services.repo.countByState().completed ?? 0) === 6, 'six completed jobs');
    const order = [...runner.log.starts.keys()];
    expect(order).toEqual([h1, h2, l2, n1, n2, l1]);
  });

  it('frees the slot of a paused job, and a resumed job keeps its place in the queue', async () => {
    const runner = stepRunner('verify');
    f = startEngine({ runners: [runner], limits: { concurrency: 1 } });
    const { engine } = f;
    const a = engine.services.jobs.create({ kind: 'verify', name: 'a', priority: 'normal', params: { steps: 200, stepMs: 5 }, total: 200 }).id;
    await waitForJob(engine, a, (j) => j.done >= 2);
    const b = engine.services.jobs.create({ kind: 'verify', name: 'b', priority: 'normal', params: { steps: 30, stepMs: 5 }, total: 30 }).id;
    engine.services.jobs.pause(a);
    await waitForJob(engine, b, (j) => j.state === 'running');
    expect(engine.services.jobs.runningCount()).toBe(1);
    const c = engine.services.jobs.create({ kind: 'verify', name: 'c', priority: 'normal', params: { steps: 1 }, total: 1 }).id;
    engine.services.jobs.resume(a);
    expect(engine.services.jobs.view(a).state).toBe('queued');
    await waitForJob(engine, b, (j) => j.state === 'completed');
    // a was queued before c, so it runs next, from where it stopped.
    await waitForJob(engine, a, (j) => j.state === 'running' || j.state === 'completed');
    expect(engine.services.jobs.view(c).state).toBe('queued');
    expect(runner.log.starts.get(a)).toEqual([0]);
    await waitForJob(engine, c, (j) => j.state === 'completed');
    expect(runner.log.steps.get(a)).toEqual(Array.from({ length: 200 }, (_, i) => i));
  });

  it('stops after the current item when asked, then resumes where it stopped', async () => {
    const runner = stepRunner('verify');
    f = startEngine({ runners: [runner] });
    const { engine } = f;
    const id = engine.services.jobs.create({ kind: 'verify', name: 's', priority: 'normal', params: { steps: 100, stepMs: 10 }, total: 100 }).id;
    await waitForJob(engine, id, (j) => j.done >= 3);
    const asked = engine.services.jobs.stopAfterCurrent(id);
    expect(asked.stopAfterCurrent).toBe(true);
    const stepsWhenAsked = runner.log.steps.get(id)!.length;
    const paused = await waitForJob(engine, id, (j) => j.state === 'paused');
    expect(paused.stopAfterCurrent).toBe(false);
    await waitFor(engine, () => engine.services.jobs.runningCount() === 0, 'the slot to be free');
    expect(runner.log.steps.get(id)!.length).toBeLessThanOrEqual(stepsWhenAsked + 1);
    engine.services.jobs.resume(id);
    await waitForJob(engine, id, (j) => j.state === 'completed');
    expect(runner.log.steps.get(id)).toEqual(Array.from({ length: 100 }, (_, i) => i));
  });

  it('holds the queue across a restart: running jobs go on, nothing new starts until released', async () => {
    const runner = stepRunner('verify');
    f = startEngine({ runners: [runner] });
    const dataDir = f.dataDir;
    expect(await dispatchCommand(f.engine, 'setQueuePaused', { paused: true })).toMatchObject({ ok: true, value: { paused: true } });
    const id = f.engine.services.jobs.create({ kind: 'verify', name: 'held', priority: 'high', params: { steps: 1 }, total: 1 }).id;
    await f.engine.stop();
    const again = startEngine({ dataDir, runners: [runner] });
    f = { ...again, dispose: async () => again.dispose().then(() => import('node:fs').then((fs) => fs.rmSync(dataDir, { recursive: true, force: true }))) };
    const health = await dispatchCommand(again.engine, 'health', {});
    expect(health).toMatchObject({ ok: true, value: { scheduler: { paused: true, queued: 1 } } });
    expect(again.engine.services.jobs.view(id).state).toBe('queued');
    again.engine.services.jobs.setQueuePaused(false);
    await waitForJob(again.engine, id, (j) => j.state === 'completed');
  });
});

/** Runner wrappers that count in-flight runs in one shared map (global, per kind, per destination). */
function instrumentedShared(counters: { now: Map<string, number>; max: Map<string, number> }) {
  const bump = (key: string, by: number) => {
    counters.now.set(key, (counters.now.get(key) ?? 0) + by);
    counters.max.set(key, Math.max(counters.max.get(key) ?? 0, counters.now.get(key)!));
  };
  return (runner: JobRunner<StepParams>): JobRunner => ({
    kind: runner.kind,
    async run(ctx) {
      const params = ctx.params as StepParams & { dest?: string };
      const keys = ['all', `kind:${runner.kind}`, ...(params.dest ? [`dest:${params.dest}`] : [])];
      keys.forEach((k) => bump(k, 1));
      try {
        return await runner.run(ctx as never);
      } finally {
        keys.forEach((k) => bump(k, -1));
      }
    },
  });
}
