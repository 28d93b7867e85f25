import type { JobView } from '../../../shared/model';
import { RANK_PRIORITY, type JobSummaryRow } from '../db/jobsRepo';
import type { ActiveJob } from './activeJob';

/** Live progress a runner reported that is newer than the row. */
export interface LiveProgress {
  done: number;
  total: number;
  unit: 'items' | 'bytes';
  processed: number;
  failed: number;
  /** What the runner said it works on now. */
  current?: string | null;
  /** When progress was last reported. */
  at: number;
}

/** Builds the client view of a job from its row and, while it runs, its in-memory state. */
export function toJobView(row: JobSummaryRow, active?: ActiveJob, live?: LiveProgress, now = Date.now()): JobView {
  const done = live?.done ?? row.done;
  const total = live?.total ?? row.total;
  const running = row.state === 'running' && active !== undefined;
  const runMs = row.run_ms + (running && active.runningSince !== null ? Math.max(0, now - active.runningSince) : 0);
  return {
    id: row.id,
    kind: row.kind,
    name: row.name,
    state: row.state,
    priority: RANK_PRIORITY[row.priority] ?? 'normal',
    stage: row.stage,
    done,
    total,
    unit: live?.unit ?? row.unit,
    rate: running ? active.rate.rate : 0,
    etaMs: running ? active.rate.etaMs(done, total) : null,
    counts: { processed: live?.processed ?? row.processed, failed: live?.failed ?? row.failed },
    result: row.result,
    error: row.error,
    attempts: row.attempts,
    maxAttempts: row.max_attempts,
    destinationId: row.destination_id,
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    updatedAt: row.updated_at,
    stopAfterCurrent: row.stop_after_current === 1,
    runMs,
    lastProgressAt: live?.at ?? row.last_progress_at,
    stalled: running && active.stalled,
    current: running ? (live?.current ?? null) : null,
    nextAttemptAt: row.state === 'queued' && row.not_before !== null && row.not_before > now ? row.not_before : null,
    previousStepId: row.parent_id,
    inPipeline: row.in_pipeline === 1,
  };
}
