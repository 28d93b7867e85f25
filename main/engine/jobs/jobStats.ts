import { JOB_STATES, type DurationStats, type HourBucket, type JobKind, type JobState, type JobStats } from '../../../shared/model';
import type { JobsTable } from '../db/jobsRepo';

const HOUR_MS = 60 * 60 * 1000;
/** Hourly buckets cover at most the last 31 days of a window. */
const MAX_BUCKETS = 24 * 31;

/** The value at quantile q of sorted numbers (nearest rank). */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.ceil(q * sorted.length) - 1;
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank))]!;
}

/**
 * History figures over jobs that finished in [from, to): success rate (a job with failed items is
 * not a success), running-time percentiles
 * per kind (completed jobs), bytes moved and an hourly series; counts are of all jobs now.
 */
export function computeJobStats(repo: Pick<JobsTable, 'eachFinished'>, counts: Partial<Record<JobState, number>>, from: number, to: number): JobStats {
  // As many hours as the window spans, the last one being the hour that holds `to`.
  const count = Math.max(1, Math.min(MAX_BUCKETS, Math.ceil((to - from) / HOUR_MS)));
  const lastHour = Math.floor((to - 1) / HOUR_MS) * HOUR_MS;
  const firstHour = lastHour - (count - 1) * HOUR_MS;
  const buckets: HourBucket[] = [];
  for (let i = 0; i < count; i++) buckets.push({ hour: firstHour + i * HOUR_MS, completed: 0, failed: 0, canceled: 0, bytes: 0 });
  const durations = new Map<JobKind, number[]>();
  let completed = 0;
  let partial = 0;
  let failed = 0;
  let finished = 0;
  let bytesMoved = 0;
  repo.eachFinished(from, to, (r) => {
    finished++;
    bytesMoved += r.bytes;
    if (r.state === 'completed') {
      completed++;
      if (r.result === 'partial') partial++;
      let list = durations.get(r.kind);
      if (!list) durations.set(r.kind, (list = []));
      list.push(r.durationMs);
    } else if (r.state === 'failed') failed++;
    const b = buckets[Math.floor((r.finishedAt - firstHour) / HOUR_MS)];
    if (b) {
      if (r.state === 'completed') b.completed++;
      else if (r.state === 'failed') b.failed++;
      else b.canceled++;
      b.bytes += r.bytes;
    }
  });
  const byKind: Partial<Record<JobKind, DurationStats>> = {};
  for (const [kind, list] of durations) {
    list.sort((a, b) => a - b);
    byKind[kind] = { count: list.length, p50: quantile(list, 0.5), p90: quantile(list, 0.9), p99: quantile(list, 0.99), max: list[list.length - 1]! };
  }
  return {
    from,
    to,
    counts: Object.fromEntries(JOB_STATES.map((s) => [s, counts[s] ?? 0])) as Record<JobState, number>,
    finished,
    partial,
    successRate: completed + failed > 0 ? (completed - partial) / (completed + failed) : null,
    durations: byKind,
    bytesMoved,
    perHour: buckets,
  };
}
