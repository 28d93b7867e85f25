import { FerryError } from '../../../shared/errors';
import type { JobRow, JobsRepo } from '../db/jobsRepo';
import type { LogStore } from '../logs/logStore';
import type { ActiveJob } from './activeJob';
import type { JobRecorder } from './jobRecorder';
import type { LiveProgress } from './jobView';
import type { ProgressSaver } from './progressSaver';
import type { RunnerContext } from './runner';

/** Progress events in events.jsonl at most this often per job (the row and feed are live). */
const PROGRESS_EVENT_MS = 5000;

export interface ContextDeps {
  logs: LogStore;
  repo: JobsRepo;
  saver: ProgressSaver;
  recorder: JobRecorder;
  /** Progress was reported (stall tracking and the change feed). */
  progressed(active: ActiveJob): void;
  /** At a checkpoint: pause now if the job was asked to stop after its current item. */
  stopAfterCurrent(id: number): void;
}

/**
 * Builds the context a runner works through; everything it does lands in the job's files and row.
 * Once the engine has given up on the runner (`detached`), its calls change nothing.
 */
export function makeRunnerContext(row: JobRow, active: ActiveJob, deps: ContextDeps): RunnerContext {
  const id = row.id;
  let lastProgressEvent = 0;
  const live: LiveProgress = { done: row.done, total: row.total, unit: row.unit, processed: row.processed, failed: row.failed, at: Date.now() };
  deps.saver.live.set(id, live);
  let saved: unknown = row.resume_state ? JSON.parse(row.resume_state) : undefined;
  return {
    jobId: id,
    params: JSON.parse(row.params) as unknown,
    attempt: Math.max(1, row.attempts),
    signal: active.abort.signal,
    log(line) {
      if (!active.detached) deps.logs.writer(id).line(line);
    },
    progress(update) {
      if (active.detached) return;
      const now = Date.now();
      live.done = update.done;
      live.total = update.total;
      live.at = now;
      if (update.unit) live.unit = update.unit;
      if (update.processed !== undefined) live.processed = update.processed;
      if (update.failed !== undefined) live.failed = update.failed;
      if (update.current !== undefined) live.current = update.current;
      active.rate.sample(live.done, now);
      deps.saver.progressed(id);
      deps.progressed(active);
      if (now - lastProgressEvent >= PROGRESS_EVENT_MS) {
        lastProgressEvent = now;
        deps.logs.writer(id).event({
          type: 'progress',
          state: 'running',
          stage: null,
          message: `${live.done} / ${live.total} ${live.unit}`,
          payload: { done: live.done, total: live.total, unit: live.unit, rate: Math.round(active.rate.rate) },
        });
      }
    },
    stage(name) {
      if (active.detached) return;
      deps.recorder.stage(id, name);
      deps.progressed(active);
    },
    async checkpoint(options) {
      if (active.detached) throw new FerryError('CANCELED', `job ${id}: the engine gave up on this attempt`);
      if (!options?.midItem) deps.stopAfterCurrent(id);
      await active.checkpoint();
    },
    stopRequested() {
      return active.stopAfterCurrent;
    },
    persist(state, options) {
      if (active.detached) return;
      saved = state;
      deps.saver.persist(id, state, options?.durable === true);
    },
    restore() {
      return saved as never;
    },
    onPauseChange(listener) {
      return active.onPauseChange(listener);
    },
  };
}
