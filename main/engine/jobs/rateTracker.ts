/** Smoothed rate (units/s) and ETA from progress samples; never runs backwards. */
export class RateTracker {
  private lastDone = 0;
  private lastAt = 0;
  rate = 0;

  constructor(private readonly halfLifeMs = 3000) {}

  /** Restarts measuring from `done` (after a pause or restart the gap must not count). */
  reset(done: number, now = Date.now()): void {
    this.lastDone = done;
    this.lastAt = now;
    this.rate = 0;
  }

  sample(done: number, now = Date.now()): void {
    const dt = now - this.lastAt;
    if (this.lastAt === 0) return this.reset(done, now);
    if (dt < 250) return;
    const inst = (Math.max(0, done - this.lastDone) * 1000) / dt;
    const alpha = 1 - Math.pow(0.5, dt / this.halfLifeMs);
    this.rate = this.rate === 0 ? inst : this.rate + alpha * (inst - this.rate);
    this.lastDone = done;
    this.lastAt = now;
  }

  etaMs(done: number, total: number): number | null {
    if (this.rate <= 0 || total <= 0 || done >= total) return done >= total && total > 0 ? 0 : null;
    return Math.round(((total - done) / this.rate) * 1000);
  }
}
