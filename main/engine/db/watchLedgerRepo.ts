/**
 * The watch_ledger table: every file a rule handed to an upload job, with the size and time it had
 * then, and once the job finished its SHA-256. A file whose size or time differs from its row has
 * changed and is sent again; one that matches a pending or uploaded row is left alone.
 */
import type { FileSig } from '../watch/fileIndex';
import type { Db } from './database';

export type LedgerState = 'pending' | 'uploaded' | 'failed';

export interface LedgerRow {
  rule_id: string;
  path: string;
  size: number;
  mtime_ms: number;
  sha256: string | null;
  state: LedgerState;
  job_id: number | null;
  updated_at: number;
}

export interface LedgerCounts {
  pending: number;
  uploaded: number;
  failed: number;
}

/** Every operation on the watch_ledger table: the only place its SQL is written. */
export interface WatchLedgerTable {
  /** True when the file is already handed to a job, or uploaded, with exactly this size and time. */
  isCurrent(ruleId: string, path: string, sig: FileSig): boolean;
  get(ruleId: string, path: string): LedgerRow | undefined;
  /** Records files just handed to a job (one transaction, however many). */
  markPending(ruleId: string, files: readonly { path: string; sig: FileSig }[], jobId: number): void;
  /** Records a file its job sent; a row another job has claimed since is left to that job. */
  markUploaded(ruleId: string, path: string, sig: FileSig, sha256: string, jobId: number): void;
  /** Releases a file its job did not send: it is offered again when it changes or at the next scan. */
  markFailed(ruleId: string, path: string, jobId: number): void;
  /** Runs several updates as one transaction. */
  batch(work: () => void): void;
  byJob(jobId: number): LedgerRow[];
  counts(ruleId: string): LedgerCounts;
  /** Jobs that still hold pending files, with the state of the job (null when the job is gone). */
  jobsWithPendingFiles(): { jobId: number; state: string | null }[];
  /** Forgets a rule's files (its folder changed: they are someone else's now). */
  forgetRule(ruleId: string): void;
}

export class WatchLedgerRepo implements WatchLedgerTable {
  private readonly getStmt;
  private readonly pendingStmt;
  private readonly uploadedStmt;
  private readonly failedStmt;

  constructor(private readonly db: Db) {
    this.getStmt = db.prepare('SELECT size, mtime_ms, state FROM watch_ledger WHERE rule_id = ? AND path = ?');
    this.pendingStmt = db.prepare(
      `INSERT INTO watch_ledger (rule_id, path, size, mtime_ms, sha256, state, job_id, updated_at)
       VALUES (?, ?, ?, ?, NULL, 'pending', ?, ?)
       ON CONFLICT(rule_id, path) DO UPDATE SET size = excluded.size, mtime_ms = excluded.mtime_ms, sha256 = NULL,
         state = 'pending', job_id = excluded.job_id, updated_at = excluded.updated_at`,
    );
    // A row another job has claimed since is that job's to settle.
    this.uploadedStmt = db.prepare(
      `INSERT INTO watch_ledger (rule_id, path, size, mtime_ms, sha256, state, job_id, updated_at)
       VALUES (?, ?, ?, ?, ?, 'uploaded', ?, ?)
       ON CONFLICT(rule_id, path) DO UPDATE SET size = excluded.size, mtime_ms = excluded.mtime_ms, sha256 = excluded.sha256,
         state = 'uploaded', job_id = excluded.job_id, updated_at = excluded.updated_at
       WHERE watch_ledger.job_id IS excluded.job_id OR watch_ledger.state != 'pending'`,
    );
    this.failedStmt = db.prepare(
      `UPDATE watch_ledger SET state = 'failed', updated_at = ? WHERE rule_id = ? AND path = ? AND job_id = ? AND state = 'pending'`,
    );
  }

  /** True when the file is already handed to a job, or uploaded, with exactly this size and time. */
  isCurrent(ruleId: string, path: string, sig: FileSig): boolean {
    const row = this.getStmt.get(ruleId, path) as Pick<LedgerRow, 'size' | 'mtime_ms' | 'state'> | undefined;
    return !!row && row.state !== 'failed' && row.size === sig.size && row.mtime_ms === sig.mtimeMs;
  }

  get(ruleId: string, path: string): LedgerRow | undefined {
    return this.db.prepare('SELECT * FROM watch_ledger WHERE rule_id = ? AND path = ?').get(ruleId, path) as LedgerRow | undefined;
  }

  /** Records files just handed to a job (one transaction, however many). */
  markPending(ruleId: string, files: readonly { path: string; sig: FileSig }[], jobId: number): void {
    const now = Date.now();
    this.db.transaction(() => {
      for (const f of files) this.pendingStmt.run(ruleId, f.path, f.sig.size, f.sig.mtimeMs, jobId, now);
    })();
  }

  markUploaded(ruleId: string, path: string, sig: FileSig, sha256: string, jobId: number): void {
    this.uploadedStmt.run(ruleId, path, sig.size, sig.mtimeMs, sha256, jobId, Date.now());
  }

  /** Releases a file its job did not send: it is offered again when it changes or at the next scan. */
  markFailed(ruleId: string, path: string, jobId: number): void {
    this.failedStmt.run(Date.now(), ruleId, path, jobId);
  }

  /** Runs several updates as one transaction. */
  batch(work: () => void): void {
    this.db.transaction(work)();
  }

  byJob(jobId: number): LedgerRow[] {
    return this.db.prepare('SELECT * FROM watch_ledger WHERE job_id = ?').all(jobId) as LedgerRow[];
  }

  counts(ruleId: string): LedgerCounts {
    const rows = this.db.prepare('SELECT state, COUNT(*) AS n FROM watch_ledger WHERE rule_id = ? GROUP BY state').all(ruleId) as { state: LedgerState; n: number }[];
    const counts: LedgerCounts = { pending: 0, uploaded: 0, failed: 0 };
    for (const r of rows) counts[r.state] = r.n;
    return counts;
  }

  /**
   * Jobs that still hold pending files, with the state of the job (null when the job is gone).
   * Read from the jobs table directly: at start-up this is how jobs that ended while no one
   * listened are found.
   */
  jobsWithPendingFiles(): { jobId: number; state: string | null }[] {
    return this.db
      .prepare(
        `SELECT p.job_id AS jobId, j.state AS state
         FROM (SELECT DISTINCT job_id FROM watch_ledger WHERE state = 'pending' AND job_id IS NOT NULL) p
         LEFT JOIN jobs j ON j.id = p.job_id`,
      )
      .all() as { jobId: number; state: string | null }[];
  }

  /** Forgets a rule's files (its folder changed: they are someone else's now). */
  forgetRule(ruleId: string): void {
    this.db.prepare('DELETE FROM watch_ledger WHERE rule_id = ?').run(ruleId);
  }
}
