import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { dispatchCommand } from '../../../main/engine/api/dispatch';
import { startEngine, waitForJob } from '../../helpers/engineFixture';

describe('engine: demo jobs', () => {
  let dispose: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await dispose?.();
    dispose = undefined;
  });

  it('runs a demo job to completion with header, one line per item and footer', async () => {
    const f = startEngine();
    dispose = f.dispose;
    const job = await f.engine.commands.createDemoJob({ items: 5, failRate: 0, itemDelayMs: 0, linesPerItem: 1, priority: 'normal' });
    const done = await waitForJob(f.engine, job.id, (j) => j.state === 'completed');
    expect(done.result).toBe('success');
    expect(done.counts).toEqual({ processed: 5, failed: 0 });
    const text = readFileSync(f.engine.services.logs.paths(job.id).log, 'utf8');
    expect(text).toMatch(/^# Ferry job \d+/);
    expect(text).toContain('<header_json>');
    expect(text.match(/Processing 'item_\d'/g)).toHaveLength(5);
    const footer = JSON.parse(text.slice(text.lastIndexOf('<footer_json>') + 13, text.lastIndexOf('</footer_json>')));
    expect(footer).toMatchObject({ result: 'success', state: 'completed', processed: 5, failed: 0, total: 5 });
  });

  it('reports partial when items fail and counts them', async () => {
    const f = startEngine();
    dispose = f.dispose;
    const job = await f.engine.commands.createDemoJob({ items: 10, failRate: 1, itemDelayMs: 0, linesPerItem: 1, priority: 'normal' });
    const done = await waitForJob(f.engine, job.id, (j) => j.state === 'completed');
    expect(done.result).toBe('partial');
    expect(done.counts).toEqual({ processed: 0, failed: 10 });
  });

  it('gives job ids from one global sequence', async () => {
    const f = startEngine();
    dispose = f.dispose;
    const a = await f.engine.commands.createDemoJob({ items: 1, failRate: 0, itemDelayMs: 0, linesPerItem: 1, priority: 'normal' });
    const b = await f.engine.commands.createDemoJob({ items: 1, failRate: 0, itemDelayMs: 0, linesPerItem: 1, priority: 'normal' });
    expect(b.id).toBe(a.id + 1);
  });

  it('pauses between items, frees nothing it should not, resumes and cancels with a canceled footer', async () => {
    const f = startEngine();
    dispose = f.dispose;
    const job = await f.engine.commands.createDemoJob({ items: 1000, failRate: 0, itemDelayMs: 10, linesPerItem: 1, priority: 'normal' });
    await waitForJob(f.engine, job.id, (j) => j.done >= 3);
    f.engine.services.jobs.pause(job.id);
    await new Promise((r) => setTimeout(r, 150));
    const sizeAtPause = f.engine.services.logs.logSize(job.id);
    const doneAtPause = f.engine.services.jobs.view(job.id).done;
    await new Promise((r) => setTimeout(r, 400));
    f.engine.services.logs.flushAll();
    expect(f.engine.services.logs.logSize(job.id)).toBe(sizeAtPause);
    expect(f.engine.services.jobs.view(job.id).done).toBe(doneAtPause);
    expect(f.engine.services.jobs.runningCount()).toBe(0);
    f.engine.services.jobs.resume(job.id);
    await waitForJob(f.engine, job.id, (j) => j.done >= doneAtPause + 3);
    f.engine.services.jobs.cancel(job.id);
    await waitForJob(f.engine, job.id, (j) => j.state === 'canceled' && j.result === 'canceled');
    const text = readFileSync(f.engine.services.logs.paths(job.id).log, 'utf8');
    expect(text).toMatch(/"result": "canceled"/);
  });

  it('answers CONFLICT for an illegal command and changes nothing', async () => {
    const f = startEngine();
    dispose = f.dispose;
    const job = await f.engine.commands.createDemoJob({ items: 1, failRate: 0, itemDelayMs: 0, linesPerItem: 1, priority: 'normal' });
    await waitForJob(f.engine, job.id, (j) => j.state === 'completed');
    const res = await dispatchCommand(f.engine, 'pauseJob', { id: job.id });
    expect(res).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    expect(f.engine.services.jobs.view(job.id).state).toBe('completed');
  });

  it('validates input and unknown ids with typed errors', async () => {
    const f = startEngine();
    dispose = f.dispose;
    expect(await dispatchCommand(f.engine, 'getJob', { id: 'x' })).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    expect(await dispatchCommand(f.engine, 'getJob', { id: 999 })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(await dispatchCommand(f.engine, 'nope', {})).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(await dispatchCommand(f.engine, 'listJobs', { limit: -1 })).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    expect(await dispatchCommand(f.engine, 'createDemoJob', { name: 'x'.repeat(100_000) })).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
  });
});
