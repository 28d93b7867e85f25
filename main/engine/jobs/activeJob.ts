import { FerryError } from '../../../shared/errors';
import { RateTracker } from './rateTracker';
import type { SlotHolder } from './scheduler';
import { nextTurn, SLICE_MS } from './turns';

/**
 * In-memory companion of a job whose runner is alive: its cancel signal, its pause gate, its
 * attempt timeout and its rate tracker. A runner parked at a paused checkpoint frees its slot.
 */
export class ActiveJob {
  readonly abort = new AbortController();
  readonly rate = new RateTracker();
  /** True while the runner waits at a checkpoint because the job is paused. */
  parked = false;
  /** When the job last entered `running` (for its running-time total), or null while not running. */
  runningSince: number | null = null;
  /** When the runner last reported progress (or started). */
  lastProgressAt = Date.now();
  /** A `stalled` event was recorded and no progress came since. */
  stalled = false;
  /** The engine gave up on this runner (it ignored cancel or its timeout): its calls are ignored. */
  detached = false;
  /** Asked to pause at its next checkpoint (the row says so too; this spares a query per item). */
  stopAfterCurrent = false;
  /** Set while the job should hold at its next checkpoint. */
  private gate: { promise: Promise<void>; release: () => void; fail: (e: Error) => void } | undefined;
  private onPark: () => void = () => {};
  private readonly pauseListeners = new Set<(paused: boolean) => void>();
  private lastYield = performance.now();
  private timeout: { remainingMs: number; timer?: NodeJS.Timeout; since: number; fire: () => void } | undefined;

  constructor(
    readonly jobId: number,
    /** What the scheduler's per-kind and per-destination limits count. */
    readonly slot: SlotHolder = { kind: 'demo', destination_id: null },
  ) {}

  /** Makes the next checkpoint block until `open` (or `cancel`). */
  close(): void {
    if (this.gate) return;
    for (const l of this.pauseListeners) l(true);
    let release!: () => void;
    let fail!: (e: Error) => void;
    const promise = new Promise<void>((res, rej) => {
      release = res;
      fail = rej;
    });
    promise.catch(() => {});
    this.gate = { promise, release, fail };
  }

  get closed(): boolean {
    return this.gate !== undefined;
  }

  /** Lets a parked (or about to park) runner go on. */
  open(): void {
    const g = this.gate;
    this.gate = undefined;
    this.parked = false;
    this.lastProgressAt = Date.now();
    this.stalled = false;
    this.resumeTimeout();
    g?.release();
    if (g) for (const l of this.pauseListeners) l(false);
  }

  /** Listens to pause (true) and resume (false); returns the function that stops listening. */
  onPauseChange(listener: (paused: boolean) => void): () => void {
    this.pauseListeners.add(listener);
    return () => this.pauseListeners.delete(listener);
  }

  /** Cancels: aborts the signal and wakes a parked runner with a CANCELED error. */
  cancel(reason: string): void {
    this.abortWith(new FerryError('CANCELED', reason));
  }

  /** Aborts the attempt with `err` (a timeout, say), waking a parked runner with it. */
  abortWith(err: Error): void {
    this.clearTimeout();
    if (!this.abort.signal.aborted) this.abort.abort(err);
    const g = this.gate;
    this.gate = undefined;
    g?.fail(err);
  }

  whenParked(listener: () => void): void {
    this.onPark = listener;
  }

  /**
   * Limits the attempt to `ms` of running time: the clock stops while the runner is parked, and
   * `fire` is called when the budget is spent.
   */
  limitRunningTime(ms: number, fire: () => void): void {
    this.timeout = { remainingMs: ms, since: Date.now(), fire };
    this.resumeTimeout();
  }

  private resumeTimeout(): void {
    const t = this.timeout;
    if (!t || t.timer) return;
    t.since = Date.now();
    t.timer = setTimeout(() => {
      t.timer = undefined;
      t.fire();
    }, Math.max(0, t.remainingMs));
    t.timer.unref();
  }

  private pauseTimeout(): void {
    const t = this.timeout;
    if (!t?.timer) return;
    clearTimeout(t.timer);
    t.timer = undefined;
    t.remainingMs -= Date.now() - t.since;
  }

  clearTimeout(): void {
    if (this.timeout?.timer) clearTimeout(this.timeout.timer);
    this.timeout = undefined;
  }

  /** The runner's checkpoint: throws when canceled, waits while the gate is closed. */
  async checkpoint(): Promise<void> {
    if (this.abort.signal.aborted) throw this.abort.signal.reason;
    while (this.gate) {
      this.parked = true;
      this.pauseTimeout();
      this.onPark();
      await this.gate.promise;
      this.parked = false;
    }
    if (performance.now() - this.lastYield >= SLICE_MS) {
      await nextTurn();
      this.lastYield = performance.now();
    }
    if (this.abort.signal.aborted) throw this.abort.signal.reason;
  }
}
