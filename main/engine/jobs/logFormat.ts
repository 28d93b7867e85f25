import { formatJobLogFooter, formatJobLogHeader, formatJobLogReopen, type JobLogFooter, type JobLogHeader } from '../../../shared/jobLog';
import type { JobRow } from '../db/jobsRepo';
import type { JobLogWriter } from '../logs/jobLogWriter';

/** Writes a job's header (the frame itself is shared/jobLog.ts's). */
export function writeHeader(w: JobLogWriter, row: JobRow, params: Record<string, unknown>): void {
  const header: JobLogHeader = {
    id: row.id,
    kind: row.kind,
    name: row.name,
    created: new Date(row.created_at).toISOString(),
    destination: row.destination_id,
    params,
  };
  w.raw(formatJobLogHeader(header));
}

export function writeFooter(
  w: JobLogWriter,
  row: JobRow,
  result: 'success' | 'partial' | 'failed' | 'canceled',
  error: string | undefined,
  summary: Record<string, unknown> | undefined,
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
    ...(summary ?? {}),
  };
  w.raw(formatJobLogFooter(footer));
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
