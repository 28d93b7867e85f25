import type { Db } from './database';

export type ItemState = 'pending' | 'uploading' | 'done' | 'failed';

/** One file of a dataset job as stored. */
export interface ItemRow {
  job_id: number;
  seq: number;
  path: string;
  relative_path: string;
  size: number;
  mtime_ms: number;
  state: ItemState;
  bytes_done: number;
  sha256: string | null;
  location: string | null;
  verified: string | null;
  error: string | null;
  session: string | null;
  started_at: number | null;
  finished_at: number | null;
}

export interface NewItem {
  path: string;
  relativePath: string;
  size: number;
  mtimeMs: number;
}

/** What a finished file records. */
export interface ItemDone {
  sha256: string;
  location: string;
  verified: string;
  size: number;
}

/** A file's saved resume state, as a destination wrote it (JSON). */
export interface ItemSession {
  jobId: number;
  seq: number;
  session: string;
}

/** Every operation on job_items: the only place its SQL is written. */
export interface ItemsTable {
  /** Inserts a job's files in one transaction (tens of thousands in well under a second). */
  insertAll(jobId: number, items: NewItem[]): void;
  /** Inserts the next files of a job, numbered on from `firstSeq`, in one transaction. */
  insertBatch(jobId: number, firstSeq: number, items: readonly NewItem[]): void;
  /** Removes up to `limit` of a job's files (a scan cut short); answers how many went. */
  deleteSome(jobId: number, limit: number): number;
  count(jobId: number): number;
  /** Files not yet done, in order; with `afterSeq` and `limit`, one page of them. */
  unfinished(jobId: number, afterSeq?: number, limit?: number): ItemRow[];
  /** Unfinished files with a saved resume state. */
  withSessions(jobId: number): ItemRow[];
  page(jobId: number, offset: number, limit: number, state?: ItemState): ItemRow[];
  /** Counts and bytes of a job's files; with `fromSeq` and `toSeq`, of those numbered in [fromSeq, toSeq). */
  totals(jobId: number, fromSeq?: number, toSeq?: number): { files: number; bytes: number; doneFiles: number; doneBytes: number; failedFiles: number };
  /** Saved after every acknowledged chunk: the destination's resume state and confirmed bytes. */
  ack(jobId: number, seq: number, session: unknown, bytesDone: number): void;
  start(jobId: number, seq: number): void;
  done(jobId: number, seq: number, r: ItemDone): void;
  /** Marks many files done in one transaction (a batch of small files). */
  doneAll(jobId: number, rows: (ItemDone & { seq: number })[]): void;
  fail(jobId: number, seq: number, error: string, keepSession: boolean): void;
  /** Forgets a file's resume state once its unfinished upload was discarded at the destination. */
  dropSession(jobId: number, seq: number): void;
  /** The first `cap` done and failed files (with their errors), and how many of each there are. */
  results(jobId: number, cap: number): { done: string[]; doneCount: number; failed: { path: string; error: string | null }[]; failedCount: number };
  /** Every done file with its hash, in order: the manifest's lines. */
  manifest(jobId: number): { relative_path: string; sha256: string; size: number; location: string | null }[];
  /** One page of the done files, in the order they were found (sorted by place), after `afterSeq`. */
  donePage(jobId: number, afterSeq: number, limit: number): { seq: number; relative_path: string; sha256: string; size: number }[];
  /** Saved resume states of the jobs of one destination whose text contains `text` (an upload URL prefix). */
  sessionsContaining(destinationId: string, text: string): ItemSession[];
  /** Replaces saved resume states in one transaction. */
  setSessions(sessions: readonly ItemSession[]): void;
}

/** The files of dataset jobs: what is left to send, and each file's resume state. */
export class ItemsRepo implements ItemsTable {
  private readonly ackStmt;

  constructor(private readonly db: Db) {
    this.ackStmt = db.prepare('UPDATE job_items SET session = ?, bytes_done = ?, state = ? WHERE job_id = ? AND seq = ?');
  }

  /** Inserts a job's files in one transaction (tens of thousands in well under a second). */
  insertAll(jobId: number, items: NewItem[]): void {
    this.insertBatch(jobId, 0, items);
  }

  insertBatch(jobId: number, firstSeq: number, items: readonly NewItem[]): void {
    const stmt = this.db.prepare('INSERT INTO job_items (job_id, seq, path, relative_path, size, mtime_ms) VALUES (?, ?, ?, ?, ?, ?)');
    this.db.transaction(() => {
      items.forEach((it, i) => stmt.run(jobId, firstSeq + i, it.path, it.relativePath, it.size, it.mtimeMs));
    })();
  }

  deleteSome(jobId: number, limit: number): number {
    return this.db.prepare('DELETE FROM job_items WHERE job_id = ? AND seq IN (SELECT seq FROM job_items WHERE job_id = ? ORDER BY seq DESC LIMIT ?)').run(jobId, jobId, limit).changes;
  }

  /**
   * A job's files are numbered from 0 without gaps (they are only ever added at the end and removed
   * all together), so their count is the last number plus one: read from the key, not counted.
   */
  count(jobId: number): number {
    return ((this.db.prepare('SELECT MAX(seq) AS last FROM job_items WHERE job_id = ?').get(jobId) as { last: number | null }).last ?? -1) + 1;
  }

  /** Files not yet done, in order; with `afterSeq` and `limit`, one page of them. */
  unfinished(jobId: number, afterSeq = -1, limit = -1): ItemRow[] {
    return this.db.prepare(`SELECT * FROM job_items WHERE job_id = ? AND seq > ? AND state != 'done' ORDER BY seq LIMIT ?`).all(jobId, afterSeq, limit) as ItemRow[];
  }

  withSessions(jobId: number): ItemRow[] {
    return this.db.prepare(`SELECT * FROM job_items WHERE job_id = ? AND session IS NOT NULL AND state != 'done' ORDER BY seq`).all(jobId) as ItemRow[];
  }

  /** Without a state, the page starts at the file numbered `offset` (numbers have no gaps): found by the key, not counted to. */
  page(jobId: number, offset: number, limit: number, state?: ItemState): ItemRow[] {
    return (
      state
        ? this.db.prepare('SELECT * FROM job_items WHERE job_id = ? AND state = ? ORDER BY seq LIMIT ? OFFSET ?').all(jobId, state, limit, offset)
        : this.db.prepare('SELECT * FROM job_items WHERE job_id = ? AND seq >= ? ORDER BY seq LIMIT ?').all(jobId, offset, limit)
    ) as ItemRow[];
  }

  totals(jobId: number, fromSeq = 0, toSeq = Number.MAX_SAFE_INTEGER): { files: number; bytes: number; doneFiles: number; doneBytes: number; failedFiles: number } {
    return this.db
      .prepare(
        `SELECT COUNT(*) AS files, COALESCE(SUM(size), 0) AS bytes,
                COALESCE(SUM(state = 'done'), 0) AS doneFiles, COALESCE(SUM(CASE WHEN state = 'done' THEN size ELSE 0 END), 0) AS doneBytes,
                COALESCE(SUM(state = 'failed'), 0) AS failedFiles
         FROM job_items WHERE job_id = ? AND seq >= ? AND seq < ?`,
      )
      .get(jobId, fromSeq, toSeq) as { files: number; bytes: number; doneFiles: number; doneBytes: number; failedFiles: number };
  }

  results(jobId: number, cap: number): { done: string[]; doneCount: number; failed: { path: string; error: string | null }[]; failedCount: number } {
    const done = this.db.prepare(`SELECT relative_path FROM job_items WHERE job_id = ? AND state = 'done' ORDER BY seq LIMIT ?`).all(jobId, cap) as { relative_path: string }[];
    const failed = this.db.prepare(`SELECT relative_path, error FROM job_items WHERE job_id = ? AND state = 'failed' ORDER BY seq LIMIT ?`).all(jobId, cap) as { relative_path: string; error: string | null }[];
    const t = this.totals(jobId);
    return {
      done: done.map((r) => r.relative_path),
      doneCount: t.doneFiles ?? 0,
      failed: failed.map((r) => ({ path: r.relative_path, error: r.error })),
      failedCount: t.failedFiles ?? 0,
    };
  }

  /** Saved after every acknowledged chunk: the destination's resume state and confirmed bytes. */
  ack(jobId: number, seq: number, session: unknown, bytesDone: number): void {
    this.ackStmt.run(JSON.stringify(session), bytesDone, 'uploading', jobId, seq);
  }

  start(jobId: number, seq: number): void {
    this.db.prepare(`UPDATE job_items SET state = 'uploading', error = NULL, started_at = COALESCE(started_at, ?) WHERE job_id = ? AND seq = ?`).run(Date.now(), jobId, seq);
  }

  done(jobId: number, seq: number, r: ItemDone): void {
    this.doneAll(jobId, [{ seq, ...r }]);
  }

  /** Marks many files done in one transaction (a batch of small files). */
  doneAll(jobId: number, rows: (ItemDone & { seq: number })[]): void {
    const stmt = this.db.prepare(
      `UPDATE job_items SET state = 'done', sha256 = ?, location = ?, verified = ?, bytes_done = ?, error = NULL, finished_at = ? WHERE job_id = ? AND seq = ?`,
    );
    const now = Date.now();
    this.db.transaction(() => {
      for (const r of rows) stmt.run(r.sha256, r.location, r.verified, r.size, now, jobId, r.seq);
    })();
  }

  fail(jobId: number, seq: number, error: string, keepSession: boolean): void {
    this.db
      .prepare(`UPDATE job_items SET state = 'failed', error = ?, session = CASE WHEN ? THEN session ELSE NULL END, finished_at = ? WHERE job_id = ? AND seq = ?`)
      .run(error, keepSession ? 1 : 0, Date.now(), jobId, seq);
  }

  /** Forgets a file's resume state once its unfinished upload was discarded at the destination. */
  dropSession(jobId: number, seq: number): void {
    this.db.prepare('UPDATE job_items SET session = NULL, bytes_done = 0 WHERE job_id = ? AND seq = ?').run(jobId, seq);
  }

  /** Every done file with its hash, in order: the manifest's lines. */
  manifest(jobId: number): { relative_path: string; sha256: string; size: number; location: string | null }[] {
    return this.db
      .prepare(`SELECT relative_path, sha256, size, location FROM job_items WHERE job_id = ? AND state = 'done' ORDER BY relative_path`)
      .all(jobId) as { relative_path: string; sha256: string; size: number; location: string | null }[];
  }

  donePage(jobId: number, afterSeq: number, limit: number): { seq: number; relative_path: string; sha256: string; size: number }[] {
    return this.db
      .prepare(`SELECT seq, relative_path, sha256, size FROM job_items WHERE job_id = ? AND seq > ? AND state = 'done' ORDER BY seq LIMIT ?`)
      .all(jobId, afterSeq, limit) as { seq: number; relative_path: string; sha256: string; size: number }[];
  }

  sessionsContaining(destinationId: string, text: string): ItemSession[] {
    return this.db
      .prepare(
        `SELECT i.job_id AS jobId, i.seq, i.session FROM job_items i JOIN jobs j ON j.id = i.job_id
         WHERE j.destination_id = ? AND i.session IS NOT NULL AND instr(i.session, ?) > 0`,
      )
      .all(destinationId, text) as ItemSession[];
  }

  setSessions(sessions: readonly ItemSession[]): void {
    const update = this.db.prepare('UPDATE job_items SET session = ? WHERE job_id = ? AND seq = ?');
    this.db.transaction(() => {
      for (const s of sessions) update.run(s.session, s.jobId, s.seq);
    })();
  }
}
