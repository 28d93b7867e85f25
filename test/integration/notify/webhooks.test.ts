import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { JobView } from '../../../shared/model';
import { bridgeJobWebhooks } from '../../../main/engine/notify/jobWebhooks';
import { signPayload, verifySignature } from '../../../main/engine/notify/signing';
import { WebhookDispatcher, type DeliveryReport, type WebhookConfig, type WebhookPayload } from '../../../main/engine/notify/webhooks';
import { startEngine, waitForJob } from '../../helpers/engineFixture';
import { startWebhookReceiver, type Answer, type Received, type WebhookReceiver } from '../../helpers/webhookReceiver';

const SECRET = 'a-long-enough-secret-for-tests';
const FAST = { baseMs: 20, maxMs: 100 };

function jobView(overrides: Partial<JobView> = {}): JobView {
  return {
    id: 7, kind: 'upload', name: 'Dataset ünïcode ✓', state: 'completed', priority: 'normal', stage: null, done: 10, total: 10, unit: 'items',
    rate: 0, etaMs: null, counts: { processed: 9, failed: 1 }, result: 'partial', error: null, attempts: 1, maxAttempts: 3,
    destinationId: 'dest-a', createdAt: 1, startedAt: 2, finishedAt: 3, updatedAt: 3, stopAfterCurrent: false, ...overrides,
  };
}

const hook = (receiver: WebhookReceiver, overrides: Partial<WebhookConfig> = {}): WebhookConfig => ({
  id: 'hook-1', url: receiver.url(), secret: SECRET, events: ['job.completed', 'job.failed'], ...overrides,
});

/** A port nothing listens on (taken, then freed). */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as { port: number }).port;
  await new Promise((resolve) => s.close(resolve));
  return port;
}

describe('webhooks', () => {
  const cleanups: (() => unknown)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  async function setup(answer?: (n: number, r: Received) => Answer, options: Partial<ConstructorParameters<typeof WebhookDispatcher>[0]> = {}) {
    const receiver = await startWebhookReceiver(SECRET, answer);
    const reports: DeliveryReport[] = [];
    const dispatcher = new WebhookDispatcher({ webhooks: [hook(receiver)], onDelivery: (r) => reports.push(r), backoff: FAST, timeoutMs: 2000, ...options });
    cleanups.push(() => receiver.close(), () => dispatcher.close());
    return { receiver, reports, dispatcher };
  }

  it('delivers a signed JSON body that the receiver verifies over the exact bytes', async () => {
    const { receiver, reports, dispatcher } = await setup();
    const [deliveryId] = dispatcher.notify('job.completed', jobView());
    await dispatcher.idle();
    const [r] = await receiver.waitFor(1);
    expect(r!.verified).toBe(true);
    expect(r!.headers).toMatchObject({ 'content-type': 'application/json', 'ferry-event': 'job.completed', 'ferry-delivery': deliveryId });
    expect(r!.headers['ferry-signature']).toBe(signPayload(SECRET, String(r!.headers['ferry-timestamp']), r!.raw));
    const body = JSON.parse(r!.raw.toString('utf8')) as WebhookPayload;
    expect(body).toMatchObject({ id: deliveryId, event: 'job.completed', job: { id: 7, name: 'Dataset ünïcode ✓', kind: 'upload', state: 'completed', result: 'partial', counts: { processed: 9, failed: 1 }, destinationId: 'dest-a', attempts: 1, startedAt: 2, finishedAt: 3 } });
    expect(Object.keys(body.job).sort()).toEqual(['attempts', 'counts', 'destinationId', 'error', 'finishedAt', 'id', 'kind', 'name', 'result', 'startedAt', 'state']);
    expect(new Date(body.createdAt).getTime()).toBeGreaterThan(Date.now() - 60_000);
    expect(reports).toEqual([expect.objectContaining({ deliveryId, webhookId: 'hook-1', jobId: 7, event: 'job.completed', attempt: 1, status: 200, ok: true, nextAttemptAt: null })]);
  });

  it('detects a wrong secret, a changed byte and a stale timestamp', async () => {
    const { receiver, dispatcher } = await setup();
    dispatcher.notify('job.failed', jobView({ state: 'failed', result: 'failed', error: 'boom' }));
    const [r] = await receiver.waitFor(1);
    const ts = String(r!.headers['ferry-timestamp']);
    const sig = r!.headers['ferry-signature'] as string;
    expect(verifySignature(SECRET, ts, r!.raw, sig)).toBe(true);
    expect(verifySignature('another-secret-entirely', ts, r!.raw, sig)).toBe(false);
    const tampered = Buffer.from(r!.raw);
    const at = tampered.length - 2;
    tampered.writeUInt8(tampered.readUInt8(at) ^ 1, at);
    expect(verifySignature(SECRET, ts, tampered, sig)).toBe(false);
    expect(verifySignature(SECRET, String(Number(ts) + 1), r!.raw, sig)).toBe(false);
    expect(verifySignature(SECRET, ts, r!.raw, sig, { toleranceSeconds: 300, now: Number(ts) + 301 })).toBe(false);
    expect(verifySignature(SECRET, ts, r!.raw, 'sha256=zz')).toBe(false);
    expect(verifySignature(SECRET, ts, r!.raw, undefined)).toBe(false);
  });

  it('retries a 500 with the same delivery id and bytes, then delivers', async () => {
    const { receiver, reports, dispatcher } = await setup((n) => (n === 0 ? { status: 500, body: 'database down' } : { status: 200 }));
    dispatcher.notify('job.completed', jobView());
    await dispatcher.idle();
    const [first, second] = await receiver.waitFor(2);
    expect(second!.headers['ferry-delivery']).toBe(first!.headers['ferry-delivery']);
    expect(second!.raw.equals(first!.raw)).toBe(true);
    expect(first!.verified && second!.verified).toBe(true);
    expect(reports.map((r) => [r.attempt, r.status, r.ok])).toEqual([
      [1, 500, false],
      [2, 200, true],
    ]);
    expect(reports[0]!.error).toBe('webhook(hook-1, job 7, job.completed): receiver answered 500: database down');
    expect(reports[0]!.nextAttemptAt).toBeGreaterThan(0);
  });

  it('waits as long as Retry-After asks on a 429', async () => {
    const { receiver, dispatcher } = await setup((n) => (n === 0 ? { status: 429, headers: { 'Retry-After': '1' } } : { status: 204 }));
    dispatcher.notify('job.completed', jobView());
    await dispatcher.idle();
    const [first, second] = await receiver.waitFor(2);
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(900);
  });

  it('does not retry a 400 (or any other 4xx)', async () => {
    const { receiver, reports, dispatcher } = await setup(() => ({ status: 400, body: 'bad' }));
    dispatcher.notify('job.completed', jobView());
    await dispatcher.idle();
    expect(receiver.received).toHaveLength(1);
    expect(reports).toEqual([expect.objectContaining({ attempt: 1, status: 400, ok: false, nextAttemptAt: null })]);
    expect(dispatcher.pending()).toEqual([]);
  });

  it('sends only the events a webhook asked for, and only for its destination', async () => {
    const receiver = await startWebhookReceiver(SECRET);
    const dispatcher = new WebhookDispatcher({
      webhooks: [
        hook(receiver, { id: 'global', url: receiver.url('/global'), destinationId: null }),
        hook(receiver, { id: 'for-a', url: receiver.url('/a'), destinationId: 'dest-a' }),
        hook(receiver, { id: 'for-b', url: receiver.url('/b'), destinationId: 'dest-b' }),
        hook(receiver, { id: 'failures', url: receiver.url('/failures'), events: ['job.failed'] }),
        hook(receiver, { id: 'off', url: receiver.url('/off'), enabled: false }),
      ],
      backoff: FAST,
    });
    cleanups.push(() => receiver.close(), () => dispatcher.close());
    expect(dispatcher.notify('job.completed', jobView({ destinationId: 'dest-a' }))).toHaveLength(2);
    expect(dispatcher.notify('job.started', jobView({ destinationId: 'dest-a' }))).toHaveLength(0);
    await dispatcher.idle();
    expect(receiver.received.map((r) => r.path).sort()).toEqual(['/a', '/global']);
    expect(() => dispatcher.setWebhooks([{ id: 'x', url: 'ftp://nope', secret: 'short', events: [] }])).toThrow(/webhook "x" is invalid: url: use an http/);
  });

  it('gives up on a receiver that does not answer within the timeout, after the attempts allowed', async () => {
    const { receiver, reports, dispatcher } = await setup(() => 'hang', { timeoutMs: 200, maxAttempts: 2 });
    dispatcher.notify('job.completed', jobView());
    await dispatcher.idle();
    expect(receiver.received).toHaveLength(2);
    expect(reports.map((r) => [r.attempt, r.status, r.ok, r.nextAttemptAt === null])).toEqual([
      [1, null, false, false],
      [2, null, false, true],
    ]);
    expect(reports[0]!.error).toBe('webhook(hook-1, job 7, job.completed): no answer within 200 ms');
    expect(reports[0]!.durationMs).toBeGreaterThanOrEqual(190);
  });

  it('keeps undelivered work as plain JSON that a new dispatcher restores and sends, same id and bytes', async () => {
    const port = await closedPort();
    const reports: DeliveryReport[] = [];
    let reported!: () => void;
    const failed = new Promise<void>((resolve) => (reported = resolve));
    const first = new WebhookDispatcher({
      webhooks: [{ id: 'hook-1', url: `http://127.0.0.1:${port}/hook`, secret: SECRET, events: ['job.completed'] }],
      backoff: { baseMs: 60_000, maxMs: 60_000 },
      onDelivery: (r) => {
        reports.push(r);
        reported();
      },
    });
    const [id] = first.notify('job.completed', jobView());
    await failed;
    expect(reports[0]).toMatchObject({ status: null, ok: false, error: expect.stringMatching(/ECONNREFUSED/) });
    const saved = JSON.parse(JSON.stringify(first.pending())) as unknown;
    first.close();
    expect(saved).toEqual([expect.objectContaining({ deliveryId: id, attempts: 1, webhookId: 'hook-1' })]);
    expect(JSON.stringify(saved)).not.toContain(SECRET);

    const receiver = await startWebhookReceiver(SECRET);
    const second = new WebhookDispatcher({ webhooks: [hook(receiver, { events: ['job.completed'] })], backoff: FAST });
    cleanups.push(() => receiver.close(), () => second.close());
    second.restore((saved as { notBefore: number }[]).map((d) => ({ ...d, notBefore: 0 })));
    await second.idle();
    const [r] = await receiver.waitFor(1);
    expect(r!.headers['ferry-delivery']).toBe(id);
    expect(r!.raw.toString()).toBe((saved as { body: string }[])[0]!.body);
    expect(r!.verified).toBe(true);
  });

  it('a test delivery is signed, sent at once, and says in plain words what the receiver answered', async () => {
    const receiver = await startWebhookReceiver(SECRET, (n) => (n === 0 ? { status: 200 } : { status: 404, body: 'no such hook' }));
    cleanups.push(() => receiver.close());
    const dispatcher = new WebhookDispatcher({ webhooks: [] });
    cleanups.push(() => dispatcher.close());
    const passed = await dispatcher.sendTest({ id: 'hook-1', url: receiver.url('/ferry'), secret: SECRET });
    expect(passed).toMatchObject({ ok: true, status: 200 });
    expect(passed.message).toMatch(/^The receiver answered 200 OK in \d+ ms\.$/);
    const [got] = await receiver.waitFor(1);
    expect(got!.verified).toBe(true);
    expect(got!.headers['ferry-event']).toBe('test');
    expect(JSON.parse(got!.raw.toString('utf8'))).toMatchObject({ event: 'test', test: true });

    const refused = await dispatcher.sendTest({ id: 'hook-1', url: receiver.url('/ferry'), secret: SECRET });
    expect(refused).toMatchObject({ ok: false, status: 404 });
    expect(refused.message).toMatch(/^The receiver answered 404 Not Found in \d+ ms: “no such hook”\.$/);

    const port = await closedPort();
    const nobody = await dispatcher.sendTest({ id: 'hook-1', url: `http://127.0.0.1:${port}/hook`, secret: SECRET });
    expect(nobody).toMatchObject({ ok: false, status: null });
    expect(nobody.message).toBe(`No answer: Nothing is listening at 127.0.0.1:${port}: the connection was refused. Check the address and the port, and that the server is running.`);
    // Not queued, not retried.
    expect(dispatcher.pending()).toEqual([]);
    expect(receiver.received).toHaveLength(2);
  });

  it('bridges a real engine job to job.started and job.completed deliveries', async () => {
    const receiver = await startWebhookReceiver(SECRET);
    const dispatcher = new WebhookDispatcher({ webhooks: [hook(receiver, { events: ['job.started', 'job.completed'] })], backoff: FAST });
    const fixture = startEngine();
    const stop = bridgeJobWebhooks(fixture.engine.services.jobs, (event, job) => dispatcher.notify(event, job));
    cleanups.push(() => receiver.close(), () => dispatcher.close(), () => fixture.dispose(), stop);
    const job = await fixture.engine.commands.createDemoJob({ items: 3, failRate: 0, itemDelayMs: 150, linesPerItem: 1, priority: 'normal' });
    await waitForJob(fixture.engine, job.id, (j) => j.state === 'completed');
    const received = await receiver.waitFor(2);
    const bodies = received.map((r) => JSON.parse(r.raw.toString()) as WebhookPayload);
    expect(bodies.map((b) => [b.event, b.job.id, b.job.state])).toEqual([
      ['job.started', job.id, 'running'],
      ['job.completed', job.id, 'completed'],
    ]);
    expect(bodies[1]!.job.result).toBe('success');
    expect(received.every((r) => r.verified)).toBe(true);
  });
});
