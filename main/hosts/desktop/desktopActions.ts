import type { NavigateRequest } from '../../../shared/contract';
import type { Engine } from '../../engine';

/** What the tray, the menu and the notifications do to the engine and the window. */
export interface DesktopActions {
  /** Brings the window back (creating it if it was closed). */
  show(): void;
  /** Shows the window on a view: a job, the new-upload sheet. */
  open(request: NavigateRequest): void;
  /** Pauses every queued and running job; answers the ids it paused. */
  pauseAll(): number[];
  /** Resumes every paused job; answers the ids it resumed. */
  resumeAll(): number[];
  quit(): void;
}

/** The actions, through the same bulk command the jobs screen uses. */
export function desktopActions(engine: Engine, window: { show(): void; quit(): void }): DesktopActions {
  const bulk = (action: 'pause' | 'resume') => engine.bulk(action).affected;
  return {
    show: () => window.show(),
    open(request) {
      window.show();
      engine.navigate(request);
    },
    pauseAll: () => bulk('pause'),
    resumeAll: () => bulk('resume'),
    quit: () => window.quit(),
  };
}
