import type { JobKind, JobState } from '../../../shared/model';
import type { Db } from './database';

/** One finished job as the stats need it. */
export interface FinishedRow {
  kind: JobKind;
  state: JobState;
  /** Running time; falls back to wall time for jobs from before it was measured. */
  durationMs: number;
  finishedAt: number;
  bytes: number;
}

/** Read-only queries behind the stats screen. */
export class StatsRepo {
  private readonly finishedStmt;

  constructor(db: Db) {
    this.finishedStmt = db.prepare(
      `SELECT kind, state,
              CASE WHEN run_ms > 0 THEN run_ms ELSE MAX(0, COALESCE(finished_at - started_at, 0)) END AS durationMs,
              finished_at AS finishedAt,
              CASE WHEN unit = 'bytes' THEN done ELSE 0 END AS bytes
       FROM jobs
       WHERE finished_at >= ? AND finished_at < ? AND +state IN ('completed', 'failed', 'canceled')`,
    );
  }

  /** Visits every job that finished in [from, to) without holding them all in memory. */
  eachFinished(from: number, to: number, visit: (row: FinishedRow) => void): void {
    for (const row of this.finishedStmt.iterate(from, to) as IterableIterator<FinishedRow>) visit(row);
  }
}
