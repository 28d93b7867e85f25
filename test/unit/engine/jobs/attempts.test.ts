import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { FerryError } from '../../../../shared/errors';
import { decideAttempt } from '../../../../main/engine/jobs/attemptOutcome';
import { backoffDelay } from '../../../../shared/backoff';
import { DEFAULT_POLICY } from '../../../../main/engine/jobs/kindPolicy';
import { startEngine, waitForJob } from '../../../helpers/engineFixture';
import { stepRunner } from '../support/stepRunner';

type Fixture = ReturnType<typeof startEngine>;
const fast = { backoff: { baseMs: 20, maxMs: 80 } };

describe('attempts: retries, timeouts, stalls', () => {
  let f: Fixture | undefined;
  afterEach(async () => {
    await f?.dispose();
    f = undefined;
  });

  it('backs off exponentially with jitter, capped', () => {
    const policy = { baseMs: 100, maxMs: 1000 };
    for (const [attempt, ceiling] of [[1, 100], [2, 200], [3, 400], [4, 800], [5, 1000], [9, 1000]] as const) {
      expect(backoffDelay(attempt, policy, () => 0)).toBe(ceiling / 2);
      expect(backoffDelay(attempt, policy, () => 0.999999)).toBe(ceiling);
    }
  });

  it('decides the next state from one table of outcomes', () => {
    const running = { state: 'running' as const, attempts: 1, max_attempts: 3 };
    expect(decideAttempt(running, DEFAULT_POLICY, { result: 'partial' }, undefined)).toEqual({ kind: 'completed', result: 'partial' });
    expect(decideAttempt(running, DEFAULT_POLICY, undefined, new Error('x'))).toMatchObject({ kind: 'retry' });
    expect(decideAttempt({ ...running, attempts: 3 }, DEFAULT_POLICY, undefined, new Error('x'))).toEqual({ kind: 'failed', message: 'x' });
    expect(decideAttempt(running, DEFAULT_POLICY, undefined, new FerryError('REMOTE', 'no', { retriable: false }))).toMatchObject({ kind: 'failed' });
    expect(decideAttempt(running, DEFAULT_POLICY, undefined, new FerryError('CANCELED', 'c'))).toEqual({ kind: 'canceled' });
    expect(decideAttempt({ ...running, state: 'canceled' }, DEFAULT_POLICY, { result: 'success' }, undefined)).toEqual({ kind: 'canceled' });
    expect(decideAttempt({ ...running, state: 'paused' }, DEFAULT_POLICY, undefined, new Error('p'))).toEqual({ kind: 'pausedError', message: 'p' });
  });

  it('retries a failing attempt after a backoff and completes, keeping the work already done', async () => {
    const runner = stepRunner('verify');
    f = startEngine({ runners: [runner], basePolicy: fast });
    const id = f.engine.services.jobs.create({ kind: 'verify', name: 'r', priority: 'normal', params: { steps: 3, failTimes: 2 }, total: 3 }).id;
    const done = await waitForJob(f.engine, id, (j) => j.state === 'completed');
    expect(done.attempts).toBe(3);
    expect(done.error).toMatch(/retrying/);
    const events = await f.engine.services.logs.readEvents(id, 0, 1000);
    expect(events.filter((e) => e.type === 'retried')).toHaveLength(2);
    expect(runner.log.steps.get(id)).toEqual([0, 1, 2]);
  });

  it('fails after its last attempt, and a manual retry runs a new attempt in a new log section', async () => {
    let failing = true;
    const runner = stepRunner('verify');
    const flaky = { ...runner, run: (ctx: Parameters<typeof runner.run>[0]) => (failing ? Promise.reject(new Error('disk on fire')) : runner.run(ctx)) };
    f = startEngine({ runners: [flaky], basePolicy: { ...fast, maxAttempts: 2 } });
    const id = f.engine.services.jobs.create({ kind: 'verify', name: 'm', priority: 'normal', params: { steps: 2 }, total: 2 }).id;
    const failed = await waitForJob(f.engine, id, (j) => j.state === 'failed');
    expect(failed).toMatchObject({ attempts: 2, maxAttempts: 2, result: 'failed', error: 'disk on fire' });
    failing = false;
    const retried = f.engine.services.jobs.retry(id);
    // A free slot starts it at once.
    expect(retried).toMatchObject({ state: 'running', attempts: 3, error: null, result: null });
    await waitForJob(f.engine, id, (j) => j.state === 'completed');
    const text = readFileSync(f.engine.services.logs.paths(id).log, 'utf8');
    expect(text.match(/<footer_json>/g)).toHaveLength(2);
    expect(text).toContain('<log attempt="3">');
    expect(text.trimEnd().endsWith('</footer_json>')).toBe(true);
  });

  it('does not retry an error that says retrying cannot help', async () => {
    f = startEngine({ runners: [stepRunner('verify')], basePolicy: fast });
    const id = f.engine.services.jobs.create({ kind: 'verify', name: 'fatal', priority: 'normal', params: { steps: 2, failTimes: 9, fatal: true }, total: 2 }).id;
    expect(await waitForJob(f.engine, id, (j) => j.state === 'failed')).toMatchObject({ attempts: 1 });
  });

  it('times an attempt out by its kind, retries it, and fails with the timeout once attempts run out', async () => {
    f = startEngine({ runners: [stepRunner('verify')], basePolicy: { ...fast, maxAttempts: 2 }, policies: { verify: { timeoutMs: 150 } } });
    const id = f.engine.services.jobs.create({ kind: 'verify', name: 'slow', priority: 'normal', params: { steps: 100, stepMs: 20 }, total: 100 }).id;
    const failed = await waitForJob(f.engine, id, (j) => j.state === 'failed');
    expect(failed.error).toMatch(/ran longer than its 0\.1 s limit/);
    expect(failed.attempts).toBe(2);
  });

  it('reports a job that stops making progress as stalled, and when it picks up again', async () => {
    f = startEngine({ runners: [stepRunner('verify')], policies: { verify: { stallAfterMs: 100 } } });
    const id = f.engine.services.jobs.create({ kind: 'verify', name: 'stall', priority: 'normal', params: { steps: 3, stallMs: 600 }, total: 3 }).id;
    const stalled = await waitForJob(f.engine, id, (j) => j.stalled === true);
    expect(stalled.state).toBe('running');
    expect(f.engine.stats().stalled).toBe(1);
    await waitForJob(f.engine, id, (j) => j.state === 'completed');
    const types = (await f.engine.services.logs.readEvents(id, 0, 100)).map((e) => e.type);
    expect(types.indexOf('stalled')).toBeGreaterThan(-1);
    expect(types.indexOf('unstalled')).toBeGreaterThan(types.indexOf('stalled'));
  });

  it('gives up on a runner that ignores cancel, so the job ends and the engine goes on', async () => {
    const runner = stepRunner('verify');
    f = startEngine({ runners: [runner], abandonAfterMs: 100, limits: { concurrency: 1 } });
    const id = f.engine.services.jobs.create({ kind: 'verify', name: 'deaf', priority: 'normal', params: { steps: 1, deafMs: 2000 }, total: 1 }).id;
    await waitForJob(f.engine, id, (j) => j.state === 'running');
    f.engine.services.jobs.cancel(id);
    const next = f.engine.services.jobs.create({ kind: 'verify', name: 'next', priority: 'normal', params: { steps: 1 }, total: 1 }).id;
    await waitForJob(f.engine, id, (j) => j.state === 'canceled' && j.result === 'canceled');
    await waitForJob(f.engine, next, (j) => j.state === 'completed');
    expect(f.engine.services.jobs.isDone(id)).toBe(true);
  });
});
