import { DEFAULT_SETTINGS, settingsPatch, settingsSchema, type Settings, type SettingsPatch } from '../../../shared/settings';
import type { Db } from '../db/database';
import { SettingsRepo } from '../db/settingsRepo';
import { createLogger } from '../util/logger';

const log = createLogger('settings');
type Listener = (s: Settings, changed: (keyof Settings)[]) => void;

/** Settings in SQLite, one row per key; unknown or stale keys fall back to defaults. */
export class SettingsService {
  private current: Settings;
  private readonly listeners = new Set<Listener>();
  private readonly rows: SettingsRepo;

  constructor(db: Db) {
    this.rows = new SettingsRepo(db);
    const stored: Record<string, unknown> = {};
    for (const row of this.rows.all()) {
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
    this.rows.putAll(changed.map((k) => ({ key: k, value: JSON.stringify(next[k]) })));
    this.current = next;
    if (changed.length) this.announce(changed);
    return this.get();
  }

  /** Listens to changes (and is told the current settings at once). */
  onChange(listener: Listener): () => void {
    this.listeners.add(listener);
    listener(this.get(), Object.keys(this.current) as (keyof Settings)[]);
    return () => this.listeners.delete(listener);
  }

  /** Hears every saved change with the full settings, and nothing until one happens (the `settings.changed` stream). */
  subscribe(listener: (s: Settings) => void): () => void {
    const each: Listener = (s) => listener(s);
    this.listeners.add(each);
    return () => this.listeners.delete(each);
  }

  /** The change is saved by now: a listener that throws must not turn it into an error for the caller. */
  private announce(changed: (keyof Settings)[]): void {
    for (const l of [...this.listeners]) {
      try {
        l(this.get(), changed);
      } catch (err) {
        log.error(`a settings listener failed on a change of ${changed.join(', ')}`, err);
      }
    }
  }
}
