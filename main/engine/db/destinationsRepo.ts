import type { DestinationKind } from '../../../shared/destinations';
import type { Db } from './database';

export interface DestinationRow {
  id: string;
  name: string;
  kind: DestinationKind;
  config: string;
  is_default: number;
  created_at: number;
  updated_at: number;
}

/** Every operation on the destinations table: the only place its SQL is written. */
export interface DestinationsTable {
  list(): DestinationRow[];
  get(id: string): DestinationRow | undefined;
  defaultRow(): DestinationRow | undefined;
  /** Inserts a destination or updates its name, kind and config (never its default flag). */
  upsert(row: Omit<DestinationRow, 'created_at' | 'updated_at' | 'is_default'> & { is_default?: number }, now?: number): void;
  /** Makes one destination the default and no other. */
  setDefault(id: string): void;
  delete(id: string): void;
}

/** The destinations table. Secrets are not here: they live in the secret store. */
export class DestinationsRepo implements DestinationsTable {
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
}
