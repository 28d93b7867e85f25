import { randomUUID } from 'node:crypto';
import http, { STATUS_CODES } from 'node:http';
import https from 'node:https';
import { z } from 'zod';
import { FerryError } from '../../../shared/errors';
import type { JobView } from '../../../shared/model';
import { backoffDelay, type BackoffPolicy } from '../../../shared/backoff';
import { networkProblem } from '../util/connectionProblem';
import { createLogger } from '../util/logger';
import { retriableStatus } from '../upload/transferErrors';
import { parseRetryAfter } from '../util/retryAfter';
import { signPayload } from './signing';

const log = createLogger('webhooks');

import { WEBHOOK_EVENTS, type WebhookEvent, type WebhookTestResult } from '../../../shared/automation';

export { WEBHOOK_EVENTS, type WebhookEvent };

/** A webhook as configured (the contract's saveWebhook input has the same shape). */
export const webhookConfigSchema = z.strictObject({
  id: z.string().min(1).max(64),
  url: z
    .string()
    .max(2048)
    .url()
    .refine((u) => /^https?:\/\//i.test(u), 'use an http:// or https:// address'),
  secret: z.string().min(16, 'a webhook secret has at least 16 characters').max(256),
  events: z.array(z.enum(WEBHOOK_EVENTS)).min(1).max(WEBHOOK_EVENTS.length),
  /** Only jobs of this destination; null or absent: every job. */
  destinationId: z.string().min(1).max(64).nullable().optional(),
  enabled: z.boolean().optional(),
});
export type WebhookConfig = z.input<typeof webhookConfigSchema>;

/** What a receiver learns about the job. */
export type WebhookJob = Pick<JobView, 'id' | 'name' | 'kind' | 'state' | 'result' | 'error' | 'counts' | 'destinationId' | 'attempts' | 'startedAt' | 'finishedAt'>;

/** How far a running job is (sent with `job.progress`). */
export interface WebhookProgress {
  /** Units done and total: bytes for transfers, items for the other kinds. */
  done: number;
  total: number;
  unit: 'items' | 'bytes';
  /** Units per second, smoothed. */
  rate: number;
  /** Milliseconds left by the current rate, or null when unknown. */
  etaMs: number | null;
}

export interface WebhookPayload {
  /** The delivery id (also in `Ferry-Delivery`): the same on every retry, so receivers can drop duplicates. */
  id: string;
  event: WebhookEvent;
  createdAt: string;
  job: WebhookJob;
  /** With `job.progress`: bytes or items done, the speed and the time left. */
  progress?: WebhookProgress;
}

/** One attempt's outcome, for the job's events. */
export interface DeliveryReport {
  deliveryId: string;
  webhookId: string;
  jobId: number;
  event: WebhookEvent;
  attempt: number;
  /** HTTP status, or null when no answer came (refused, reset, timed out). */
  status: number | null;
  ok: boolean;
  error?: string;
  durationMs: number;
  /** When the next attempt is due, or null when this was the last one. */
  nextAttemptAt: number | null;
}

/** A delivery not yet done, as plain JSON: the body is kept as sent, secrets are not kept at all. */
export interface PendingDelivery {
  deliveryId: string;
  webhookId: string;
  jobId: number;
  event: WebhookEvent;
  body: string;
  attempts: number;
  notBefore: number;
}

const pendingSchema = z.object({
  deliveryId: z.string().min(1).max(100),
  webhookId: z.string().min(1).max(64),
  jobId: z.number().int().positive(),
  event: z.enum(WEBHOOK_EVENTS),
  body: z.string().max(1024 * 1024),
  attempts: z.number().int().min(0),
  notBefore: z.number(),
});

export interface WebhookDispatcherOptions {
  webhooks?: WebhookConfig[];
  /** Told after every attempt (the engine records these as 'webhook' job events). */
  onDelivery?: (report: DeliveryReport) => void;
  /** Told when the queue changed, so its owner can persist `pending()`. */
  onQueueChange?: () => void;
  /** Per attempt, from connect to the end of the answer. */
  timeoutMs?: number;
  /** Attempts per delivery, the first included. */
  maxAttempts?: number;
  backoff?: BackoffPolicy;
  /** Attempts in flight at once. */
  concurrency?: number;
}

const ANSWER_SNIPPET = 200;

interface Outcome {
  status: number | null;
  ok: boolean;
  retriable: boolean;
  retryAfterMs?: number;
  error?: string;
  /** The network error when no answer came. */
  cause?: unknown;
  /** The start of the answer's body. */
  snippet?: string;
}

/** What `post` sends: a queued delivery, or a test. */
type Outgoing = Pick<PendingDelivery, 'deliveryId' | 'webhookId' | 'body'> & { jobId: number | null; event: string };

/**
 * Sends signed job events to webhooks: one delivery per (webhook, event, job), retried with the
 * shared backoff on network failures, 408, 429 and 5xx (Retry-After respected), never on other
 * answers. The queue is in memory; `pending()` and `restore()` carry it across restarts.
 */
export class WebhookDispatcher {
  private hooks = new Map<string, z.output<typeof webhookConfigSchema>>();
  private readonly queue = new Map<string, PendingDelivery>();
  private readonly inFlight = new Map<string, AbortController>();
  private readonly idleWaiters = new Set<() => void>();
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly agents = { http: new http.Agent({ keepAlive: true }), https: new https.Agent({ keepAlive: true }) };
  private readonly timeoutMs: number;
  private readonly maxAttempts: number;
  private readonly backoff: BackoffPolicy;
  private readonly concurrency: number;

  constructor(private readonly options: WebhookDispatcherOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.maxAttempts = options.maxAttempts ?? 8;
    this.backoff = options.backoff ?? { baseMs: 2000, maxMs: 10 * 60_000 };
    this.concurrency = options.concurrency ?? 4;
    this.setWebhooks(options.webhooks ?? []);
  }

  /** Replaces the configured webhooks; deliveries to a removed one are dropped when they come due. */
  setWebhooks(list: WebhookConfig[]): void {
    const next = new Map<string, z.output<typeof webhookConfigSchema>>();
    for (const item of list) {
      const parsed = webhookConfigSchema.safeParse(item);
      if (!parsed.success) {
        const issues = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
        throw new FerryError('INVALID_INPUT', `webhooks: webhook ${JSON.stringify((item as { id?: unknown }).id)} is invalid: ${issues}`);
      }
      next.set(parsed.data.id, parsed.data);
    }
    this.hooks = next;
  }

  /** Queues `event` of `job` for every webhook that wants it; answers the delivery ids. */
  notify(event: WebhookEvent, job: JobView): string[] {
    if (this.closed) return [];
    const ids: string[] = [];
    for (const hook of this.hooks.values()) {
      if (hook.enabled === false || !hook.events.includes(event)) continue;
      if (hook.destinationId != null && hook.destinationId !== job.destinationId) continue;
      const deliveryId = randomUUID();
      const payload: WebhookPayload = {
        id: deliveryId,
        event,
        createdAt: new Date().toISOString(),
        job: snapshot(job),
        ...(event === 'job.progress' ? { progress: { done: job.done, total: job.total, unit: job.unit, rate: Math.round(job.rate), etaMs: job.etaMs } } : {}),
      };
      this.queue.set(deliveryId, { deliveryId, webhookId: hook.id, jobId: job.id, event, body: JSON.stringify(payload), attempts: 0, notBefore: 0 });
      ids.push(deliveryId);
    }
    if (ids.length > 0) {
      this.options.onQueueChange?.();
      this.pump();
    }
    return ids;
  }

  /** Deliveries not yet done (in flight included: a crash mid-attempt must not lose them). */
  pending(): PendingDelivery[] {
    return [...this.queue.values()].map((d) => ({ ...d }));
  }

  /** Takes back what `pending()` gave before a restart; malformed entries and known ids are skipped. */
  restore(list: unknown): void {
    if (!Array.isArray(list)) return;
    for (const item of list) {
      const parsed = pendingSchema.safeParse(item);
      if (!parsed.success || this.queue.has(parsed.data.deliveryId)) {
        if (!parsed.success) log.warn('skipping a malformed pending webhook delivery');
        continue;
      }
      this.queue.set(parsed.data.deliveryId, { ...parsed.data });
    }
    this.options.onQueueChange?.();
    this.pump();
  }

  /** Resolves once nothing is queued or in flight. */
  idle(): Promise<void> {
    if (this.queue.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.add(resolve));
  }

  /** Stops sending; attempts in flight are abandoned and stay pending (not counted as attempts). */
  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    for (const ac of this.inFlight.values()) ac.abort();
    this.agents.http.destroy();
    this.agents.https.destroy();
  }

  private pump(): void {
    if (this.closed) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const now = Date.now();
    let next = Number.POSITIVE_INFINITY;
    for (const d of this.queue.values()) {
      if (this.inFlight.has(d.deliveryId)) continue;
      if (d.notBefore > now) {
        next = Math.min(next, d.notBefore);
        continue;
      }
      if (this.inFlight.size >= this.concurrency) break;
      void this.deliver(d);
    }
    if (Number.isFinite(next)) {
      this.timer = setTimeout(() => this.pump(), Math.max(0, next - now));
      this.timer.unref();
    }
  }

  private async deliver(d: PendingDelivery): Promise<void> {
    const hook = this.hooks.get(d.webhookId);
    if (!hook || hook.enabled === false) {
      log.info(`dropping delivery ${d.deliveryId}: webhook ${d.webhookId} is gone or disabled`);
      return this.settle(d.deliveryId);
    }
    const ac = new AbortController();
    this.inFlight.set(d.deliveryId, ac);
    const started = Date.now();
    const outcome = await this.post(hook.url, hook.secret, d, ac.signal);
    this.inFlight.delete(d.deliveryId);
    if (this.closed) return;
    d.attempts++;
    const last = outcome.ok || !outcome.retriable || d.attempts >= this.maxAttempts;
    const nextAttemptAt = last ? null : Date.now() + (outcome.retryAfterMs ?? backoffDelay(d.attempts, this.backoff));
    const report: DeliveryReport = {
      deliveryId: d.deliveryId,
      webhookId: d.webhookId,
      jobId: d.jobId,
      event: d.event,
      attempt: d.attempts,
      status: outcome.status,
      ok: outcome.ok,
      ...(outcome.error ? { error: outcome.error } : {}),
      durationMs: Date.now() - started,
      nextAttemptAt,
    };
    try {
      this.options.onDelivery?.(report);
    } catch (err) {
      log.error('onDelivery failed', err);
    }
    if (nextAttemptAt === null) return this.settle(d.deliveryId);
    d.notBefore = nextAttemptAt;
    this.options.onQueueChange?.();
    this.pump();
  }

  private settle(deliveryId: string): void {
    this.queue.delete(deliveryId);
    this.options.onQueueChange?.();
    if (this.queue.size === 0) {
      for (const w of this.idleWaiters) w();
      this.idleWaiters.clear();
    }
    // Not re-entered from inside pump's loop (a dropped delivery settles synchronously).
    queueMicrotask(() => this.pump());
  }

  /**
   * One signed test delivery now (event `test`, no job), outside the queue and not retried, so a
   * user setting up a receiver sees at once what it answers.
   */
  async sendTest(hook: { id: string; url: string; secret: string }): Promise<WebhookTestResult> {
    const deliveryId = randomUUID();
    const body = JSON.stringify({ id: deliveryId, event: 'test', createdAt: new Date().toISOString(), test: true, message: 'A test delivery from Ferry: nothing happened to any job.' });
    const started = performance.now();
    const outcome = await this.post(hook.url, hook.secret, { deliveryId, webhookId: hook.id, jobId: null, event: 'test', body }, AbortSignal.timeout(this.timeoutMs + 1000));
    const durationMs = Math.round(performance.now() - started);
    const took = `in ${durationMs} ms`;
    if (outcome.status !== null) {
      const status = `${outcome.status}${STATUS_CODES[outcome.status] ? ` ${STATUS_CODES[outcome.status]}` : ''}`;
      const said = outcome.snippet?.trim() ? `: “${outcome.snippet.trim().slice(0, 200)}”` : '';
      const message = outcome.ok
        ? `The receiver answered ${status} ${took}.`
        : outcome.status >= 300 && outcome.status < 400
          ? `The receiver answered ${status} ${took}, a redirect; Ferry does not follow redirects, so use the address it points to.`
          : `The receiver answered ${status} ${took}${said}.`;
      return { ok: outcome.ok, status: outcome.status, durationMs, message };
    }
    const network = networkProblem(outcome.cause ?? new Error(outcome.error), hook.url, this.timeoutMs / 1000);
    const message = network ? `No answer: ${network.message} ${network.hint}` : `No answer: ${outcome.error ?? 'the request failed'}.`;
    return { ok: false, status: null, durationMs, message };
  }

  /** One signed POST; never throws, answers what happened. */
  private post(target: string, secret: string, d: Outgoing, signal: AbortSignal): Promise<Outcome> {
    const op = `webhook(${d.webhookId}, ${d.jobId === null ? 'test' : `job ${d.jobId}`}, ${d.event})`;
    return new Promise((resolve) => {
      const url = new URL(target);
      const body = Buffer.from(d.body, 'utf8');
      const timestamp = String(Math.floor(Date.now() / 1000));
      let done = false;
      const finish = (o: Outcome) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        resolve(o);
      };
      const secure = url.protocol === 'https:';
      const req = (secure ? https : http).request(url, {
        method: 'POST',
        agent: secure ? this.agents.https : this.agents.http,
        signal,
        headers: {
          'Content-Type': 'application/json',
          'Content-Length': body.length,
          'User-Agent': 'Ferry-Webhooks',
          'Ferry-Event': d.event,
          'Ferry-Delivery': d.deliveryId,
          'Ferry-Timestamp': timestamp,
          'Ferry-Signature': signPayload(secret, timestamp, body),
        },
      });
      const timer = setTimeout(() => {
        finish({ status: null, ok: false, retriable: true, error: `${op}: no answer within ${this.timeoutMs} ms`, cause: Object.assign(new Error('timeout'), { name: 'TimeoutError' }) });
        req.destroy();
      }, this.timeoutMs);
      req.on('error', (err) => {
        const code = (err as NodeJS.ErrnoException).code;
        finish({ status: null, ok: false, retriable: true, error: `${op}: ${code && !err.message.includes(code) ? `${code} ` : ''}${err.message}`, cause: err });
      });
      req.on('response', (res) => {
        let snippet = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          if (snippet.length < ANSWER_SNIPPET) snippet += c.slice(0, ANSWER_SNIPPET - snippet.length);
        });
        res.on('error', () => undefined);
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300) return finish({ status, ok: true, retriable: false, snippet });
          const retriable = retriableStatus(status) || status === 408;
          const retryAfterMs = retriable ? parseRetryAfter(res.headers['retry-after']) : undefined;
          const why = status >= 300 && status < 400 ? ` (redirects are not followed${res.headers.location ? `: ${res.headers.location}` : ''})` : snippet.trim() ? `: ${snippet.trim()}` : '';
          finish({ status, ok: false, retriable, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}), error: `${op}: receiver answered ${status}${why}`, snippet });
        });
      });
      req.end(body);
    });
  }
}

function snapshot(job: JobView): WebhookJob {
  const { id, name, kind, state, result, error, counts, destinationId, attempts, startedAt, finishedAt } = job;
  return { id, name, kind, state, result, error, counts: { ...counts }, destinationId, attempts, startedAt, finishedAt };
}
