/**
 * The human job log's frame, written by the engine and read by every interface: a readable title,
 * a JSON header, the timestamped lines inside `<log>`, and a JSON footer holding the result. A
 * retried job appends a new `<log attempt="N">` section and, when it ends again, a new footer: the
 * last footer is the job's result. This file is the only place that spells the frame.
 */

/** What the job was created with, as the header holds it. */
export interface JobLogHeader {
  id: number;
  kind: string;
  name: string;
  /** ISO time of creation. */
  created: string;
  destination: string | null;
  params: Record<string, unknown>;
  /**
   * Where to follow this job from anywhere on this computer: the HTTP API's log URL
   * (`curl -N <monitor>`), or null when the host served no HTTP API as the job was created.
   */
  monitor?: string | null;
}

/** Footers list at most this many processed and this many failed items; `…More` counts the rest. */
export const ITEM_RESULTS_CAP = 100;

/** Per-item results of a job, as its footer holds them. */
export interface JobLogItemResults {
  processed: string[];
  /** Processed items beyond the list. */
  processedMore: number;
  failed: { item: string; reason: string }[];
  failedMore: number;
}

/** The result of one attempt, as its footer holds it (runners add their own summary fields). */
export interface JobLogFooter {
  result: 'success' | 'partial' | 'failed' | 'canceled';
  state: string;
  id: number;
  kind: string;
  total: number | null;
  processed: number;
  failed: number;
  attempts: number;
  /** Running time over all attempts; wall time also counts queued and paused time. */
  durationMs: number;
  wallMs: number;
  /** ISO time the attempt ended. */
  finished: string;
  error?: string;
  items?: JobLogItemResults;
  [summary: string]: unknown;
}

const HEADER_OPEN = '<header_json>\n';
const HEADER_CLOSE_MARK = '\n</header_json>';
const HEADER_CLOSE = `${HEADER_CLOSE_MARK}\n`;
const FOOTER_OPEN = '<footer_json>\n';
const FOOTER_CLOSE_MARK = '\n</footer_json>';
const FOOTER_CLOSE = `${FOOTER_CLOSE_MARK}\n`;
const LOG_OPEN = '<log>\n';
const LOG_CLOSE = '</log>\n';

/** How a sealed log (its last attempt ended) ends: a reader checks its tail against this. */
export const JOB_LOG_FOOTER_END = FOOTER_CLOSE.slice(1);

/** The title, the header and the opening of the first attempt's lines. */
export function formatJobLogHeader(header: JobLogHeader): string {
  const monitor = header.monitor === undefined ? '' : `# Monitor: ${header.monitor ?? 'local API off'}\n`;
  return (
    `# Ferry job ${header.id}: ${header.name}\n# Kind: ${header.kind}\n# Created: ${header.created}\n${monitor}\n` +
    `${HEADER_OPEN}${JSON.stringify(header, null, 2)}${HEADER_CLOSE}${LOG_OPEN}`
  );
}

/** The end of an attempt's lines and its footer. */
export function formatJobLogFooter(footer: JobLogFooter): string {
  return `${LOG_CLOSE}${FOOTER_OPEN}${JSON.stringify(footer, null, 2)}${FOOTER_CLOSE}`;
}

/** Opens another attempt's lines after a footer. */
export function formatJobLogReopen(attempt: number): string {
  return `<log attempt="${attempt}">\n`;
}

/**
 * The header of a log read from its start; null when `text` holds no whole header. A header that
 * is there but is not JSON throws (the log was damaged), which a reader reports rather than hides.
 */
export function parseJobLogHeader(text: string): Partial<JobLogHeader> | null {
  const body = between(text, HEADER_OPEN, HEADER_CLOSE_MARK, 0);
  return body === null ? null : (JSON.parse(body.text) as Partial<JobLogHeader>);
}

/** Every whole footer in `text`, in order: the last one is the job's result. */
export function parseJobLogFooters(text: string): Partial<JobLogFooter>[] {
  const footers: Partial<JobLogFooter>[] = [];
  for (let found = between(text, FOOTER_OPEN, FOOTER_CLOSE_MARK, 0); found; found = between(text, FOOTER_OPEN, FOOTER_CLOSE_MARK, found.end)) {
    try {
      footers.push(JSON.parse(found.text) as Partial<JobLogFooter>);
    } catch {
      // A footer cut by the log's size cap is no result; the next one may be.
    }
  }
  return footers;
}

/** The text between the first `open` at or after `from` and the `close` after it. */
function between(text: string, open: string, close: string, from: number): { text: string; end: number } | null {
  const start = text.indexOf(open, from);
  if (start < 0) return null;
  const end = text.indexOf(close, start + open.length);
  if (end < 0) return null;
  return { text: text.slice(start + open.length, end), end: end + close.length };
}

/** What one line of a job log is in its frame (a view folds the frame into summaries). */
export type JobLogLineKind = 'title' | 'header-open' | 'header-close' | 'footer-open' | 'footer-close' | 'log-open' | 'log-close' | 'attempt' | 'line';

const ATTEMPT_LINE = /^<log attempt="(\d+)">$/;
const TITLE_LINES = 5;
const MARKERS: ReadonlyMap<string, JobLogLineKind> = new Map([
  [HEADER_OPEN.slice(0, -1), 'header-open'],
  [HEADER_CLOSE_MARK.slice(1), 'header-close'],
  [FOOTER_OPEN.slice(0, -1), 'footer-open'],
  [FOOTER_CLOSE_MARK.slice(1), 'footer-close'],
  [LOG_OPEN.slice(0, -1), 'log-open'],
  [LOG_CLOSE.slice(0, -1), 'log-close'],
]);

/**
 * The kind of line `index` (0-based, in the whole file) holding `line` (no newline). Only the
 * first lines can be the title, so a job's own output starting with "#" stays a line. Called for
 * every line a view shows, so the common case (not "<") answers at the first character.
 */
export function jobLogLineKind(line: string, index: number): JobLogLineKind {
  if (index < TITLE_LINES && (line.startsWith('# ') || line === '')) return 'title';
  if (line.charCodeAt(0) !== 60 /* < */) return 'line';
  return MARKERS.get(line) ?? (ATTEMPT_LINE.test(line) ? 'attempt' : 'line');
}

/** The attempt number an `attempt` line opens. */
export function jobLogAttempt(line: string): number | null {
  const m = ATTEMPT_LINE.exec(line);
  return m ? Number(m[1]) : null;
}
