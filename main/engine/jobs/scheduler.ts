import type { JobKind } from '../../../shared/model';
import type { JobRow, JobsRepo } from '../db/jobsRepo';

export interface SchedulerLimits {
  /** Jobs running at once, over all kinds. */
  concurrency: number;
  /** Jobs of one kind running at once. */
  perKind?: Partial<Record<JobKind, number>>;
  /** Jobs sending to one destination at once. */
  perDestination?: number;
}

/** A job that holds a slot: running, or paused but not yet parked at a checkpoint. */
export interface SlotHolder {
  kind: JobKind;
  destination_id: string | null;
}

/**
 * Fills free slots with the best queued jobs (priority, then queue order) that the per-kind and
 * per-destination limits allow. Saturated kinds and destinations are excluded in the query itself,
 * so a thousand queued jobs of a full kind never hide a startable job behind them. `launch` must
 * take the job out of the queue (it starts it) before the next query.
 */
export function fillSlots(repo: JobsRepo, limits: SchedulerLimits, holders: SlotHolder[], launch: (row: JobRow) => void, now = Date.now()): number {
  let free = limits.concurrency - holders.length;
  const byKind = new Map<string, number>();
  const byDestination = new Map<string, number>();
  const count = (h: SlotHolder) => {
    byKind.set(h.kind, (byKind.get(h.kind) ?? 0) + 1);
    if (h.destination_id !== null) byDestination.set(h.destination_id, (byDestination.get(h.destination_id) ?? 0) + 1);
  };
  holders.forEach(count);
  const kindFull = (kind: JobKind) => {
    const limit = limits.perKind?.[kind];
    return limit !== undefined && (byKind.get(kind) ?? 0) >= limit;
  };
  const destinationFull = (id: string | null) =>
    id !== null && limits.perDestination !== undefined && (byDestination.get(id) ?? 0) >= limits.perDestination;
  let launched = 0;
  while (free > 0) {
    const kinds = [...byKind.keys()].filter((k) => kindFull(k as JobKind));
    const destinations = [...byDestination.keys()].filter((d) => destinationFull(d));
    const rows = repo.nextQueued(now, free, { kinds, destinations });
    if (rows.length === 0) break;
    let progressed = false;
    for (const row of rows) {
      if (free <= 0) break;
      // A pick earlier in this batch may have filled the row's kind or destination: ask again.
      if (kindFull(row.kind) || destinationFull(row.destination_id)) continue;
      launch(row);
      count(row);
      free--;
      launched++;
      progressed = true;
    }
    if (!progressed) break;
  }
  return launched;
}
