/**
 * The `watch.changed` stream's batching: rule saves, status moves and removals are collected and
 * sent together at most once per interval (default 100 ms, i.e. ~10 per second), however busy the
 * watchers are. Nothing is collected while no one listens.
 */
import type { WatchChanged, WatchRule, WatchRuleStatus } from '../../../shared/watch';

export class ChangeFeed {
  private readonly listeners = new Set<(batch: WatchChanged) => void>();
  private readonly dirty = new Set<string>();
  private readonly rules = new Map<string, WatchRule>();
  private readonly removed = new Set<string>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly statusOf: (id: string) => WatchRuleStatus | undefined,
    private readonly intervalMs = 100,
  ) {}

  statusChanged(id: string): void {
    if (this.listeners.size === 0) return;
    this.dirty.add(id);
    this.schedule();
  }

  ruleSaved(rule: WatchRule): void {
    if (this.listeners.size === 0) return;
    this.rules.set(rule.id, rule);
    this.dirty.add(rule.id);
    this.removed.delete(rule.id);
    this.schedule();
  }

  ruleRemoved(id: string): void {
    if (this.listeners.size === 0) return;
    this.rules.delete(id);
    this.dirty.delete(id);
    this.removed.add(id);
    this.schedule();
  }

  /** Sends `snapshot` to the new listener at once, then the batches. */
  subscribe(listener: (batch: WatchChanged) => void, snapshot: WatchChanged): () => void {
    listener(snapshot);
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.clear();
    };
  }

  stop(): void {
    this.clear();
    this.listeners.clear();
  }

  private clear(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.dirty.clear();
    this.rules.clear();
    this.removed.clear();
  }

  private schedule(): void {
    this.timer ??= setTimeout(() => this.flush(), this.intervalMs);
  }

  private flush(): void {
    this.timer = undefined;
    const batch: WatchChanged = {
      rules: [...this.rules.values()],
      statuses: [...this.dirty].map((id) => this.statusOf(id)).filter((s): s is WatchRuleStatus => s !== undefined),
      removed: [...this.removed],
    };
    this.dirty.clear();
    this.rules.clear();
    this.removed.clear();
    if (batch.rules.length + batch.statuses.length + batch.removed.length === 0) return;
    for (const l of this.listeners) l(batch);
  }
}
