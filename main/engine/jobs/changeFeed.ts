import type { JobsChanged } from '../../../shared/contract';
import type { JobView } from '../../../shared/model';

/** Batches of changed jobs go out at most this often. */
export const CHANGE_BATCH_MS = 100;

/**
 * The `jobs.changed` feed: ids marked changed or removed are collected and sent as one batch of
 * fresh views, so a thousand progress reports a second cost one message per batch interval.
 */
export class ChangeFeed {
  private readonly dirty = new Set<number>();
  private readonly removed = new Set<number>();
  private readonly listeners = new Set<(batch: JobsChanged) => void>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly view: (id: number) => JobView | undefined) {}

  changed(id: number): void {
    this.dirty.add(id);
    this.arm();
  }

  removedJob(id: number): void {
    this.removed.add(id);
    this.dirty.delete(id);
    this.arm();
  }

  private arm(): void {
    if (!this.timer) this.timer = setTimeout(() => this.flush(), CHANGE_BATCH_MS);
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const upserts: JobView[] = [];
    for (const id of this.dirty) {
      const v = this.view(id);
      if (v) upserts.push(v);
    }
    const removed = [...this.removed];
    this.dirty.clear();
    this.removed.clear();
    if (upserts.length === 0 && removed.length === 0) return;
    for (const l of this.listeners) l({ upserts, removed });
  }

  /** Listens to batched job changes; returns the function that stops listening. */
  onChanged(listener: (batch: JobsChanged) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  stop(): void {
    this.flush();
  }
}
