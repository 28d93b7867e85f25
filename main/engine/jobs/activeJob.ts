import { FerryError } from '../../../shared/errors';
import { RateTracker } from './rateTracker';

/**
 * In-memory companion of a job whose runner is alive: its cancel signal, its pause gate and its
 * rate tracker. A runner parked at a paused checkpoint frees its concurrency slot.
 */
export class ActiveJob {
  readonly abort = new AbortController();
  readonly rate = new RateTracker();
  /** True while the runner waits at a checkpoint because the job is paused. */
  parked = false;
  /** Set while the job should hold at its next checkpoint. */
  private gate: { promise: Promise<void>; release: () => void; fail: (e: Error) => void } | undefined;
  private onPark: () => void = () => {};
  private readonly pauseListeners = new Set<(paused: boolean) => void>();

  constructor(readonly jobId: number) {}

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
    const err = new FerryError('CANCELED', reason);
    if (!this.abort.signal.aborted) this.abort.abort(err);
    const g = this.gate;
    this.gate = undefined;
    g?.fail(err);
  }

  whenParked(listener: () => void): void {
    this.onPark = listener;
  }

  /** The runner's checkpoint: throws when canceled, waits while the gate is closed. */
  async checkpoint(): Promise<void> {
    if (this.abort.signal.aborted) throw this.abort.signal.reason;
    while (this.gate) {
      this.parked = true;
      this.onPark();
      await this.gate.promise;
      this.parked = false;
    }
    if (this.abort.signal.aborted) throw this.abort.signal.reason;
  }
}
