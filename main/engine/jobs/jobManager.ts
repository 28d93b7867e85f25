import { conflict, notFound } from '../../../shared/errors';
import type { JobsChanged } from '../../../shared/contract';
import { ACTOR_LABELS, isFinished, nextState, type Actor, type JobEventType, type JobKind, type JobState, type JobView, type Priority } from '../../../shared/model';
import type { EngineStateRepo } from '../db/engineStateRepo';
import { PRIORITY_RANK, summaryOf, type JobRow, type JobSummaryRow, type JobsRepo, type NewJob } from '../db/jobsRepo';
import type { LogStore } from '../logs/logStore';
import type { ActiveJob } from './activeJob';
import { Attempts } from './attempts';
import type { BackoffPolicy } from '../../../shared/backoff';
import { ChangeFeed } from './changeFeed';
import { JobRecorder, type RecorderDeps } from './jobRecorder';
import { toJobView, type LiveProgress } from './jobView';
import { resolvePolicy, type KindPolicies, type KindPolicy } from './kindPolicy';
import { reopenLog, writeHeader } from './logFormat';
import { ProgressSaver } from './progressSaver';
import { recoverJobs } from './recovery';
import type { JobRunner } from './runner';
import { fillSlots, type SchedulerLimits } from './scheduler';
import { parseStages } from './stageTimes';
import { StallWatch } from './stallWatch';

export type { SchedulerLimits };

export interface JobManagerOptions {
  limits: SchedulerLimits;
  /** Retry backoff for every kind (a shorthand for `basePolicy.backoff`). */
  backoff?: BackoffPolicy;
  /** Applies to every kind, over the runners' own policies (tests use it for short times). */
  basePolicy?: Partial<KindPolicy>;
  /** Per kind, over everything else. */
  policies?: KindPolicies;
  /** A runner that ignores cancel or its timeout this long is given up on (default 10 s). */
  abandonAfterMs?: number;
  /** Where the held-queue flag survives restarts. */
  state?: EngineStateRepo;
  /** The URL that follows a job's log over HTTP, written into its header; null when the host serves none. */
  monitorUrl?: (id: number) => string | null;
  /** A job's per-item results for its footer (see RecorderDeps). */
  itemResults?: RecorderDeps['itemResults'];
  /** Told when a job was deleted (the search indexer forgets it; secrets kept for it go). */
  onDeleted?: (id: number, row: JobRow) => void;
}

const QUEUE_PAUSED_KEY = 'queue.paused';

/**
 * The scheduler and state machine behind the job commands. State changes go through the
 * JobRecorder (one transition table); runners are started and ended by Attempts; the queue is
 * filled by fillSlots. Commands that the table does not allow answer CONFLICT and change nothing.
 */
export class JobManager {
  private readonly active = new Map<number, ActiveJob>();
  private readonly saver: ProgressSaver;
  private readonly changes: ChangeFeed;
  private readonly recorder: JobRecorder;
  private readonly attempts: Attempts;
  private readonly stall: StallWatch;
  private readonly policies = new Map<JobKind, KindPolicy>();
  private wake: { timer: NodeJS.Timeout; at: number } | undefined;
  private held: boolean;
  private stopping = false;
  private started = false;

  constructor(
    private readonly repo: JobsRepo,
    private readonly logs: LogStore,
    private readonly runners: ReadonlyMap<JobKind, JobRunner>,
    private readonly options: JobManagerOptions,
  ) {
    this.held = options.state?.get(QUEUE_PAUSED_KEY, false) ?? false;
    this.saver = new ProgressSaver(repo, (id) => logs.flushJob(id));
    this.changes = new ChangeFeed((id) => {
      const row = repo.get(id);
      return row ? this.viewOf(row) : undefined;
    });
    this.recorder = new JobRecorder({
      repo,
      logs,
      saver: this.saver,
      active: this.active,
      changes: this.changes,
      view: (row) => this.viewOf(row),
      ...(options.itemResults ? { itemResults: options.itemResults } : {}),
    });
    // Stalls are looked for four times per the shortest stall time of any kind (50 ms to 5 s).
    const shortestStall = Math.min(...[...runners.keys()].map((k) => this.policy(k).stallAfterMs), this.policy('demo').stallAfterMs);
    this.stall = new StallWatch(
      this.active,
      (a) => this.policy(a.slot.kind).stallAfterMs,
      (a, idle) => this.recorder.event(a.jobId, 'stalled', 'running', `No progress for ${Math.round(idle / 1000)} s`, { idleMs: idle }),
      (a, idle) => this.recorder.event(a.jobId, 'unstalled', 'running', `Progressing again after ${Math.round(idle / 1000)} s`, { idleMs: idle }),
      Math.min(5000, Math.max(50, Math.floor(shortestStall / 4))),
    );
    this.attempts = new Attempts({
      repo,
      logs,
      recorder: this.recorder,
      saver: this.saver,
      changes: this.changes,
      stall: this.stall,
      active: this.active,
      runners,
      policy: (kind) => this.policy(kind),
      pump: () => this.pump(),
      stopping: () => this.stopping,
      abandonAfterMs: options.abandonAfterMs ?? 10_000,
    });
  }

  get limits(): SchedulerLimits {
    return this.options.limits;
  }

  /** Live progress of running jobs (newer than their rows). */
  get live(): Map<number, LiveProgress> {
    return this.saver.live;
  }

  /** The policy of a kind: defaults, the runner's own, then the engine's options. */
  policy(kind: JobKind): KindPolicy {
    let p = this.policies.get(kind);
    if (!p) {
      const base = { ...(this.options.backoff ? { backoff: this.options.backoff } : {}), ...this.options.basePolicy };
      p = resolvePolicy(kind, this.runners.get(kind)?.policy, this.options.policies, base);
      this.policies.set(kind, p);
    }
    return p;
  }

  /** Replaces the per-kind overrides (the settings' timeouts, say); attempts started from now on use them. */
  setPolicies(policies: KindPolicies): void {
    this.options.policies = policies;
    this.policies.clear();
  }

  /** Seals what a crash left unsealed, requeues what was running, then starts scheduling. */
  start(): void {
    if (this.started) return;
    this.started = true;
    recoverJobs(this.repo, this.logs, this.recorder);
    this.stall.start();
    this.pump();
  }

  /** Stops every runner without changing states, so that the next start resumes them. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.wake) clearTimeout(this.wake.timer);
    this.stall.stop();
    for (const a of this.active.values()) {
      if (this.repo.get(a.jobId)?.state === 'running') {
        this.recorder.event(a.jobId, 'log', 'running', 'The engine is stopping; the job resumes from here at the next start');
      }
      a.cancel('engine shutting down');
    }
    await this.attempts.drain(5000);
    this.saver.stop();
    this.changes.stop();
  }

  create(job: NewJob, params: Record<string, unknown> = {}): JobView {
    const row = this.repo.insert({ ...job, maxAttempts: job.maxAttempts ?? this.policy(job.kind).maxAttempts });
    const w = this.logs.writer(row.id);
    writeHeader(w, row, params, this.options.monitorUrl?.(row.id) ?? null);
    w.event({ type: 'created', state: row.state, stage: null, message: `Job ${row.id} created` });
    this.logs.release(row.id);
    this.changes.changed(row.id);
    this.pump();
    return this.view(row.id);
  }

  get(id: number): JobRow {
    const row = this.repo.get(id);
    if (!row) throw notFound(`job ${id} does not exist`, { id });
    return row;
  }

  /** One job with everything known of it (its stage times too, which lists leave out). */
  view(id: number): JobView {
    const row = this.get(id);
    return { ...this.viewOf(row), stages: parseStages(row.stages) };
  }

  viewOf(row: JobSummaryRow | JobRow): JobView {
    return toJobView('in_pipeline' in row ? row : summaryOf(row), this.active.get(row.id), this.saver.live.get(row.id));
  }

  /** Finished for readers: a final state and nothing left to write. */
  isDone(id: number): boolean {
    const row = this.repo.get(id);
    return !row || (isFinished(row.state) && !this.active.has(id) && !this.attempts.isDiscarding(id));
  }

  pause(id: number): JobView {
    this.recorder.transition(this.get(id), 'pause', 'paused', 'Paused');
    this.active.get(id)?.close();
    this.pump();
    return this.view(id);
  }

  resume(id: number, by?: Actor): JobView {
    const active = this.active.get(id);
    this.recorder.transition(this.get(id), 'resume', 'job_resumed', by ? `Resumed by ${ACTOR_LABELS[by]}` : 'Resumed', {}, by ? { by } : undefined);
    if (active && !active.parked) {
      // Paused and resumed before reaching a checkpoint: it never gave up its slot.
      this.recorder.transition(this.get(id), 'start', 'started', 'Running');
      active.open();
    }
    this.pump();
    return this.view(id);
  }

  cancel(id: number): JobView {
    const active = this.active.get(id);
    this.recorder.transition(this.get(id), 'cancel', 'canceled', 'Canceled by user');
    if (active) {
      // The attempt ends, then the kind discards what it left at the destination (Attempts).
      active.cancel(`job ${id} canceled`);
      this.attempts.abandonLater(active, active.abort.signal.reason as Error);
    } else if (!this.attempts.discardThen(this.get(id), () => this.recorder.seal(id, 'canceled'))) {
      this.recorder.seal(id, 'canceled');
    }
    this.pump();
    return this.view(id);
  }

  stopAfterCurrent(id: number): JobView {
    const row = this.get(id);
    if (row.state !== 'running') throw conflict(`stopAfterCurrent(job ${id}): only a running job can stop after its current item (it is ${row.state})`);
    if (row.stop_after_current !== 1) {
      this.repo.update(id, { stop_after_current: 1 });
      const active = this.active.get(id);
      if (active) active.stopAfterCurrent = true;
      this.recorder.event(id, 'stop_requested', row.state, 'Will pause after the current item');
    }
    return this.view(id);
  }

  retry(id: number): JobView {
    const row = this.get(id);
    if (!nextState(row.state, 'retry')) throw conflict(`retry(job ${id}): only a failed or canceled job can be retried (it is ${row.state})`);
    return this.newAttempt(row, 'retry', (attempt, max) => `Retry requested (attempt ${attempt} of ${max})`);
  }

  /**
   * Queues a new attempt of a completed job whose runner picks up what is left (an upload's failed
   * files). Whether there is anything to pick up is the caller's rule (UploadService.resendFailed).
   */
  resend(id: number, message: (attempt: number, max: number) => string): JobView {
    const row = this.get(id);
    if (!nextState(row.state, 'resend')) throw conflict(`resendFailed(job ${id}): only a completed job can send its failed files again (it is ${row.state})`);
    return this.newAttempt(row, 'resend', message);
  }

  private newAttempt(row: JobRow, action: 'retry' | 'resend', message: (attempt: number, max: number) => string): JobView {
    const id = row.id;
    const op = action === 'retry' ? 'retry' : 'resendFailed';
    if (this.active.has(id) || this.attempts.isDiscarding(id)) throw conflict(`${op}(job ${id}): its last attempt is still stopping; try again in a moment`);
    const attempt = row.attempts + 1;
    const max = Math.max(row.max_attempts, attempt);
    reopenLog(this.logs.writer(id), attempt);
    this.recorder.transition(row, action, 'retried', message(attempt, max), {
      attempts: attempt,
      max_attempts: max,
      result: null,
      error: null,
      finished_at: null,
      not_before: null,
      queue_order: this.repo.nextQueueOrder(),
    });
    this.pump();
    return this.view(id);
  }

  /**
   * Lets a job waiting at an approval gate into the queue: `gate_approved` (or `gate_timed_out`
   * when the timeout decided) says who and when, then `job_resumed` that it goes on.
   */
  approve(id: number, by: Actor, message = `Approved by ${ACTOR_LABELS[by]}`): JobView {
    const decidedAt = Date.now();
    this.recorder.transition(this.get(id), 'approve', by === 'timeout' ? 'gate_timed_out' : 'gate_approved', message, {}, { by, decidedAt, decision: 'approved' });
    this.recorder.event(id, 'job_resumed', 'queued', 'Resumed after approval', { by });
    this.pump();
    return this.view(id);
  }

  /** Turns down a job waiting at an approval gate: it ends canceled (`gate_rejected`, or `gate_timed_out`). */
  reject(id: number, by: Actor, message = `Rejected by ${ACTOR_LABELS[by]}`): JobView {
    const decidedAt = Date.now();
    this.recorder.transition(this.get(id), 'reject', by === 'timeout' ? 'gate_timed_out' : 'gate_rejected', message, {}, { by, decidedAt, decision: 'rejected' });
    this.recorder.seal(id, 'canceled');
    return this.view(id);
  }

  setPriority(id: number, priority: Priority): JobView {
    const row = this.get(id);
    if (isFinished(row.state)) throw conflict(`setPriority(job ${id}): a ${row.state} job has no priority to change`);
    if (row.priority !== PRIORITY_RANK[priority]) {
      this.repo.update(id, { priority: PRIORITY_RANK[priority] });
      this.recorder.event(id, 'priority', row.state, `Priority set to ${priority}`);
      this.pump();
    }
    return this.view(id);
  }

  /** Deletes a job with its files; refused while a runner is alive (a running job: cancel it first). */
  delete(id: number): void {
    this.assertDeletable(id);
    const row = this.get(id);
    this.repo.delete(id);
    this.logs.remove(id);
    this.saver.drop(id);
    this.options.onDeleted?.(id, row);
    this.changes.removedJob(id);
  }

  /** Throws CONFLICT while the job cannot be deleted (a runner or a discard is still at work). */
  assertDeletable(id: number): JobRow {
    const row = this.get(id);
    if (this.active.has(id) || this.attempts.isDiscarding(id) || row.state === 'running') {
      throw conflict(
        row.state === 'canceled'
          ? `deleteJob(job ${id}): it is still stopping; try again in a moment`
          : `deleteJob(job ${id}): cancel it first (it is ${row.state})`,
        { id, state: row.state },
      );
    }
    return row;
  }

  /** Holds the queue (nothing new starts) or releases it. */
  setQueuePaused(paused: boolean): boolean {
    this.held = paused;
    this.options.state?.put(QUEUE_PAUSED_KEY, paused);
    if (!paused) this.pump();
    return this.held;
  }

  get queuePaused(): boolean {
    return this.held;
  }

  /** Slot holders: runners not parked at a paused checkpoint. */
  private slotHolders(): ActiveJob[] {
    return [...this.active.values()].filter((a) => !a.parked && !a.detached);
  }

  runningCount(): number {
    return this.slotHolders().length;
  }

  stalledCount(): number {
    let n = 0;
    for (const a of this.active.values()) if (a.stalled) n++;
    return n;
  }

  /** Fills free slots, then sets a timer for the earliest job waiting out a retry backoff. */
  pump(): void {
    if (this.stopping || !this.started || this.held) return;
    const now = Date.now();
    fillSlots(this.repo, this.options.limits, this.slotHolders().map((a) => a.slot), (row) => this.attempts.launch(row), now);
    const next = this.repo.nextNotBefore();
    if (next !== null && next > now && (!this.wake || next < this.wake.at)) {
      if (this.wake) clearTimeout(this.wake.timer);
      const timer = setTimeout(() => {
        this.wake = undefined;
        this.pump();
      }, next - now + 5);
      timer.unref();
      this.wake = { timer, at: next };
    }
  }

  /** Records an event for a job (kinds and services add their own, such as webhook results). */
  event(id: number, type: JobEventType, state: JobState, message: string, payload?: Record<string, unknown>): void {
    this.recorder.event(id, type, state, message, payload);
  }

  markChanged(id: number): void {
    this.changes.changed(id);
  }

  markRemoved(id: number): void {
    this.changes.removedJob(id);
  }

  /** Listens to batched job changes; returns the function that stops listening. */
  onChanged(listener: (batch: JobsChanged) => void): () => void {
    return this.changes.onChanged(listener);
  }

  /** Listens to jobs reaching a final state (for notifications and webhooks). */
  onFinished(listener: (view: JobView) => void): () => void {
    return this.recorder.onFinished(listener);
  }

  activeRates(): { bytesPerSecond: number; done: number; total: number } {
    let bytesPerSecond = 0;
    let done = 0;
    let total = 0;
    for (const a of this.active.values()) {
      const p = this.saver.live.get(a.jobId);
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
