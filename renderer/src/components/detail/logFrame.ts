/**
 * The log's frame (shared/jobLog.ts spells and parses it) as the log view shows it: the title and
 * the `<log>` markers folded away, a JSON header or footer as a summary in plain words, a retried
 * attempt as a divider.
 */
import { formatCount, formatDuration } from '../../../../shared/format';
import { jobLogAttempt, jobLogLineKind, parseJobLogFooters, parseJobLogHeader } from '../../../../shared/jobLog';
import type { JobLogFooter, JobLogHeader, JobLogItemResults } from '../../../../shared/jobLog';
import { plural } from '../../../../shared/plural';

/** How the view treats a line: the first line of a summary, the last (folded), folded, a divider, or shown. */
export type FrameLine = 'open' | 'close' | 'hidden' | 'attempt' | 'line';

export function frameLineKind(text: string, inBlock: boolean, index = Number.MAX_SAFE_INTEGER): FrameLine {
  const kind = jobLogLineKind(text, index);
  if (inBlock) return kind === 'header-close' || kind === 'footer-close' ? 'close' : 'hidden';
  switch (kind) {
    case 'header-open':
    case 'footer-open':
      return 'open';
    case 'title':
    case 'log-open':
    case 'log-close':
    case 'header-close':
    case 'footer-close':
      return 'hidden';
    case 'attempt':
      return 'attempt';
    default:
      return 'line';
  }
}

export interface SummaryLine {
  label: string;
  value: string;
}

export interface FrameSummary {
  kind: 'header' | 'footer';
  title: string;
  tone: 'neutral' | 'good' | 'partial' | 'bad';
  lines: SummaryLine[];
}

const RESULT_WORDS: Record<JobLogFooter['result'], { title: string; tone: FrameSummary['tone'] }> = {
  success: { title: 'Completed', tone: 'good' },
  partial: { title: 'Completed with failures', tone: 'partial' },
  failed: { title: 'Failed', tone: 'bad' },
  canceled: { title: 'Canceled', tone: 'neutral' },
};

/** "linesPerItem" → "Lines per item". */
function words(key: string): string {
  const spaced = key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/[_-]+/g, ' ').toLowerCase();
  return spaced.charAt(0).toUpperCase() + spaced.slice(1);
}

const MAX_VALUE = 4000;

function plain(value: unknown): string {
  let text: string;
  if (value === null || value === undefined) text = 'none';
  else if (typeof value === 'boolean') text = value ? 'yes' : 'no';
  else if (typeof value === 'number') text = formatCount(value);
  else if (typeof value === 'string') text = value === '' ? '(empty)' : value;
  else if (Array.isArray(value)) text = value.length === 0 ? 'none' : value.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).join(', ');
  else {
    // Fields left empty say nothing.
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== '' && v !== null && v !== undefined);
    text = entries.length === 0 ? 'none' : entries.map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`).join(', ');
  }
  return text.length > MAX_VALUE ? `${text.slice(0, MAX_VALUE - 1)}…` : text;
}

function time(iso: unknown): string {
  if (typeof iso !== 'string') return 'unknown';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : `${d.toLocaleString()} (${iso})`;
}

function headerSummary(h: Partial<JobLogHeader>): FrameSummary {
  const lines: SummaryLine[] = [
    { label: 'Kind', value: plain(h.kind) },
    { label: 'Destination', value: plain(h.destination) },
    { label: 'Created', value: time(h.created) },
  ];
  // Logs written before the header named it have no `monitor` at all; null: no HTTP API then.
  if (h.monitor !== undefined) lines.push({ label: 'Follow with', value: h.monitor ? `curl -N ${h.monitor}` : 'nothing: the local API was off when the job was created' });
  for (const [key, value] of Object.entries(h.params ?? {})) lines.push({ label: words(key), value: plain(value) });
  return { kind: 'header', title: `Job ${h.id ?? '?'}: ${h.name ?? 'unnamed'}`, tone: 'neutral', lines };
}

const FOOTER_KEYS = new Set(['result', 'state', 'id', 'kind', 'total', 'processed', 'failed', 'attempts', 'durationMs', 'wallMs', 'finished', 'error', 'items']);

/** "a, b and 3 more" from a capped list and the count beyond it. */
function listed(names: string[], more: number): string {
  const tail = more > 0 ? ` and ${formatCount(more)} more` : '';
  return names.length === 0 ? (more > 0 ? `${formatCount(more)} ${plural(more, 'item')}` : 'none') : `${names.join(', ')}${tail}`;
}

function itemLines(items: Partial<JobLogItemResults>): SummaryLine[] {
  const processed = Array.isArray(items.processed) ? items.processed : [];
  const failed = Array.isArray(items.failed) ? items.failed : [];
  const lines: SummaryLine[] = [];
  if (processed.length || items.processedMore) lines.push({ label: 'Processed items', value: listed(processed, items.processedMore ?? 0) });
  if (failed.length || items.failedMore) lines.push({ label: 'Failed items', value: listed(failed.map((f) => `${f.item} (${f.reason})`), items.failedMore ?? 0) });
  return lines.map((l) => ({ ...l, value: l.value.length > MAX_VALUE ? `${l.value.slice(0, MAX_VALUE - 1)}…` : l.value }));
}

function footerSummary(f: Partial<JobLogFooter>): FrameSummary {
  const words_ = f.result ? RESULT_WORDS[f.result] : undefined;
  const processed = f.processed ?? 0;
  const failed = f.failed ?? 0;
  // `total` is in the job's own unit (bytes for a transfer); what was processed are items, so the
  // count to set it against is the runner's file count, or the total of a job that counts items.
  const items = typeof f.files === 'number' ? f.files : f.kind === 'demo' && typeof f.total === 'number' ? f.total : undefined;
  const of = items === undefined ? '' : ` of ${formatCount(items)}`;
  const lines: SummaryLine[] = [
    { label: 'Ended', value: time(f.finished) },
    { label: 'Processed', value: `${formatCount(processed)}${of}, ${formatCount(failed)} failed` },
    { label: 'Running time', value: `${formatDuration(f.durationMs ?? 0)} (${formatDuration(f.wallMs ?? 0)} with waits)` },
    { label: 'Attempts', value: `${f.attempts ?? 1} ${plural(f.attempts ?? 1, 'attempt')}` },
  ];
  if (f.error) lines.push({ label: 'Error', value: plain(f.error) });
  if (f.items && typeof f.items === 'object') lines.push(...itemLines(f.items));
  for (const [key, value] of Object.entries(f)) if (!FOOTER_KEYS.has(key)) lines.push({ label: words(key), value: plain(value) });
  return { kind: 'footer', title: `Result: ${words_?.title ?? plain(f.result)}`, tone: words_?.tone ?? 'neutral', lines };
}

const INCOMPLETE: FrameSummary = { kind: 'header', title: 'Reading…', tone: 'neutral', lines: [] };

/** The summary of one frame block's text (its open line to its close line). */
export function summarizeFrame(text: string): FrameSummary {
  try {
    if (text.startsWith('<header_json>')) {
      const header = parseJobLogHeader(text);
      return header ? headerSummary(header) : INCOMPLETE;
    }
    const footers = parseJobLogFooters(text);
    const last = footers[footers.length - 1];
    return last ? footerSummary(last) : { ...INCOMPLETE, kind: 'footer' };
  } catch {
    return { kind: 'header', title: 'This block of the log is damaged (not JSON): switch to Raw to read it.', tone: 'bad', lines: [] };
  }
}

/** The label of a divider line that opens a retried attempt. */
export function attemptLabel(text: string): string {
  return `Attempt ${jobLogAttempt(text) ?? '?'}`;
}
