/** The watch_rules table: a rule's name, folder and switch as columns, the rest as JSON. */
import { watchRuleInput, type WatchRule, type WatchRuleConfig } from '../../../shared/watch';
import { createLogger } from '../util/logger';
import type { Db } from './database';

const log = createLogger('watch');

/** A watch_rules row as stored. */
export interface RuleRow {
  id: string;
  name: string;
  path: string;
  enabled: number;
  config: string;
  created_at: number;
  updated_at: number;
}

/** Parsed through the schema so that fields added later get their defaults. */
function toRule(row: RuleRow): WatchRule | undefined {
  const parsed = watchRuleInput.safeParse({ ...(JSON.parse(row.config) as object), id: row.id, name: row.name, path: row.path, enabled: row.enabled === 1 });
  if (!parsed.success) {
    log.error(`watch rule ${row.id} (${row.name}) is unreadable and is skipped: ${parsed.error.message}`);
    return undefined;
  }
  return { ...parsed.data, id: row.id, createdAt: row.created_at, updatedAt: row.updated_at };
}

/** Every operation on the watch_rules table: the only place its SQL is written. */
export interface WatchRulesTable {
  /** Rules by name; a rule that no longer parses is logged and left out. */
  list(): WatchRule[];
  get(id: string): WatchRule | undefined;
  /** Inserts or replaces a rule; answers it as stored. */
  save(rule: WatchRuleConfig & { id: string }, now?: number): WatchRule;
  setEnabled(id: string, enabled: boolean): void;
  /** Deletes a rule; its ledger goes with it (ON DELETE CASCADE). */
  delete(id: string): boolean;
}

export class WatchRulesRepo implements WatchRulesTable {
  constructor(private readonly db: Db) {}

  list(): WatchRule[] {
    const rows = this.db.prepare('SELECT * FROM watch_rules ORDER BY name COLLATE NOCASE, id').all() as RuleRow[];
    return rows.map(toRule).filter((r): r is WatchRule => r !== undefined);
  }

  get(id: string): WatchRule | undefined {
    const row = this.db.prepare('SELECT * FROM watch_rules WHERE id = ?').get(id) as RuleRow | undefined;
    return row ? toRule(row) : undefined;
  }

  /** Inserts or replaces a rule; answers it as stored. */
  save(rule: WatchRuleConfig & { id: string }, now = Date.now()): WatchRule {
    const { id, name, path, enabled, ...config } = rule;
    this.db
      .prepare(
        `INSERT INTO watch_rules (id, name, path, enabled, config, created_at, updated_at)
         VALUES (@id, @name, @path, @enabled, @config, @now, @now)
         ON CONFLICT(id) DO UPDATE SET name = excluded.name, path = excluded.path, enabled = excluded.enabled,
           config = excluded.config, updated_at = excluded.updated_at`,
      )
      .run({ id, name, path, enabled: enabled ? 1 : 0, config: JSON.stringify(config), now });
    return this.get(id)!;
  }

  setEnabled(id: string, enabled: boolean): void {
    this.db.prepare('UPDATE watch_rules SET enabled = ?, updated_at = ? WHERE id = ?').run(enabled ? 1 : 0, Date.now(), id);
  }

  /** Deletes a rule; its ledger goes with it (ON DELETE CASCADE). */
  delete(id: string): boolean {
    return this.db.prepare('DELETE FROM watch_rules WHERE id = ?').run(id).changes > 0;
  }
}
