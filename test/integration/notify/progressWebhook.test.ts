import { afterEach, describe, expect, it } from 'vitest';
import { dispatchCommand } from '../../../main/engine/api/dispatch';
import type { WebhookPayload } from '../../../main/engine/notify/webhooks';
import type { JobEvent, JobView } from '../../../shared/model';
import { startEngine, waitForJob } from '../../helpers/engineFixture';
import { startWebhookReceiver } from '../../helpers/webhookReceiver';

const SECRET = 'a-long-enough-secret-for-tests';
const ok = <T>(res: unknown): T => {
  expect(res).toMatchObject({ ok: true });
  return (res as { value: T }).value;
};

describe('job.progress webhook', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  it('goes out while a job runs, at most once per job per the set number of seconds, with bytes or items, speed and time left', async () => {
    let completed!: () => void;
    const done = new Promise<void>((r) => (completed = r));
    const receiver = await startWebhookReceiver(SECRET, (_n, r) => {
      if ((JSON.parse(r.raw.toString()) as WebhookPayload).event === 'job.completed') completed();
      return { status: 200 };
    });
    const f = startEngine();
    cleanups.push(() => receiver.close(), () => f.dispose());
    expect(ok<{ progressWebhookSeconds: number }>(await dispatchCommand(f.engine, 'getSettings', {})).progressWebhookSeconds).toBe(10);
    ok(await dispatchCommand(f.engine, 'updateSettings', { progressWebhookSeconds: 1 }));
    ok(await dispatchCommand(f.engine, 'saveWebhook', { url: receiver.url(), secret: SECRET, events: ['job.progress', 'job.completed'] }));
    const started = Date.now();
    const job = ok<JobView>(await dispatchCommand(f.engine, 'createDemoJob', { items: 60, failRate: 0, itemDelayMs: 50, linesPerItem: 1 }));
    await waitForJob(f.engine, job.id, (j) => j.state === 'completed');
    const ranMs = Date.now() - started;
    await done;

    const bodies = receiver.received.map((r) => JSON.parse(r.raw.toString()) as WebhookPayload);
    expect(receiver.received.every((r) => r.verified)).toBe(true);
    const progress = bodies.filter((b) => b.event === 'job.progress');
    expect(progress.length).toBeGreaterThanOrEqual(2);
    // One per second at most: the run took ranMs, so no more than one per started second.
    expect(progress.length).toBeLessThanOrEqual(Math.ceil(ranMs / 1000));
    const times = progress.map((b) => Date.parse(b.createdAt));
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(990);
    for (const b of progress) {
      expect(b.job).toMatchObject({ id: job.id, state: 'running' });
      expect(b.progress).toMatchObject({ total: 60, unit: 'items' });
      expect(b.progress!.done).toBeGreaterThan(0);
      expect(b.progress!.rate).toEqual(expect.any(Number));
      expect(b.progress).toHaveProperty('etaMs');
    }
    expect(progress.map((b) => b.progress!.done)).toEqual([...progress.map((b) => b.progress!.done)].sort((a, b) => a - b));
    expect(bodies.at(-1)!.event).toBe('job.completed');
    // Delivered progress is not written into the job's events one by one; the completion is.
    const events = ok<{ events: JobEvent[] }>(await dispatchCommand(f.engine, 'listEvents', { id: job.id })).events.filter((e) => e.type === 'webhook');
    expect(events.some((e) => e.message.startsWith('Webhook job.progress'))).toBe(false);
  });

  it('is offered in the webhook list of events and refuses a throttle under a second', async () => {
    const f = startEngine();
    cleanups.push(() => f.dispose());
    expect(await dispatchCommand(f.engine, 'updateSettings', { progressWebhookSeconds: 0 })).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    const saved = ok<{ events: string[] }>(await dispatchCommand(f.engine, 'saveWebhook', { url: 'http://127.0.0.1:9/hook', secret: SECRET, events: ['job.progress'] }));
    expect(saved.events).toEqual(['job.progress']);
  });
});
