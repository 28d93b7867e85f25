import type { Db } from './database';

/** An engine_state row: one flag, its value as JSON. */
export interface EngineStateRow {
  key: string;
  value: string;
}

/** Every operation on the engine_state table: the only place its SQL is written. */
export interface EngineStateTable {
  /** The flag's value, or `fallback` when it is unset or unreadable. */
  get<T>(key: string, fallback: T): T;
  put(key: string, value: unknown): void;
}

/** Small persistent flags of the engine itself (the held queue, the last retention run), as JSON. */
export class EngineStateRepo implements EngineStateTable {
  private readonly getStmt;
  private readonly putStmt;

  constructor(db: Db) {
    this.getStmt = db.prepare('SELECT value FROM engine_state WHERE key = ?');
    this.putStmt = db.prepare('INSERT INTO engine_state (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value');
  }

  get<T>(key: string, fallback: T): T {
    const row = this.getStmt.get(key) as Pick<EngineStateRow, 'value'> | undefined;
    if (!row) return fallback;
    try {
      return JSON.parse(row.value) as T;
    } catch {
      return fallback;
    }
  }

  put(key: string, value: unknown): void {
    this.putStmt.run(key, JSON.stringify(value));
  }
}
