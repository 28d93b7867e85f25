import { formatJobLogFooter, formatJobLogHeader, formatJobLogReopen, type JobLogFooter, type JobLogHeader, type JobLogItemResults } from '../../../shared/jobLog';
import { REST_PREFIX, REST_STREAMS } from '../../../shared/restApi';
import type { JobRow } from '../db/jobsRepo';
import type { JobLogWriter } from '../logs/jobLogWriter';

/** The URL that follows job `id`'s log through the HTTP API at `origin` until the job ends. */
export function monitorUrl(origin: string, id: number): string {
  return `${origin}${REST_PREFIX}${REST_STREAMS.log.replace('{id}', String(id))}?follow=1`;
}

/** Writes a job's header (the frame itself is shared/jobLog.ts's); `monitor` as JobLogHeader says. */
export function writeHeader(w: JobLogWriter, row: JobRow, params: Record<string, unknown>, monitor: string | null = null): void {
  const header: JobLogHeader = {
    id: row.id,
    kind: row.kind,
    name: row.name,
    created: new Date(row.created_at).toISOString(),
    destination: row.destination_id,
    params,
    monitor,
  };
  w.raw(formatJobLogHeader(header));
}

export function writeFooter(
  w: JobLogWriter,
  row: JobRow,
  result: 'success' | 'partial' | 'failed' | 'canceled',
  error: string | undefined,
  summary: Record<string, unknown> | undefined,
  items?: JobLogItemResults,
): void {
  const finished = Date.now();
  const footer: JobLogFooter = {
    result,
    state: row.state,
    id: row.id,
    kind: row.kind,
    total: row.total,
    processed: row.processed,
    failed: row.failed,
    attempts: row.attempts,
    durationMs: row.run_ms,
    wallMs: row.started_at ? finished - row.started_at : 0,
    finished: new Date(finished).toISOString(),
    ...(error ? { error } : {}),
    ...(items ? { items } : {}),
    ...(summary ?? {}),
  };
  w.raw(formatJobLogFooter(footer));
}

/** A footer's item list from the stored files of a dataset job; undefined for a job without any. */
export function itemResultsOf(r: { done: string[]; doneCount: number; failed: { path: string; error: string | null }[]; failedCount: number }): JobLogItemResults | undefined {
  if (r.doneCount + r.failedCount === 0) return undefined;
  return {
    processed: r.done,
    processedMore: Math.max(0, r.doneCount - r.done.length),
    failed: r.failed.map((f) => ({ item: f.path, reason: f.error ?? 'no reason was recorded' })),
    failedMore: Math.max(0, r.failedCount - r.failed.length),
  };
}

/** Marks the start of another attempt's lines after a footer. */
export function reopenLog(w: JobLogWriter, attempt: number): void {
  w.raw(formatJobLogReopen(attempt));
}

/**
 * Before a runner starts: a log that is missing (a crash right after the row was created) gets
 * its header, and a log that ends with a footer (a retry) gets a new section.
 */
export function ensureOpenSection(w: JobLogWriter, row: JobRow, attempt: number): void {
  if (w.logSize === 0 && w.pendingBytes === 0) writeHeader(w, row, safeParams(row.params));
  else if (w.endsWithFooter()) reopenLog(w, attempt);
}

function safeParams(params: string): Record<string, unknown> {
  try {
    return JSON.parse(params) as Record<string, unknown>;
  } catch {
    return {};
  }
}
