import { net, powerMonitor, powerSaveBlocker } from 'electron';
import type { EngineStats } from '../../../shared/model';

export interface PowerActions {
  /** Pauses every running job and returns the ids it paused. */
  pauseRunning(reason: string): number[];
  /** Resumes the given jobs (those still paused). */
  resume(ids: number[], reason: string): void;
}

/**
 * Keeps the machine awake while transfers run; pauses on suspend and when the network goes away,
 * and resumes exactly the jobs it paused itself (never the ones the user paused) on wake / online.
 */
export function watchPower(actions: PowerActions): { update(stats: EngineStats): void; dispose(): void } {
  let blocker: number | undefined;
  let pausedBySystem: number[] = [];
  let online = net.isOnline();

  const pause = (reason: string) => {
    pausedBySystem = [...new Set([...pausedBySystem, ...actions.pauseRunning(reason)])];
  };
  const resume = (reason: string) => {
    const ids = pausedBySystem;
    pausedBySystem = [];
    if (ids.length) actions.resume(ids, reason);
  };
  const onSuspend = () => pause('the computer is going to sleep');
  const onResume = () => {
    if (net.isOnline()) resume('the computer woke up');
  };
  powerMonitor.on('suspend', onSuspend);
  powerMonitor.on('resume', onResume);
  const poll = setInterval(() => {
    const now = net.isOnline();
    if (now === online) return;
    online = now;
    if (now) resume('the network is back');
    else pause('the network went away');
  }, 3000);

  return {
    update(stats) {
      const busy = stats.running > 0;
      if (busy && blocker === undefined) blocker = powerSaveBlocker.start('prevent-app-suspension');
      if (!busy && blocker !== undefined) {
        powerSaveBlocker.stop(blocker);
        blocker = undefined;
      }
    },
    dispose() {
      clearInterval(poll);
      powerMonitor.off('suspend', onSuspend);
      powerMonitor.off('resume', onResume);
      if (blocker !== undefined) powerSaveBlocker.stop(blocker);
    },
  };
}
