import { FerryError } from '../../../shared/errors';
import type { JobKind } from '../../../shared/model';
import type { JobRow, JobsRepo } from '../db/jobsRepo';
import type { LogStore } from '../logs/logStore';
import { createLogger } from '../util/logger';
import { ActiveJob } from './activeJob';
import { decideAttempt, errorMessage, type AttemptDecision } from './attemptOutcome';
import type { ChangeFeed } from './changeFeed';
import type { JobRecorder } from './jobRecorder';
import type { KindPolicy } from './kindPolicy';
import { ensureOpenSection } from './logFormat';
import type { ProgressSaver } from './progressSaver';
import type { JobRunner, RunnerOutcome } from './runner';
import { makeRunnerContext } from './runnerContext';
import type { StallWatch } from './stallWatch';

const log = createLogger('jobs');

/** How long a canceled job may spend discarding what it left at its destination. */
const DISCARD_LIMIT_MS = 60_000;

export interface AttemptDeps {
  repo: JobsRepo;
  logs: LogStore;
  recorder: JobRecorder;
  saver: ProgressSaver;
  changes: ChangeFeed;
  stall: StallWatch;
  active: Map<number, ActiveJob>;
  runners: ReadonlyMap<JobKind, JobRunner>;
  policy(kind: JobKind): KindPolicy;
  /** Fill free slots (after a runner parked or ended). */
  pump(): void;
  stopping(): boolean;
  /** A runner that ignores cancel (or its timeout) this long is given up on. */
  abandonAfterMs: number;
}

/**
 * Runs attempts: starts a runner for a queued job (or wakes a parked one), and when it returns or
 * throws applies the one decision of attemptOutcome.ts. A runner that does not stop when asked is
 * detached after a grace time, so a misbehaving kind can never wedge a job or the engine.
 */
export class Attempts {
  private readonly running = new Map<number, Promise<void>>();
  private readonly graceTimers = new Set<NodeJS.Timeout>();
  /** Canceled jobs whose kind is discarding what they left at their destination. */
  private readonly discarding = new Set<number>();
  /** Aborts every discard when the engine stops (the job stays canceled; its log is sealed at the next start). */
  private readonly stopDiscards = new AbortController();

  constructor(private readonly deps: AttemptDeps) {}

  launch(row: JobRow): void {
    const { deps } = this;
    const existing = deps.active.get(row.id);
    if (existing) {
      // A parked runner of a job that was paused and resumed: it continues where it waits.
      deps.recorder.transition(row, 'start', 'started', 'Running');
      existing.rate.reset(deps.saver.live.get(row.id)?.done ?? row.done);
      existing.open();
      return;
    }
    const runner = deps.runners.get(row.kind);
    const policy = deps.policy(row.kind);
    const attempts = Math.max(1, row.attempts);
    ensureOpenSection(deps.logs.writer(row.id), row, attempts);
    const active = new ActiveJob(row.id, { kind: row.kind, destination_id: row.destination_id });
    deps.active.set(row.id, active);
    deps.recorder.transition(row, 'start', 'started', `Started (attempt ${attempts} of ${row.max_attempts})`, {
      attempts,
      started_at: row.started_at ?? Date.now(),
    });
    active.rate.reset(row.done);
    active.whenParked(() => {
      deps.changes.changed(row.id);
      deps.pump();
    });
    if (!runner) {
      this.settle(row.id, active, undefined, new FerryError('INTERNAL', `job ${row.id}: no runner for kind ${row.kind}`, { retriable: false }));
      return;
    }
    if (policy.timeoutMs !== null) {
      const limit = policy.timeoutMs;
      active.limitRunningTime(limit, () => {
        const err = new FerryError('UNAVAILABLE', `job ${row.id}: the attempt ran longer than its ${(limit / 1000).toFixed(1)} s limit`, { timeout: true });
        active.abortWith(err);
        this.abandonLater(active, err);
      });
    }
    const ctx = makeRunnerContext(deps.repo.get(row.id)!, active, {
      logs: deps.logs,
      repo: deps.repo,
      saver: deps.saver,
      recorder: deps.recorder,
      progressed: (a) => {
        deps.stall.progressed(a);
        deps.changes.changed(a.jobId);
      },
      stopAfterCurrent: (id) => this.honourStopAfterCurrent(id),
    });
    const done = Promise.resolve()
      .then(() => runner.run(ctx))
      .then(
        (outcome) => this.settle(row.id, active, outcome),
        (err: unknown) => this.settle(row.id, active, undefined, err),
      );
    this.running.set(row.id, done);
  }

  /** Gives a runner that was told to stop `abandonAfterMs` to do so, then settles without it. */
  abandonLater(active: ActiveJob, err: Error): void {
    const t = setTimeout(() => {
      this.graceTimers.delete(t);
      if (this.deps.active.get(active.jobId) !== active) return;
      log.warn(`job ${active.jobId}: the runner did not stop within ${this.deps.abandonAfterMs} ms; giving up on it`);
      this.settle(active.jobId, active, undefined, err);
    }, this.deps.abandonAfterMs);
    t.unref();
    this.graceTimers.add(t);
  }

  /** At a checkpoint: a job asked to stop after its current item pauses now. */
  private honourStopAfterCurrent(id: number): void {
    const active = this.deps.active.get(id);
    if (!active?.stopAfterCurrent) return;
    active.stopAfterCurrent = false;
    const row = this.deps.repo.get(id);
    if (!row || row.state !== 'running') return;
    this.deps.recorder.transition(row, 'pause', 'paused', 'Paused after the current item, as asked', { stop_after_current: 0 });
    active.close();
  }

  private settle(id: number, active: ActiveJob, outcome?: RunnerOutcome, err?: unknown): void {
    const { deps } = this;
    // A runner given up on earlier ends here without effect.
    if (deps.active.get(id) !== active) return;
    active.detached = true;
    active.clearTimeout();
    this.running.delete(id);
    if (deps.stopping()) {
      // Shutting down: keep the state as it is, so the next start resumes the job.
      deps.saver.save(id);
      deps.saver.drop(id);
      deps.active.delete(id);
      return;
    }
    let decision: AttemptDecision | undefined;
    const row = deps.repo.get(id);
    try {
      if (row) decision = decideAttempt(row, deps.policy(row.kind), outcome, err);
    } catch (e) {
      log.error(`job ${id}: deciding the end of an attempt failed`, e);
    }
    const end = () => this.end(id, decision, outcome?.summary);
    // Canceled by the user: the kind first discards what the attempt left unfinished (the job
    // keeps its runner entry meanwhile, so it cannot be deleted or retried half-way).
    if (row && decision?.kind === 'canceled' && row.state === 'canceled' && this.discardThen(row, end)) return;
    end();
  }

  /** Applies the decision and lets the job go. */
  private end(id: number, decision: AttemptDecision | undefined, summary: Record<string, unknown> | undefined): void {
    const { deps } = this;
    try {
      const row = deps.repo.get(id);
      if (row && decision) this.apply(row, decision, summary);
    } catch (e) {
      log.error(`job ${id}: recording the end of an attempt failed`, e);
    } finally {
      deps.active.delete(id);
      deps.saver.drop(id);
      deps.logs.poke(id);
      deps.changes.changed(id);
      deps.pump();
    }
  }

  /** True while a canceled job is discarding what it left at its destination. */
  isDiscarding(id: number): boolean {
    return this.discarding.has(id);
  }

  /**
   * Runs the kind's `discard` for a canceled job, writing what it did to the job's log, then
   * `then` (which seals the log, so those lines come before its footer). False when the kind has
   * nothing to discard with.
   */
  discardThen(row: JobRow, then: () => void): boolean {
    const runner = this.deps.runners.get(row.kind);
    if (!runner?.discard || this.discarding.has(row.id)) return false;
    this.discarding.add(row.id);
    const writer = this.deps.logs.writer(row.id);
    const signal = AbortSignal.any([this.stopDiscards.signal, AbortSignal.timeout(DISCARD_LIMIT_MS)]);
    const done = Promise.resolve()
      .then(() => runner.discard!({ jobId: row.id, params: JSON.parse(row.params) as unknown, signal, log: (line) => writer.line(line) }))
      .catch((err: unknown) => writer.line(`Could not discard what the job left at its destination: ${errorMessage(err)}`))
      .finally(() => {
        this.discarding.delete(row.id);
        this.running.delete(row.id);
        try {
          then();
        } catch (e) {
          log.error(`job ${row.id}: sealing after the discard failed`, e);
        }
      });
    this.running.set(row.id, done);
    return true;
  }

  private apply(row: JobRow, d: AttemptDecision, summary: Record<string, unknown> | undefined): void {
    const { recorder, repo } = this.deps;
    switch (d.kind) {
      case 'canceled':
        if (row.state !== 'canceled') recorder.transition(row, 'cancel', 'canceled', 'Canceled');
        recorder.seal(row.id, 'canceled', { summary });
        return;
      case 'completed':
        recorder.transition(row, 'complete', 'completed', d.result === 'success' ? 'Completed' : 'Completed with failures', { result: d.result });
        recorder.seal(row.id, d.result, { summary });
        return;
      case 'retry':
        recorder.transition(row, 'requeue', 'retried', d.message, { attempts: row.attempts + 1, not_before: Date.now() + d.delayMs, error: d.message });
        return;
      case 'pausedError':
        repo.update(row.id, { error: d.message });
        recorder.event(row.id, 'log', 'paused', `Stopped with an error while paused: ${d.message}; resume to try again`, { error: d.message });
        return;
      case 'failed':
        recorder.transition(row, 'fail', 'failed', `Failed: ${d.message}`, { error: d.message, result: 'failed' });
        recorder.seal(row.id, 'failed', { error: d.message, summary });
        return;
    }
  }

  /** Waits for every runner to return (after they were told to stop), at most `ms`. */
  async drain(ms: number): Promise<void> {
    this.stopDiscards.abort(new FerryError('CANCELED', 'the engine is stopping'));
    for (const t of this.graceTimers) clearTimeout(t);
    this.graceTimers.clear();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.allSettled([...this.running.values()]), new Promise((r) => (timer = setTimeout(r, ms)))]);
    clearTimeout(timer);
  }
}
