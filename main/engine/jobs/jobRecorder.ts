import { conflict } from '../../../shared/errors';
import type { JobLogItemResults } from '../../../shared/jobLog';
import { isFinished, nextState, type JobAction, type JobEventType, type JobResult, type JobState, type JobView } from '../../../shared/model';
import type { JobPatch, JobRow, JobsRepo } from '../db/jobsRepo';
import type { LogStore } from '../logs/logStore';
import { createLogger } from '../util/logger';
import type { ActiveJob } from './activeJob';
import type { ChangeFeed } from './changeFeed';
import { writeFooter } from './logFormat';
import type { ProgressSaver } from './progressSaver';
import { beginStage, endStage, parseStages } from './stageTimes';

const log = createLogger('jobs');

export interface RecorderDeps {
  repo: JobsRepo;
  logs: LogStore;
  saver: ProgressSaver;
  active: ReadonlyMap<number, ActiveJob>;
  changes: ChangeFeed;
  view(row: JobRow): JobView;
  /** The job's per-item results for its footer, when its items are kept apart (a dataset's files). */
  itemResults?(row: JobRow): JobLogItemResults | undefined;
}

/**
 * The one way a job changes state. `transition` consults the table in shared/model.ts (an action
 * it does not allow answers CONFLICT and changes nothing), commits the row with the latest
 * progress, then records the event and a line in the human log and flushes both. `seal` writes
 * the footer of a job that reached a final state. The row is committed before the files are
 * written, and start-up recovery writes whatever a crash left out (see recovery.ts).
 */
export class JobRecorder {
  private readonly finishedListeners = new Set<(view: JobView) => void>();

  constructor(private readonly deps: RecorderDeps) {}

  transition(row: JobRow, action: JobAction, type: JobEventType, message: string, patchIn: JobPatch = {}, payload?: Record<string, unknown>): JobState {
    const to = nextState(row.state, action);
    if (!to) throw conflict(`${action}(job ${row.id}): not allowed while ${row.state.replace('_', ' ')}`, { id: row.id, state: row.state, action });
    const now = Date.now();
    // Lines logged before this change reach the file before the row says it happened.
    this.deps.logs.flushJob(row.id);
    const patch: JobPatch = { ...this.deps.saver.take(row.id), ...patchIn, state: to };
    if (isFinished(to)) {
      patch.finished_at = now;
      patch.sealed = 0;
    }
    if (to === 'queued' && !('not_before' in patch)) patch.not_before = null;
    const active = this.deps.active.get(row.id);
    if (row.state === 'running' && to !== 'running') {
      if (active?.runningSince != null) patch.run_ms = row.run_ms + Math.max(0, now - active.runningSince);
      if (active) {
        active.runningSince = null;
        active.stopAfterCurrent = false;
      }
      if (!('stop_after_current' in patch)) patch.stop_after_current = 0;
    }
    if (to === 'running' && active) active.runningSince = now;
    // A run that ends (or goes back to the queue to be tried again) ends its stage with it.
    const stages = parseStages(row.stages);
    const ended = isFinished(to) || (row.state === 'running' && to === 'queued') ? endStage(stages, to === 'completed' ? 'completed' : 'failed', now) : undefined;
    if (ended) patch.stages = JSON.stringify(stages);
    this.deps.repo.update(row.id, patch, now);
    // A stage that did not complete says why: the error, else what ended the run (a cancel, a restart).
    if (ended) this.stageEvent(row.id, ended.outcome === 'completed' ? 'stage_completed' : 'stage_failed', row.state, ended.name, ended.ms ?? 0, patchIn.error ?? message);
    this.event(row.id, type, to, message, payload);
    log.debug(`job ${row.id}: ${row.state} -> ${to} (${action})`);
    return to;
  }

  /** Records an event (and the same words in the human log), flushes, and announces the change. */
  event(id: number, type: JobEventType, state: JobState, message: string, payload?: Record<string, unknown>): void {
    const w = this.deps.logs.writer(id);
    const row = this.deps.repo.get(id);
    const stage = row?.stage ?? null;
    w.event({ type, state, stage, message, ...(payload ? { payload } : {}) });
    // A sealed log ends with its footer (a later event, such as the next pipeline step, goes to
    // the event stream only); a retry opens a new section first.
    if (type !== 'progress' && type !== 'log' && !(row && isFinished(row.state) && row.sealed === 1)) w.line(`-- ${message}`);
    w.flush();
    if (!this.deps.active.has(id)) this.deps.logs.release(id);
    this.deps.changes.changed(id);
  }

  /**
   * The runner moved to another stage: the one before completed (`stage_completed` with its
   * duration), this one starts (`stage_started`). Times are kept in the row for getJob.
   */
  stage(id: number, name: string): void {
    const row = this.deps.repo.get(id);
    if (!row) return;
    const now = Date.now();
    const stages = parseStages(row.stages);
    const open = stages[stages.length - 1];
    if (open && open.endedAt === null && open.name === name) return;
    const ended = endStage(stages, 'completed', now);
    beginStage(stages, name, Math.max(1, row.attempts), now);
    this.deps.repo.update(id, { stage: name, stages: JSON.stringify(stages) }, now);
    if (ended) this.stageEvent(id, 'stage_completed', row.state, ended.name, ended.ms ?? 0);
    this.event(id, 'stage_started', row.state, `Stage ${name} started`, { stage: name });
  }

  private stageEvent(id: number, type: 'stage_completed' | 'stage_failed', state: JobState, name: string, ms: number, error?: string): void {
    const took = ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
    const message = type === 'stage_completed' ? `Stage ${name} completed in ${took}` : `Stage ${name} failed after ${took}${error ? `: ${error}` : ''}`;
    this.event(id, type, state, message, { stage: name, ms, ...(error ? { error } : {}) });
  }

  /**
   * Writes the footer of a job in a final state, fsyncs and closes its files, and marks the row
   * sealed. `notify` tells the finished listeners (not done for jobs sealed at start-up).
   */
  seal(id: number, result: JobResult, opts: { error?: string; summary?: Record<string, unknown>; notify?: boolean } = {}): void {
    const row = this.deps.repo.get(id);
    if (!row) return;
    // A runner's own list (in its summary) wins over the stored items.
    const items = opts.summary?.items === undefined ? this.deps.itemResults?.(row) : undefined;
    writeFooter(this.deps.logs.writer(id), row, result as 'success' | 'partial' | 'failed' | 'canceled', opts.error, opts.summary, items);
    this.deps.logs.finish(id);
    this.deps.repo.update(id, { result, sealed: 1, stage: null });
    if (opts.notify !== false) {
      const view = this.deps.view({ ...row, result, stage: null });
      for (const l of this.finishedListeners) {
        try {
          l(view);
        } catch (err) {
          log.error(`a finished-job listener failed for job ${id}`, err);
        }
      }
    }
  }

  /** Listens to jobs reaching a final state (for notifications and webhooks). */
  onFinished(listener: (view: JobView) => void): () => void {
    this.finishedListeners.add(listener);
    return () => this.finishedListeners.delete(listener);
  }
}
