import { DEFAULT_SETTINGS, settingsPatch, settingsSchema, type Settings, type SettingsPatch } from '../../../shared/settings';
import type { Db } from '../db/database';

/** Settings in SQLite, one row per key; unknown or stale keys fall back to defaults. */
export class SettingsService {
  private current: Settings;
  private readonly listeners = new Set<(s: Settings, changed: (keyof Settings)[]) => void>();

  constructor(private readonly db: Db) {
    const stored: Record<string, unknown> = {};
    for (const row of db.prepare('SELECT key, value FROM settings').all() as { key: string; value: string }[]) {
      if (row.key in DEFAULT_SETTINGS) stored[row.key] = JSON.parse(row.value);
    }
    const parsed = settingsSchema.safeParse(stored);
    this.current = parsed.success ? parsed.data : { ...DEFAULT_SETTINGS };
  }

  get(): Settings {
    return { ...this.current };
  }

  update(raw: SettingsPatch): Settings {
    const patch = settingsPatch.parse(raw);
    const next = settingsSchema.parse({ ...this.current, ...patch });
    const changed = (Object.keys(patch) as (keyof Settings)[]).filter((k) => JSON.stringify(next[k]) !== JSON.stringify(this.current[k]));
    const put = this.db.prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value');
    this.db.transaction(() => {
      for (const k of changed) put.run(k, JSON.stringify(next[k]));
    })();
    this.current = next;
    if (changed.length) for (const l of this.listeners) l(this.get(), changed);
    return this.get();
  }

  /** Listens to changes (and is told the current settings at once). */
  onChange(listener: (s: Settings, changed: (keyof Settings)[]) => void): () => void {
    this.listeners.add(listener);
    listener(this.get(), Object.keys(this.current) as (keyof Settings)[]);
    return () => this.listeners.delete(listener);
  }
}
