/**
 * Settles the ledger when an upload job ends. Files the job sent get their SHA-256 and the size
 * and time the job read; files it did not send (failed items, a failed or canceled job) are
 * released, so a change or the next scan offers them again, and a later successful retry of the
 * same job still marks them uploaded. Files a dataset job found on its own (written after the
 * folder was read) are recorded too, so they do not start another job.
 */
import type { WatchRule } from '../../../shared/watch';
import type { ItemRow, ItemsRepo } from '../db/itemsRepo';
import type { WatchLedgerTable } from '../db/watchLedgerRepo';
import { filterFor } from './ruleFilter';
import { isInside, toRel } from './treeWalk';

const PAGE = 1000;

export interface OutcomeDeps {
  ledger: WatchLedgerTable;
  items: ItemsRepo;
  rule: (id: string) => WatchRule | undefined;
  dataDir: string;
}

function allItems(items: ItemsRepo, jobId: number): ItemRow[] {
  const out: ItemRow[] = [];
  for (let offset = 0; ; offset += PAGE) {
    const page = items.page(jobId, offset, PAGE);
    out.push(...page);
    if (page.length < PAGE) return out;
  }
}

/** Applies a finished job to the ledger; answers the rules whose files it touched. */
export function applyJobOutcome(deps: OutcomeDeps, jobId: number): Set<string> {
  const rows = deps.ledger.byJob(jobId);
  const touched = new Set(rows.map((r) => r.rule_id));
  if (rows.length === 0) return touched;
  const items = allItems(deps.items, jobId);
  const byPath = new Map(items.map((i) => [i.path, i]));
  const claimed = new Set(rows.map((r) => r.path));
  deps.ledger.batch(() => {
    for (const row of rows) {
      const item = byPath.get(row.path);
      if (item?.state === 'done' && item.sha256) deps.ledger.markUploaded(row.rule_id, row.path, { size: item.size, mtimeMs: item.mtime_ms }, item.sha256, jobId);
      else deps.ledger.markFailed(row.rule_id, row.path, jobId);
    }
    for (const ruleId of touched) {
      const rule = deps.rule(ruleId);
      if (!rule || rule.mode !== 'dataset') continue;
      const filter = filterFor(rule, deps.dataDir);
      for (const item of items) {
        if (claimed.has(item.path) || item.state !== 'done' || !item.sha256 || !isInside(rule.path, item.path)) continue;
        if (filter.takesFile(toRel(rule.path, item.path))) {
          deps.ledger.markUploaded(ruleId, item.path, { size: item.size, mtimeMs: item.mtime_ms }, item.sha256, jobId);
        }
      }
    }
  });
  return touched;
}
