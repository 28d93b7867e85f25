import { readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { startEngine, waitForJob } from '../../../helpers/engineFixture';
import { stepRunner } from '../support/stepRunner';

type Fixture = ReturnType<typeof startEngine>;

describe('recovery at start-up', () => {
  const dirs: string[] = [];
  let f: Fixture | undefined;
  afterEach(async () => {
    await f?.dispose();
    f = undefined;
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  /** Starts an engine on a data directory that outlives it (removed after the test). */
  const open = (dataDir?: string) => {
    const runner = stepRunner('verify');
    const fx = startEngine({ runners: [runner], limits: { concurrency: 2 }, ...(dataDir ? { dataDir } : {}) });
    if (!dataDir) dirs.push(fx.dataDir);
    f = { ...fx, dispose: () => fx.engine.stop() };
    return { ...fx, runner };
  };

  it('resumes a running job from its saved state, keeps paused paused and queued queued, never reruns a completed one', async () => {
    const first = open();
    const { engine } = first;
    const done = engine.services.jobs.create({ kind: 'verify', name: 'done', priority: 'high', params: { steps: 2 }, total: 2 }).id;
    await waitForJob(engine, done, (j) => j.state === 'completed');
    const running = engine.services.jobs.create({ kind: 'verify', name: 'running', priority: 'normal', params: { steps: 400, stepMs: 5 }, total: 400 }).id;
    const paused = engine.services.jobs.create({ kind: 'verify', name: 'paused', priority: 'normal', params: { steps: 400, stepMs: 5 }, total: 400 }).id;
    await waitForJob(engine, running, (j) => j.done >= 10);
    await waitForJob(engine, paused, (j) => j.done >= 5);
    engine.services.jobs.pause(paused);
    engine.services.jobs.setQueuePaused(true);
    const queued = engine.services.jobs.create({ kind: 'verify', name: 'queued', priority: 'normal', params: { steps: 3 }, total: 3 }).id;
    await engine.stop();

    const second = open(first.dataDir);
    const e2 = second.engine;
    expect(e2.services.jobs.view(done).state).toBe('completed');
    expect(e2.services.jobs.view(paused).state).toBe('paused');
    expect(e2.services.jobs.view(queued).state).toBe('queued');
    // Held queue: the recovered job waits with the rest until released.
    expect(e2.services.jobs.view(running).state).toBe('queued');
    e2.services.jobs.setQueuePaused(false);
    await waitForJob(e2, running, (j) => j.state === 'completed');
    await waitForJob(e2, queued, (j) => j.state === 'completed');
    const resumedAt = second.runner.log.starts.get(running)![0]!;
    expect(resumedAt).toBeGreaterThan(0);
    expect(second.runner.log.steps.get(running)![0]).toBe(resumedAt);
    expect(second.runner.log.starts.has(done)).toBe(false);
    expect(second.runner.log.starts.has(paused)).toBe(false);
    const events = await e2.services.logs.readEvents(running, 0, 10_000);
    expect(events.filter((e) => e.type === 'recovered')).toHaveLength(1);
    expect(events.filter((e) => e.type === 'completed')).toHaveLength(1);
  });

  it('seals exactly once a job whose final state was committed but whose footer never reached the disk', async () => {
    const first = open();
    const id = first.engine.services.jobs.create({ kind: 'verify', name: 'sealed', priority: 'normal', params: { steps: 2 }, total: 2 }).id;
    await waitForJob(first.engine, id, (j) => j.state === 'completed');
    const paths = first.engine.services.logs.paths(id);
    await first.engine.stop();
    // As if the process died right after the commit: no final event, no footer, row not sealed.
    const log = readFileSync(paths.log, 'utf8');
    truncateSync(paths.log, Buffer.byteLength(log.slice(0, log.indexOf('-- Completed'))));
    const events = readFileSync(paths.events, 'utf8').trimEnd().split('\n');
    writeFileSync(paths.events, events.filter((l) => !l.includes('"type":"completed"')).join('\n') + '\n');
    const db = (await import('better-sqlite3')).default(`${first.dataDir}/ferry.db`);
    db.prepare('UPDATE jobs SET sealed = 0 WHERE id = ?').run(id);
    db.close();

    const second = open(first.dataDir);
    const text = readFileSync(paths.log, 'utf8');
    expect(text.match(/<footer_json>/g)).toHaveLength(1);
    expect(text).toMatch(/"result": "success"/);
    const types = (await second.engine.services.logs.readEvents(id, 0, 100)).map((e) => e.type);
    expect(types.filter((t) => t === 'completed')).toHaveLength(1);
    await second.engine.stop();
    // A second restart finds it sealed and writes nothing more.
    open(first.dataDir);
    expect(readFileSync(paths.log, 'utf8')).toBe(text);
  });
});
