import type { ActiveJob } from './activeJob';

/**
 * Notices running jobs that report no progress for longer than their kind's stall time, and when
 * they pick up again. Only parked-free running runners are watched; a paused job is not stalled.
 */
export class StallWatch {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly active: ReadonlyMap<number, ActiveJob>,
    private readonly stallAfterMs: (active: ActiveJob) => number,
    private readonly onStall: (active: ActiveJob, idleMs: number) => void,
    private readonly onRecover: (active: ActiveJob, idleMs: number) => void,
    private readonly tickMs: number,
  ) {}

  start(): void {
    this.timer = setInterval(() => this.check(), this.tickMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** Called on every progress report. */
  progressed(a: ActiveJob, now = Date.now()): void {
    if (a.stalled) {
      a.stalled = false;
      this.onRecover(a, now - a.lastProgressAt);
    }
    a.lastProgressAt = now;
  }

  check(now = Date.now()): void {
    for (const a of this.active.values()) {
      if (a.stalled || a.parked || a.detached || a.runningSince === null) continue;
      const idle = now - Math.max(a.lastProgressAt, a.runningSince);
      if (idle >= this.stallAfterMs(a)) {
        a.stalled = true;
        this.onStall(a, idle);
      }
    }
  }
}
