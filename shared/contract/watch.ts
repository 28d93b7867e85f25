/** Watched folders: rules that turn files arriving in a folder into uploads. */
import { z } from 'zod';
import { watchRuleInput, type WatchChanged, type WatchRule, type WatchRuleStatus } from '../watch';
import { command, noInput, stream } from './define';

export const watchCommands = {
  /** Every watched-folder rule, by name. */
  listWatchRules: command<WatchRule[]>()(noInput),
  /** Creates (no id) or replaces a watched-folder rule; the folder must exist. Its watcher restarts. */
  saveWatchRule: command<WatchRule>()(watchRuleInput),
  /** Removes a watched-folder rule and its ledger; jobs it already created carry on. */
  deleteWatchRule: command<{ id: string }>()(z.strictObject({ id: z.string().min(1).max(64) })),
  /** Starts or stops watching a rule's folder; enabling scans it for files that arrived meanwhile. */
  setWatchRuleEnabled: command<WatchRule>()(z.strictObject({ id: z.string().min(1).max(64), enabled: z.boolean() })),
  /** How each watched folder is doing (all rules, or one). */
  watchStatus: command<WatchRuleStatus[]>()(z.strictObject({ id: z.string().min(1).max(64).optional() })),
} as const;

export const watchStreams = {
  /** Watched-folder rules and statuses: everything on subscribe, then what changed (at most ~10 per second). */
  'watch.changed': stream<WatchChanged>()(noInput),
} as const;
