import type { JobEventType } from '../../../shared/model';
import type { JobRow, JobsRepo } from '../db/jobsRepo';
import type { LogStore } from '../logs/logStore';
import type { ActiveJob } from './activeJob';
import type { LiveProgress } from './jobView';
import type { RunnerContext } from './runner';

const PROGRESS_EVENT_MS = 1000;

export interface ContextDeps {
  logs: LogStore;
  repo: JobsRepo;
  live: Map<number, LiveProgress>;
  changed(id: number): void;
  event(id: number, type: JobEventType, message: string, payload?: Record<string, unknown>): void;
  stopAfterCurrent(id: number): void;
}

/** Builds the context a runner works through; everything it does lands in the job's files and row. */
export function makeRunnerContext(row: JobRow, active: ActiveJob, deps: ContextDeps): RunnerContext {
  const id = row.id;
  const writer = () => deps.logs.writer(id);
  let lastProgressEvent = 0;
  const live: LiveProgress = {
    done: row.done,
    total: row.total,
    unit: row.unit,
    processed: row.processed,
    failed: row.failed,
  };
  deps.live.set(id, live);
  let saved: unknown = row.resume_state ? JSON.parse(row.resume_state) : undefined;
  return {
    jobId: id,
    params: JSON.parse(row.params) as unknown,
    attempt: Math.max(1, row.attempts),
    signal: active.abort.signal,
    log(line) {
      const w = writer();
      w.line(line);
      deps.logs.maybeFlush(w);
    },
    progress(update) {
      live.done = update.done;
      live.total = update.total;
      if (update.unit) live.unit = update.unit;
      if (update.processed !== undefined) live.processed = update.processed;
      if (update.failed !== undefined) live.failed = update.failed;
      active.rate.sample(live.done);
      deps.changed(id);
      const now = Date.now();
      if (now - lastProgressEvent >= PROGRESS_EVENT_MS) {
        lastProgressEvent = now;
        writer().event({
          type: 'progress',
          state: 'running',
          stage: null,
          message: `${live.done} / ${live.total} ${live.unit}`,
          payload: { done: live.done, total: live.total, unit: live.unit, rate: Math.round(active.rate.rate) },
        });
      }
    },
    stage(name) {
      deps.repo.update(id, { stage: name });
      deps.event(id, 'stage', name);
    },
    async checkpoint() {
      deps.stopAfterCurrent(id);
      await active.checkpoint();
    },
    persist(state) {
      saved = state;
      deps.repo.update(id, {
        resume_state: JSON.stringify(state),
        done: live.done,
        total: live.total,
        processed: live.processed,
        failed: live.failed,
      });
    },
    restore() {
      return saved as never;
    },
    onPauseChange(listener) {
      return active.onPauseChange(listener);
    },
  };
}
