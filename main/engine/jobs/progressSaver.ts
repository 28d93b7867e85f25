import type { JobsRepo, JobPatch } from '../db/jobsRepo';
import type { LiveProgress } from './jobView';

/** How often batched progress and resume state reach the database. */
export const SAVE_INTERVAL_MS = 100;

/**
 * Progress and resume state of running jobs, held in memory and written to SQLite in one
 * transaction at most every 100 ms (and at once on every state change or a durable persist). A
 * runner at full speed reports thousands of times a second; one commit each would be the bottleneck.
 */
export class ProgressSaver {
  readonly live = new Map<number, LiveProgress>();
  private readonly states = new Map<number, string>();
  private readonly dirty = new Set<number>();
  private timer: NodeJS.Timeout | undefined;

  /**
   * `beforeSave` runs for each job before its row is written: the job's log lines reach the file
   * first, so after a crash the log never lacks the lines of work the saved state counts as done.
   */
  constructor(
    private readonly repo: JobsRepo,
    private readonly beforeSave: (id: number) => void = () => {},
    private readonly intervalMs = SAVE_INTERVAL_MS,
  ) {}

  /** Progress of `id` changed (its LiveProgress object was updated in place). */
  progressed(id: number): void {
    this.dirty.add(id);
    this.arm();
  }

  /** Records resume state (snapshotted now, so the runner may keep mutating its object). */
  persist(id: number, state: unknown, durable: boolean): void {
    this.states.set(id, JSON.stringify(state));
    this.dirty.add(id);
    if (durable) this.save(id);
    else this.arm();
  }

  private arm(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.save();
    }, this.intervalMs);
    this.timer.unref();
  }

  /** The pending columns of one job, to be folded into a state change's own update. */
  take(id: number): JobPatch {
    if (!this.dirty.delete(id)) return {};
    this.beforeSave(id);
    return this.patchOf(id);
  }

  private patchOf(id: number): JobPatch {
    const patch: JobPatch = {};
    const p = this.live.get(id);
    if (p) Object.assign(patch, { done: p.done, total: p.total, processed: p.processed, failed: p.failed, last_progress_at: p.at });
    const state = this.states.get(id);
    if (state !== undefined) {
      patch.resume_state = state;
      this.states.delete(id);
    }
    return patch;
  }

  /** Writes what is pending (of one job, or all) in one transaction. */
  save(only?: number): void {
    const ids = only === undefined ? [...this.dirty] : this.dirty.has(only) ? [only] : [];
    if (ids.length === 0) return;
    for (const id of ids) this.beforeSave(id);
    this.repo.transaction(() => {
      for (const id of ids) {
        this.dirty.delete(id);
        const patch = this.patchOf(id);
        if (Object.keys(patch).length > 0) this.repo.update(id, patch);
      }
    });
  }

  /** Forgets a job whose runner is gone (after its last save). */
  drop(id: number): void {
    this.live.delete(id);
    this.states.delete(id);
    this.dirty.delete(id);
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.save();
  }
}
