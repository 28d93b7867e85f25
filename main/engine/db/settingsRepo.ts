import type { Db } from './database';

/** A settings row: one setting, its value as JSON. */
export interface SettingRow {
  key: string;
  value: string;
}

/** Every operation on the settings table: the only place its SQL is written. */
export interface SettingsTable {
  all(): SettingRow[];
  /** Writes the given settings in one transaction. */
  putAll(rows: readonly SettingRow[]): void;
}

export class SettingsRepo implements SettingsTable {
  constructor(private readonly db: Db) {}

  all(): SettingRow[] {
    return this.db.prepare('SELECT key, value FROM settings').all() as SettingRow[];
  }

  putAll(rows: readonly SettingRow[]): void {
    const put = this.db.prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value');
    this.db.transaction(() => {
      for (const r of rows) put.run(r.key, r.value);
    })();
  }
}
