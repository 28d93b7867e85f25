import type { JobState } from '../../../shared/model';
import type { Db } from './database';
import { ftsQuery, trigramQuery } from './ftsQuery';

/** A block of log lines that matched, or a job whose name or metadata did. */
export interface RawHit {
  jobId: number;
  name: string;
  state: JobState;
  where: 'name' | 'metadata' | 'log';
  offset: number | null;
  length: number | null;
}

/**
 * The full-text index: names and metadata (kept by triggers) and blocks of log lines (fed by the
 * log indexer). Blocks go away with their job through a foreign key and a trigger.
 */
export class SearchRepo {
  private readonly insertBlock;
  private readonly insertText;
  private readonly setIndexed;

  constructor(private readonly db: Db) {
    this.insertBlock = db.prepare('INSERT INTO log_blocks (job_id, offset, length) VALUES (?, ?, ?)');
    this.insertText = db.prepare('INSERT INTO log_fts (rowid, text) VALUES (?, ?)');
    this.setIndexed = db.prepare('UPDATE jobs SET log_indexed = ? WHERE id = ?');
  }

  /** Indexes one block and records how far the job's log is indexed, atomically. */
  addBlock(jobId: number, offset: number, text: string, indexedTo: number): void {
    this.db.transaction(() => {
      const id = Number(this.insertBlock.run(jobId, offset, Buffer.byteLength(text)).lastInsertRowid);
      this.insertText.run(id, text);
      this.setIndexed.run(indexedTo, jobId);
    })();
  }

  /** Marks a log as indexed up to `offset` without adding a block (a job gone, a cap reached). */
  markIndexed(jobId: number, offset: number): void {
    this.setIndexed.run(offset, jobId);
  }

  /** Forgets a job's log blocks (its log was cut and offsets changed). */
  dropBlocks(jobId: number): void {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM log_blocks WHERE job_id = ?').run(jobId);
      this.setIndexed.run(0, jobId);
    })();
  }

  /** Jobs whose log has bytes not yet indexed, per the sizes the caller knows. */
  indexedOffset(jobId: number): number | undefined {
    return (this.db.prepare('SELECT log_indexed AS n FROM jobs WHERE id = ?').get(jobId) as { n: number } | undefined)?.n;
  }

  /** Name and metadata matches first (newest job first), then log blocks (newest first). */
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
    const byColumn = this.db.prepare(
      `SELECT j.id, j.name, j.state FROM jobs_fts JOIN jobs j ON j.id = jobs_fts.rowid
       WHERE jobs_fts MATCH ? ORDER BY j.id DESC LIMIT ?`,
    );
    // Names and metadata are indexed by trigrams: words of three characters or more.
    for (const where of tri ? (['name', 'metadata'] as const) : []) {
      for (const r of byColumn.all(`${where} : (${tri})`, limit) as { id: number; name: string; state: JobState }[]) {
        add({ jobId: r.id, name: r.name, state: r.state, where, offset: null, length: null });
      }
    }
    if (hits.length < limit) {
      const blocks = this.db
        .prepare(
          `SELECT b.job_id, b.offset, b.length, j.name, j.state FROM log_fts
           JOIN log_blocks b ON b.id = log_fts.rowid JOIN jobs j ON j.id = b.job_id
           WHERE log_fts MATCH ? ORDER BY log_fts.rowid DESC LIMIT ?`,
        )
        .all(q, limit * 4) as { job_id: number; offset: number; length: number; name: string; state: JobState }[];
      for (const b of blocks) add({ jobId: b.job_id, name: b.name, state: b.state, where: 'log', offset: b.offset, length: b.length });
    }
    return hits;
  }
}
