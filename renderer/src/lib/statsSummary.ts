/**
 * Figures for the stats screen. The engine answers them (`jobStats`: success rate, durations by
 * kind, bytes moved, hourly throughput); an engine without that command gets them computed from a
 * sample of finished jobs from listJobs. Either way the screen gets one shape.
 */
import type { JobKind, JobStats, JobView } from '../../../shared/model';

export interface Percentiles {
  count: number;
  p50: number;
  p90: number;
  p99: number;
}

export interface HourlyPoint {
  /** Start of the hour, epoch ms. */
  at: number;
  bytes: number;
  /** Jobs that finished in the hour. */
  jobs: number;
  failed: number;
}

export interface StatsSummary {
  /** Where the figures came from. */
  source: 'engine' | 'sample';
  /** Finished jobs the figures are based on (sample) or null (engine-wide). */
  sampled: number | null;
  /** Jobs that completed without a failed item over those that completed or failed. */
  successRate: number | null;
  /** Completed jobs with failed items among the figures, or null when not known. */
  partial: number | null;
  bytesMoved: number | null;
  durations: Partial<Record<JobKind, Percentiles>>;
  hourly: HourlyPoint[];
}

const HOUR = 3_600_000;

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1));
  return sorted[index] as number;
}

export function percentilesOf(values: number[]): Percentiles {
  const sorted = values.slice().sort((a, b) => a - b);
  return { count: sorted.length, p50: percentile(sorted, 0.5), p90: percentile(sorted, 0.9), p99: percentile(sorted, 0.99) };
}

/** The last `hours` hours of finished jobs: bytes of uploads and jobs finished, per hour. */
export function hourlyBuckets(jobs: JobView[], now: number, hours = 24): HourlyPoint[] {
  const end = Math.floor(now / HOUR) * HOUR;
  const buckets: HourlyPoint[] = Array.from({ length: hours }, (_, i) => ({ at: end - (hours - 1 - i) * HOUR, bytes: 0, jobs: 0, failed: 0 }));
  const first = buckets[0]?.at ?? end;
  for (const job of jobs) {
    if (job.finishedAt === null || job.finishedAt < first) continue;
    const bucket = buckets[Math.floor((job.finishedAt - first) / HOUR)];
    if (!bucket) continue;
    bucket.jobs += 1;
    if (job.state === 'failed') bucket.failed += 1;
    if (job.unit === 'bytes') bucket.bytes += job.done;
  }
  return buckets;
}

/** From finished jobs (newest first) and engine-wide counts. */
export function summarizeJobs(finished: JobView[], counts: { completed: number; failed: number; canceled: number }, now: number, partial = 0): StatsSummary {
  const ended = counts.completed + counts.failed;
  const byKind = new Map<JobKind, number[]>();
  let bytes = 0;
  for (const job of finished) {
    if (job.unit === 'bytes') bytes += job.done;
    if (job.startedAt === null || job.finishedAt === null || job.state !== 'completed') continue;
    const list = byKind.get(job.kind) ?? [];
    list.push(job.finishedAt - job.startedAt);
    byKind.set(job.kind, list);
  }
  const durations: Partial<Record<JobKind, Percentiles>> = {};
  for (const [kind, values] of byKind) durations[kind] = percentilesOf(values);
  return {
    source: 'sample',
    sampled: finished.length,
    successRate: ended > 0 ? (counts.completed - partial) / ended : null,
    partial,
    bytesMoved: bytes,
    durations,
    hourly: hourlyBuckets(finished, now),
  };
}

/** The engine's own figures, in the screen's shape. */
export function fromJobStats(stats: JobStats): StatsSummary {
  const durations: Partial<Record<JobKind, Percentiles>> = {};
  for (const [kind, d] of Object.entries(stats.durations) as [JobKind, { count: number; p50: number; p90: number; p99: number }][]) {
    durations[kind] = { count: d.count, p50: d.p50, p90: d.p90, p99: d.p99 };
  }
  return {
    source: 'engine',
    sampled: null,
    successRate: stats.successRate,
    partial: stats.partial ?? null,
    bytesMoved: stats.bytesMoved,
    durations,
    hourly: stats.perHour.map((h) => ({ at: h.hour, bytes: h.bytes, jobs: h.completed + h.failed + h.canceled, failed: h.failed })),
  };
}
