import type { Engine } from '../../engine/engine';
import type { JobState } from '../../../shared/model';

/** Applies an action to every job in the given states, skipping ones that changed meanwhile. */
function eachJob(engine: Engine, states: JobState[], action: (id: number) => void): number[] {
  const done: number[] = [];
  for (const state of states) {
    for (const row of engine.repo.byState(state)) {
      try {
        action(row.id);
        done.push(row.id);
      } catch {
        // A job that finished between the query and the action is simply not touched.
      }
    }
  }
  return done;
}

export const pauseRunning = (engine: Engine): number[] => eachJob(engine, ['running'], (id) => engine.jobs.pause(id));
export const pauseAll = (engine: Engine): number[] => eachJob(engine, ['running', 'queued'], (id) => engine.jobs.pause(id));
export const resumeAll = (engine: Engine): number[] => eachJob(engine, ['paused'], (id) => engine.jobs.resume(id));
export const resumeSome = (engine: Engine, ids: number[]): void => {
  for (const id of ids) {
    try {
      if (engine.jobs.get(id).state === 'paused') engine.jobs.resume(id);
    } catch {
      // Deleted meanwhile.
    }
  }
};
