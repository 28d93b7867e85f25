import type { Db } from './database';

/**
 * An event_feed row: events `from_seq..to_seq` of one job, flushed together, hold the global
 * event ids `last_gid - (to_seq - from_seq) .. last_gid`.
 */
export interface EventFeedRow {
  last_gid: number;
  job_id: number;
  from_seq: number;
  to_seq: number;
}

/** Every operation on the event_feed table: the only place its SQL is written. */
export interface EventFeedTable {
  /** The highest global event id given so far (0 when none). */
  head(): number;
  /** The highest seq of a job the feed holds (0 when none). */
  lastSeqOf(jobId: number): number;
  /** Records events `fromSeq..toSeq` of a job under the next ids; answers the row. */
  append(jobId: number, fromSeq: number, toSeq: number): EventFeedRow;
  /** Rows whose ids reach past `afterGid`, oldest first, optionally of some jobs only. */
  after(afterGid: number, limit: number, jobIds?: readonly number[]): EventFeedRow[];
  /** The lowest global event id the feed still holds (head + 1 when it is empty). */
  oldest(): number;
  /** Forgets all but the newest `keepRows` rows. */
  prune(keepRows: number): void;
}

export class EventFeedRepo implements EventFeedTable {
  private readonly headStmt;
  private readonly lastSeqStmt;
  private readonly insertStmt;
  private readonly afterStmt;
  private readonly oldestStmt;
  private readonly pruneStmt;
  private readonly appendTx;

  constructor(private readonly db: Db) {
    this.headStmt = db.prepare('SELECT COALESCE(MAX(last_gid), 0) AS gid FROM event_feed');
    this.lastSeqStmt = db.prepare('SELECT to_seq FROM event_feed WHERE job_id = ? ORDER BY last_gid DESC LIMIT 1');
    this.insertStmt = db.prepare('INSERT INTO event_feed (last_gid, job_id, from_seq, to_seq) VALUES (?, ?, ?, ?)');
    this.afterStmt = db.prepare('SELECT last_gid, job_id, from_seq, to_seq FROM event_feed WHERE last_gid > ? ORDER BY last_gid LIMIT ?');
    this.oldestStmt = db.prepare('SELECT last_gid, from_seq, to_seq FROM event_feed ORDER BY last_gid LIMIT 1');
    this.pruneStmt = db.prepare('DELETE FROM event_feed WHERE last_gid < (SELECT last_gid FROM event_feed ORDER BY last_gid DESC LIMIT 1 OFFSET ?)');
    this.appendTx = db.transaction((jobId: number, fromSeq: number, toSeq: number): EventFeedRow => {
      const lastGid = this.head() + (toSeq - fromSeq + 1);
      this.insertStmt.run(lastGid, jobId, fromSeq, toSeq);
      return { last_gid: lastGid, job_id: jobId, from_seq: fromSeq, to_seq: toSeq };
    });
  }

  head(): number {
    return (this.headStmt.get() as { gid: number }).gid;
  }

  lastSeqOf(jobId: number): number {
    return (this.lastSeqStmt.get(jobId) as { to_seq: number } | undefined)?.to_seq ?? 0;
  }

  append(jobId: number, fromSeq: number, toSeq: number): EventFeedRow {
    return this.appendTx(jobId, fromSeq, toSeq);
  }

  after(afterGid: number, limit: number, jobIds?: readonly number[]): EventFeedRow[] {
    if (!jobIds) return this.afterStmt.all(afterGid, limit) as EventFeedRow[];
    const marks = jobIds.map(() => '?').join(', ');
    // Few ids (the stream caps them): a statement per call is cheap and keeps the list bound.
    return this.db
      .prepare(`SELECT last_gid, job_id, from_seq, to_seq FROM event_feed WHERE last_gid > ? AND job_id IN (${marks}) ORDER BY last_gid LIMIT ?`)
      .all(afterGid, ...jobIds, limit) as EventFeedRow[];
  }

  oldest(): number {
    const row = this.oldestStmt.get() as Pick<EventFeedRow, 'last_gid' | 'from_seq' | 'to_seq'> | undefined;
    return row ? row.last_gid - (row.to_seq - row.from_seq) : this.head() + 1;
  }

  prune(keepRows: number): void {
    this.pruneStmt.run(keepRows - 1);
  }
}
