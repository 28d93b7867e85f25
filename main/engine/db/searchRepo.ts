import type { JobState } from '../../../shared/model';
import type { Db } from './database';
import { ftsQuery, trigramQuery } from './ftsQuery';
import type { JobsTable } from './jobsRepo';

/** A block of log lines that matched, or a job whose name or metadata did. */
export interface RawHit {
  jobId: number;
  name: string;
  state: JobState;
  where: 'name' | 'metadata' | 'log';
  offset: number | null;
  length: number | null;
}

/** A log_blocks row: a run of whole lines at a byte offset of a job's log, indexed in log_fts under its id. */
export interface LogBlockRow {
  id: number;
  job_id: number;
  offset: number;
  length: number;
}

/** Every operation on log_blocks and its contentless full-text index log_fts: the only place their SQL is written. */
export interface SearchTable {
  /** Indexes one block and records how far the job's log is indexed, atomically. */
  addBlock(jobId: number, offset: number, text: string, indexedTo: number): void;
  /** Marks a log as indexed up to `offset` without adding a block (a job gone, a cap reached). */
  markIndexed(jobId: number, offset: number): void;
  /** Forgets a job's log blocks (its log was cut and offsets changed). */
  dropBlocks(jobId: number): void;
  /** Name and metadata matches first (newest job first), then log blocks (newest first). */
  search(text: string, limit: number): RawHit[];
}

/**
 * The full-text index of logs: blocks of log lines fed by the log indexer. Blocks go away with
 * their job through a foreign key and a trigger. How far each log is indexed is a column of the
 * jobs table, written through its repository in the same transaction.
 */
export class SearchRepo implements SearchTable {
  private readonly insertBlock;
  private readonly insertText;
  private readonly deleteBlocks;
  private readonly blocksMatching;

  constructor(
    private readonly db: Db,
    private readonly jobs: Pick<JobsTable, 'setLogIndexed' | 'matchNames'>,
  ) {
    this.insertBlock = db.prepare('INSERT INTO log_blocks (job_id, offset, length) VALUES (?, ?, ?)');
    this.insertText = db.prepare('INSERT INTO log_fts (rowid, text) VALUES (?, ?)');
    this.deleteBlocks = db.prepare('DELETE FROM log_blocks WHERE job_id = ?');
    this.blocksMatching = db.prepare(
      `SELECT b.job_id, b.offset, b.length, j.name, j.state FROM log_fts
       JOIN log_blocks b ON b.id = log_fts.rowid JOIN jobs j ON j.id = b.job_id
       WHERE log_fts MATCH ? ORDER BY log_fts.rowid DESC LIMIT ?`,
    );
  }

  addBlock(jobId: number, offset: number, text: string, indexedTo: number): void {
    this.db.transaction(() => {
      const id = Number(this.insertBlock.run(jobId, offset, Buffer.byteLength(text)).lastInsertRowid);
      this.insertText.run(id, text);
      this.jobs.setLogIndexed(jobId, indexedTo);
    })();
  }

  markIndexed(jobId: number, offset: number): void {
    this.jobs.setLogIndexed(jobId, offset);
  }

  dropBlocks(jobId: number): void {
    this.db.transaction(() => {
      this.deleteBlocks.run(jobId);
      this.jobs.setLogIndexed(jobId, 0);
    })();
  }

  search(text: string, limit: number): RawHit[] {
    const q = ftsQuery(text);
    const tri = trigramQuery(text);
    if (!q) return [];
    const hits: RawHit[] = [];
    const seen = new Set<number>();
    // One hit per job, the best place first: its name, then its metadata, then its log.
    const add = (h: RawHit) => {
      if (seen.has(h.jobId) || hits.length >= limit) return;
      seen.add(h.jobId);
      hits.push(h);
    };
    // Names and metadata are indexed by trigrams: words of three characters or more.
    for (const where of tri ? (['name', 'metadata'] as const) : []) {
      for (const r of this.jobs.matchNames(`${where} : (${tri})`, limit)) {
        add({ jobId: r.id, name: r.name, state: r.state, where, offset: null, length: null });
      }
    }
    if (hits.length < limit) {
      const blocks = this.blocksMatching.all(q, limit * 4) as (Pick<LogBlockRow, 'job_id' | 'offset' | 'length'> & { name: string; state: JobState })[];
      // Newest jobs first; within a job, its earliest matching block: where the words appear in
      // its lines, rather than the footer's list of items at the end.
      const earliest = new Map<number, (typeof blocks)[number]>();
      for (const b of blocks) {
        const seen = earliest.get(b.job_id);
        if (!seen || b.offset < seen.offset) earliest.set(b.job_id, b);
      }
      for (const b of earliest.values()) add({ jobId: b.job_id, name: b.name, state: b.state, where: 'log', offset: b.offset, length: b.length });
    }
    return hits;
  }
}
