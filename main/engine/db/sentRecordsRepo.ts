import type { Db } from './database';

/** A file as Ferry recorded it when it last sent it. */
export interface SentRecord {
  size: number;
  mtimeMs: number;
  sha256: string;
}

/** More files than this are not held in memory: the files are hashed instead. */
const MAX_RECORDS = 200_000;

/**
 * What this computer last sent of a dataset to a destination (the newest upload job of that
 * dataset there, other than `exceptJobId`): a shortcut that spares hashing a file whose size and
 * modification time did not change since. The destination's manifest still decides.
 */
export class SentRecordsRepo {
  constructor(private readonly db: Db) {}

  lastSent(destinationId: string, dataset: string, exceptJobId?: number): Map<string, SentRecord> {
    const job = this.db
      .prepare(
        `SELECT id FROM jobs WHERE kind = 'upload' AND destination_id = ? AND json_extract(params, '$.dataset') = ? AND id != ?
          AND state = 'completed' ORDER BY id DESC LIMIT 1`,
      )
      .get(destinationId, dataset, exceptJobId ?? -1) as { id: number } | undefined;
    const out = new Map<string, SentRecord>();
    if (!job) return out;
    const rows = this.db
      .prepare(`SELECT relative_path, size, mtime_ms, sha256 FROM job_items WHERE job_id = ? AND state = 'done' AND sha256 IS NOT NULL LIMIT ?`)
      .all(job.id, MAX_RECORDS + 1) as { relative_path: string; size: number; mtime_ms: number; sha256: string }[];
    if (rows.length > MAX_RECORDS) return out;
    for (const r of rows) out.set(r.relative_path, { size: r.size, mtimeMs: r.mtime_ms, sha256: r.sha256 });
    return out;
  }
}
