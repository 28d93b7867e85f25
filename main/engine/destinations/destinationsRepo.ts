import type { DestinationKind } from '../../../shared/destinations';
import type { Db } from '../db/database';

export interface DestinationRow {
  id: string;
  name: string;
  kind: DestinationKind;
  config: string;
  is_default: number;
  created_at: number;
  updated_at: number;
}

/** The destinations table. Secrets are not here: they live in the secret store. */
export class DestinationsRepo {
  constructor(private readonly db: Db) {}

  list(): DestinationRow[] {
    return this.db.prepare('SELECT * FROM destinations ORDER BY is_default DESC, name COLLATE NOCASE').all() as DestinationRow[];
  }

  get(id: string): DestinationRow | undefined {
    return this.db.prepare('SELECT * FROM destinations WHERE id = ?').get(id) as DestinationRow | undefined;
  }

  defaultRow(): DestinationRow | undefined {
    return this.db.prepare('SELECT * FROM destinations WHERE is_default = 1 LIMIT 1').get() as DestinationRow | undefined;
  }

  upsert(row: Omit<DestinationRow, 'created_at' | 'updated_at' | 'is_default'> & { is_default?: number }, now = Date.now()): void {
    this.db
      .prepare(
        `INSERT INTO destinations (id, name, kind, config, is_default, created_at, updated_at)
         VALUES (@id, @name, @kind, @config, @is_default, @now, @now)
         ON CONFLICT(id) DO UPDATE SET name = excluded.name, kind = excluded.kind, config = excluded.config, updated_at = excluded.updated_at`,
      )
      .run({ ...row, is_default: row.is_default ?? 0, now });
  }

  setDefault(id: string): void {
    this.db.transaction(() => {
      this.db.prepare('UPDATE destinations SET is_default = 0 WHERE is_default = 1').run();
      this.db.prepare('UPDATE destinations SET is_default = 1, updated_at = ? WHERE id = ?').run(Date.now(), id);
    })();
  }

  delete(id: string): void {
    this.db.prepare('DELETE FROM destinations WHERE id = ?').run(id);
  }

  /** Jobs not yet finished that still point at a destination. */
  activeJobs(id: string): number {
    return (
      this.db
        .prepare(`SELECT COUNT(*) AS n FROM jobs WHERE destination_id = ? AND state NOT IN ('completed', 'failed', 'canceled')`)
        .get(id) as { n: number }
    ).n;
  }
}
