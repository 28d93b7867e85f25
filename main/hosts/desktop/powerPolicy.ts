import type { EngineStats } from '../../../shared/model';
import type { Engine } from '../../engine';
import { createLogger } from '../../engine';

const log = createLogger('power');

/** What keeps the computer awake (Electron's powerSaveBlocker, in the desktop host). */
export interface SleepBlocker {
  start(): number;
  stop(id: number): void;
}

/**
 * Keeps the machine awake while transfers run; pauses the running jobs when the computer goes to
 * sleep or the network goes away, and resumes exactly the jobs it paused itself (never the ones
 * the user paused) when it wakes up online or the network comes back.
 */
export class PowerPolicy {
  private pausedBySystem = new Set<number>();
  private blocker: number | undefined;

  constructor(
    private readonly engine: Engine,
    private online: boolean,
    private readonly sleep: SleepBlocker,
  ) {}

  suspend(): void {
    this.pause('the computer is going to sleep');
  }

  /** The computer woke up; offline, the jobs wait for the network. */
  wake(online: boolean): void {
    if (online) this.resume('the computer woke up');
  }

  network(online: boolean): void {
    if (online === this.online) return;
    this.online = online;
    if (online) this.resume('the network is back');
    else this.pause('the network went away');
  }

  /** Called with every stats tick. */
  update(stats: EngineStats): void {
    const busy = stats.running > 0;
    if (busy && this.blocker === undefined) this.blocker = this.sleep.start();
    if (!busy) this.release();
  }

  dispose(): void {
    this.release();
  }

  private release(): void {
    if (this.blocker === undefined) return;
    this.sleep.stop(this.blocker);
    this.blocker = undefined;
  }

  private pause(reason: string): void {
    const ids = this.engine.bulk('pause', this.engine.runningJobIds()).affected;
    if (ids.length) log.info(`paused ${ids.length} job(s): ${reason}`);
    for (const id of ids) this.pausedBySystem.add(id);
  }

  private resume(reason: string): void {
    const ids = [...this.pausedBySystem];
    this.pausedBySystem.clear();
    if (!ids.length) return;
    log.info(`resuming ${ids.length} job(s): ${reason}`);
    this.engine.bulk('resume', ids);
  }
}
