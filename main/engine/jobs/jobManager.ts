import { conflict, FerryError, notFound } from '../../../shared/errors';
import type { JobsChanged } from '../../../shared/contract';
import { isFinished, nextState, type JobAction, type JobEventType, type JobKind, type JobState, type JobView, type Priority } from '../../../shared/model';
import { PRIORITY_RANK, type JobRow, type JobsRepo, type NewJob } from '../db/jobsRepo';
import type { LogStore } from '../logs/logStore';
import { createLogger } from '../util/logger';
import { ActiveJob } from './activeJob';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffPolicy } from './backoff';
import { toJobView, type LiveProgress } from './jobView';
import { reopenLog, writeFooter, writeHeader } from './logFormat';
import { makeRunnerContext } from './runnerContext';
import type { JobRunner } from './runner';

const log = createLogger('jobs');
const CHANGE_BATCH_MS = 100;
const PROGRESS_SAVE_MS = 1000;

export interface SchedulerLimits {
  /** Jobs running at once, over all kinds. */
  concurrency: number;
  perKind?: Partial<Record<JobKind, number>>;
  perDestination?: number;
}

export interface JobManagerOptions {
  limits: SchedulerLimits;
  backoff?: BackoffPolicy;
}

/**
 * The scheduler and state machine. Every state change goes through `transition`, which consults
 * the one table in shared/model.ts, writes the row, the event and a log line, and announces it.
 */
export class JobManager {
  private readonly active = new Map<number, ActiveJob>();
  private readonly running = new Map<number, Promise<void>>();
  readonly live = new Map<number, LiveProgress>();
  private readonly dirty = new Set<number>();
  private readonly removed = new Set<number>();
  private readonly listeners = new Set<(batch: JobsChanged) => void>();
  private readonly finishedListeners = new Set<(view: JobView) => void>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private batchTimer: NodeJS.Timeout | undefined;
  private progressTimer: NodeJS.Timeout | undefined;
  private stopping = false;
  private started = false;

  constructor(
    private readonly repo: JobsRepo,
    private readonly logs: LogStore,
    private readonly runners: ReadonlyMap<JobKind, JobRunner>,
    private readonly options: JobManagerOptions,
  ) {}

  get limits(): SchedulerLimits {
    return this.options.limits;
  }

  /** Recovers what was running when the process died, then starts scheduling. */
  start(): void {
    if (this.started) return;
    this.started = true;
    for (const row of this.repo.byState('running')) {
      this.transition(row, 'requeue', 'recovered', 'Recovered after restart; resuming from saved state');
    }
    this.progressTimer = setInterval(() => this.saveProgress(), PROGRESS_SAVE_MS);
    this.progressTimer.unref();
    this.pump();
  }

  /** Stops every runner without changing states, so that the next start resumes them. */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const t of this.timers) clearTimeout(t);
    if (this.progressTimer) clearInterval(this.progressTimer);
    for (const a of this.active.values()) a.cancel('engine shutting down');
    await Promise.race([Promise.allSettled([...this.running.values()]), new Promise((r) => setTimeout(r, 5000))]);
    this.saveProgress();
    this.flushChanges();
    if (this.batchTimer) clearTimeout(this.batchTimer);
  }

  create(job: NewJob, params: Record<string, unknown> = {}): JobView {
    const row = this.repo.insert(job);
    const w = this.logs.writer(row.id);
    writeHeader(w, row, params);
    w.event({ type: 'created', state: row.state, stage: null, message: `Job ${row.id} created` });
    w.flush();
    this.markChanged(row.id);
    this.pump();
    return this.view(row.id);
  }

  get(id: number): JobRow {
    const row = this.repo.get(id);
    if (!row) throw notFound(`job ${id} does not exist`, { id });
    return row;
  }

  view(id: number): JobView {
    return toJobView(this.get(id), this.active.get(id), this.live.get(id));
  }

  viewOf(row: JobRow): JobView {
    return toJobView(row, this.active.get(row.id), this.live.get(row.id));
  }

  /** Finished for readers: a final state and nothing left to write. */
  isDone(id: number): boolean {
    const row = this.repo.get(id);
    return !row || (isFinished(row.state) && !this.active.has(id));
  }

  pause(id: number): JobView {
    const row = this.get(id);
    this.transition(row, 'pause', 'paused', 'Paused');
    this.active.get(id)?.close();
    this.pump();
    return this.view(id);
  }

  resume(id: number): JobView {
    const row = this.get(id);
    const active = this.active.get(id);
    this.transition(row, 'resume', 'resumed', 'Resumed');
    if (active && !active.parked) {
      // Paused and resumed before reaching a checkpoint: it never gave up its slot.
      this.transition(this.get(id), 'start', 'started', 'Running');
      active.open();
    }
    this.pump();
    return this.view(id);
  }

  cancel(id: number): JobView {
    const row = this.get(id);
    const active = this.active.get(id);
    this.transition(row, 'cancel', 'canceled', 'Canceled by user', { final: !active });
    active?.cancel(`job ${id} canceled`);
    if (!active) this.finish(id, 'canceled');
    this.pump();
    return this.view(id);
  }

  stopAfterCurrent(id: number): JobView {
    const row = this.get(id);
    if (row.state !== 'running') throw conflict(`stopAfterCurrent(job ${id}): only a running job can stop after its current item (it is ${row.state})`);
    this.repo.update(id, { stop_after_current: 1 });
    this.event(id, 'stage', row.state, 'Will pause after the current item');
    this.markChanged(id);
    return this.view(id);
  }

  retry(id: number): JobView {
    const row = this.get(id);
    if (!nextState(row.state, 'retry')) throw conflict(`retry(job ${id}): only a failed or canceled job can be retried (it is ${row.state})`);
    reopenLog(this.logs.writer(id), row.attempts + 1);
    this.transition(row, 'retry', 'retried', `Retry requested (attempt ${row.attempts + 1} of ${Math.max(row.max_attempts, row.attempts + 1)})`, {
      patch: { attempts: row.attempts + 1, max_attempts: Math.max(row.max_attempts, row.attempts + 1), result: null, error: null, finished_at: null, not_before: null },
    });
    this.pump();
    return this.view(id);
  }

  setPriority(id: number, priority: Priority): JobView {
    const row = this.get(id);
    if (isFinished(row.state)) throw conflict(`setPriority(job ${id}): a ${row.state} job has no priority to change`);
    this.repo.update(id, { priority: PRIORITY_RANK[priority] });
    this.event(id, 'priority', row.state, `Priority set to ${priority}`);
    this.markChanged(id);
    this.pump();
    return this.view(id);
  }

  /** Slot holders: runners not parked at a paused checkpoint. */
  private slotHolders(): ActiveJob[] {
    return [...this.active.values()].filter((a) => !a.parked);
  }

  runningCount(): number {
    return this.slotHolders().length;
  }

  /** Fills free slots with the best queued jobs that their kind and destination limits allow. */
  pump(): void {
    if (this.stopping || !this.started) return;
    const limits = this.options.limits;
    let free = limits.concurrency - this.runningCount();
    if (free <= 0) return;
    const now = Date.now();
    const candidates = this.repo.nextQueued(now, free + 64);
    const holders = this.slotHolders().map((a) => this.repo.get(a.jobId)).filter((r): r is JobRow => !!r);
    for (const row of candidates) {
      if (free <= 0) break;
      const kindLimit = limits.perKind?.[row.kind];
      if (kindLimit !== undefined && holders.filter((h) => h.kind === row.kind).length >= kindLimit) continue;
      if (limits.perDestination !== undefined && row.destination_id !== null &&
          holders.filter((h) => h.destination_id === row.destination_id).length >= limits.perDestination) continue;
      this.launch(row);
      holders.push(row);
      free--;
    }
  }

  private launch(row: JobRow): void {
    const existing = this.active.get(row.id);
    if (existing) {
      this.transition(row, 'start', 'started', 'Running');
      existing.rate.reset(this.live.get(row.id)?.done ?? row.done);
      existing.open();
      return;
    }
    const runner = this.runners.get(row.kind);
    const attempts = Math.max(1, row.attempts);
    this.transition(row, 'start', 'started', `Started (attempt ${attempts} of ${row.max_attempts})`, {
      patch: { attempts, started_at: row.started_at ?? Date.now() },
    });
    const active = new ActiveJob(row.id);
    this.active.set(row.id, active);
    active.rate.reset(row.done);
    active.whenParked(() => {
      this.markChanged(row.id);
      this.pump();
    });
    if (!runner) {
      this.settle(row.id, active, undefined, new FerryError('INTERNAL', `no runner for job kind ${row.kind}`));
      return;
    }
    const ctx = makeRunnerContext(this.get(row.id), active, {
      logs: this.logs,
      repo: this.repo,
      live: this.live,
      changed: (id) => this.markChanged(id),
      event: (id, type, message, payload) => this.event(id, type, this.get(id).state, message, payload),
      stopAfterCurrent: (id) => this.honourStopAfterCurrent(id),
    });
    const done = runner.run(ctx).then(
      (outcome) => this.settle(row.id, active, outcome),
      (err: unknown) => this.settle(row.id, active, undefined, err),
    );
    this.running.set(row.id, done);
  }

  /** At a checkpoint: a job asked to stop after its current item pauses now. */
  private honourStopAfterCurrent(id: number): void {
    const row = this.get(id);
    if (row.stop_after_current !== 1 || row.state !== 'running') return;
    this.transition(row, 'pause', 'paused', 'Paused after the current item, as asked', { patch: { stop_after_current: 0 } });
    this.active.get(id)?.close();
  }

  private settle(id: number, active: ActiveJob, outcome?: { result: 'success' | 'partial'; summary?: Record<string, unknown> }, err?: unknown): void {
    this.running.delete(id);
    if (this.stopping) {
      this.active.delete(id);
      return;
    }
    this.saveProgress(id);
    const row = this.repo.get(id);
    if (!row) {
      this.active.delete(id);
      return;
    }
    const canceled = row.state === 'canceled' || (err instanceof FerryError && err.code === 'CANCELED');
    if (canceled) {
      if (row.state !== 'canceled') this.transition(row, 'cancel', 'canceled', 'Canceled', { final: true });
      this.finish(id, 'canceled', undefined, outcome?.summary);
    } else if (outcome) {
      this.transition(row, 'complete', 'completed', outcome.result === 'success' ? 'Completed' : 'Completed with failures', {
        final: true,
        patch: { result: outcome.result },
      });
      this.finish(id, outcome.result, undefined, outcome.summary);
    } else {
      const message = err instanceof Error ? err.message : String(err);
      const retriable = !(err instanceof FerryError) || (err.details as { retriable?: boolean } | undefined)?.retriable !== false;
      if (row.state === 'running' && retriable && row.attempts < row.max_attempts) {
        const delay = backoffDelay(row.attempts, this.options.backoff ?? DEFAULT_BACKOFF);
        this.transition(row, 'requeue', 'retried', `Attempt ${row.attempts} failed: ${message}; retrying in ${(delay / 1000).toFixed(1)} s`, {
          patch: { attempts: row.attempts + 1, not_before: Date.now() + delay, error: message },
        });
        const t = setTimeout(() => {
          this.timers.delete(t);
          this.pump();
        }, delay + 5);
        this.timers.add(t);
      } else if (row.state === 'paused') {
        this.repo.update(id, { error: message });
        this.event(id, 'failed', 'paused', `Stopped with an error while paused: ${message}; resume to try again`);
      } else {
        this.transition(row, 'fail', 'failed', `Failed: ${message}`, { final: true, patch: { error: message, result: 'failed' } });
        this.finish(id, 'failed', message);
      }
    }
    this.active.delete(id);
    this.live.delete(id);
    this.logs.poke(id);
    this.markChanged(id);
    this.pump();
  }

  /** Writes the footer, fsyncs and closes the log: the job will write no more. */
  private finish(id: number, result: 'success' | 'partial' | 'failed' | 'canceled', error?: string, summary?: Record<string, unknown>): void {
    const row = this.get(id);
    const view = this.viewOf(row);
    writeFooter(this.logs.writer(id), row, result, error, summary);
    this.repo.update(id, { result, finished_at: row.finished_at ?? Date.now(), stage: null });
    this.logs.finish(id);
    for (const l of this.finishedListeners) l({ ...view, result });
  }

  /**
   * Applies one action from the transition table, or answers CONFLICT and changes nothing.
   * `final` makes the event carry the finished timestamp.
   */
  private transition(
    row: JobRow,
    action: JobAction,
    type: JobEventType,
    message: string,
    opts: { final?: boolean; patch?: Partial<JobRow> } = {},
  ): JobState {
    const to = nextState(row.state, action);
    if (!to) throw conflict(`${action}(job ${row.id}): not allowed while ${row.state.replace('_', ' ')}`, { id: row.id, state: row.state, action });
    const patch: Partial<JobRow> = { ...opts.patch, state: to };
    if (opts.final) patch.finished_at = Date.now();
    if (to === 'queued' && !('not_before' in patch)) patch.not_before = null;
    const live = this.live.get(row.id);
    if (live) Object.assign(patch, { done: live.done, total: live.total, processed: live.processed, failed: live.failed });
    this.repo.update(row.id, patch);
    this.event(row.id, type, to, message);
    log.debug(`job ${row.id}: ${row.state} -> ${to} (${action})`);
    return to;
  }

  /** Records an event (and the same words in the human log) and announces the change. */
  event(id: number, type: JobEventType, state: JobState, message: string, payload?: Record<string, unknown>): void {
    const w = this.logs.writer(id);
    const row = this.repo.get(id);
    w.event({ type, state, stage: row?.stage ?? null, message, ...(payload ? { payload } : {}) });
    if (type !== 'progress' && type !== 'log') w.line(`-- ${message}`);
    w.flush();
    this.markChanged(id);
  }

  private saveProgress(only?: number): void {
    for (const [id, p] of this.live) {
      if (only !== undefined && id !== only) continue;
      this.repo.update(id, { done: p.done, total: p.total, processed: p.processed, failed: p.failed });
    }
  }

  markChanged(id: number): void {
    this.dirty.add(id);
    if (!this.batchTimer) {
      this.batchTimer = setTimeout(() => this.flushChanges(), CHANGE_BATCH_MS);
    }
  }

  markRemoved(id: number): void {
    this.removed.add(id);
    this.dirty.delete(id);
    this.markChanged(-1);
  }

  private flushChanges(): void {
    this.batchTimer = undefined;
    const upserts: JobView[] = [];
    for (const id of this.dirty) {
      const row = id > 0 ? this.repo.get(id) : undefined;
      if (row) upserts.push(this.viewOf(row));
    }
    const removed = [...this.removed];
    this.dirty.clear();
    this.removed.clear();
    if (upserts.length === 0 && removed.length === 0) return;
    for (const l of this.listeners) l({ upserts, removed });
  }

  /** Listens to batched job changes; returns the function that stops listening. */
  onChanged(listener: (batch: JobsChanged) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Listens to jobs reaching a final state (for notifications and webhooks). */
  onFinished(listener: (view: JobView) => void): () => void {
    this.finishedListeners.add(listener);
    return () => this.finishedListeners.delete(listener);
  }

  activeRates(): { bytesPerSecond: number; done: number; total: number } {
    let bytesPerSecond = 0;
    let done = 0;
    let total = 0;
    for (const a of this.active.values()) {
      const p = this.live.get(a.jobId);
      if (!p) continue;
      if (p.unit === 'bytes') bytesPerSecond += a.rate.rate;
      if (p.total > 0) {
        done += p.done / p.total;
        total += 1;
      }
    }
    return { bytesPerSecond, done, total };
  }
}
