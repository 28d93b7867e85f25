/**
 * Where each line of the log view sits when lines wrap and the log's frame (title, JSON header,
 * `<log>` markers, JSON footers) is shown as summaries: every retained line gets a height in rows
 * (0 for a line folded into a summary), kept as running sums so finding the line at a scroll
 * position is a binary search. The layout grows with the log: an append measures only the new
 * lines, so 20,000 lines a second cost a few string lengths each, never a pass over the whole tail.
 *
 * Heights come from character counts, not from the DOM: the log's font is monospaced and a wrapped
 * line breaks at any character (`overflow-wrap: anywhere`), so a line of n columns in a view of c
 * columns takes ceil(n / c) rows.
 */
import { lineAt } from '../../store/logLines';
import type { LogLines } from '../../store/logLines';
import { frameLineKind, summarizeFrame } from './logFrame';
import type { FrameSummary, SummaryLine } from './logFrame';

export interface LayoutOptions {
  /** Columns a row holds; Infinity when long lines scroll instead of wrapping. */
  cols: number;
  /** Show the file as it is: no summaries, nothing folded. */
  raw: boolean;
}

/** Running row sums over the retained lines, from `base` (an absolute line number) on. */
export interface LogLayout {
  readonly cols: number;
  readonly raw: boolean;
  /** The absolute number of the line `sums[0]` is the top of. */
  base: number;
  /** sums[k] = rows above line base + k; sums has one entry more than the lines laid out. */
  sums: Int32Array;
  /** Lines laid out (base + laidOut is the first line not measured yet). */
  laidOut: number;
  /** While inside a frame block (a JSON header or footer): the absolute number of its first line. */
  openBlock: number | null;
  /** The identity of the log this layout was built for, to know when it may be extended. */
  source: LogLines | null;
}

/** Columns a line takes: a tab up to the next stop of 4, a wide (East Asian) character two. */
export function lineColumns(text: string): number {
  let cols = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 9) cols += 4 - (cols % 4);
    else if (c >= 0x1100 && (c <= 0x115f || (c >= 0x2e80 && c <= 0xa4cf) || (c >= 0xac00 && c <= 0xd7a3) || (c >= 0xf900 && c <= 0xfaff) || (c >= 0xff00 && c <= 0xff60))) cols += 2;
    else if (c < 0xdc00 || c > 0xdfff) cols += 1; // the second half of a surrogate pair adds nothing
  }
  return cols;
}

/** Rows a text takes at `cols` columns. */
export function rowsFor(text: string, cols: number): number {
  if (!Number.isFinite(cols) || text.length <= cols) return 1;
  return Math.max(1, Math.ceil(lineColumns(text) / cols));
}

/** Dropped lines whose sums are kept before they are shifted out. */
const REBASE_AFTER = 32_768;

export function emptyLayout(options: LayoutOptions, base = 0): LogLayout {
  return { cols: options.cols, raw: options.raw, base, sums: new Int32Array(1024), laidOut: 0, openBlock: null, source: null };
}

function grow(layout: LogLayout, need: number): void {
  if (layout.sums.length >= need) return;
  const next = new Int32Array(Math.max(need, layout.sums.length * 2));
  next.set(layout.sums.subarray(0, layout.laidOut + 1));
  layout.sums = next;
}

/**
 * The layout for `log`, extending `previous` when it can (same options, same lines plus more);
 * otherwise built afresh. Mutates and returns `previous` when extended.
 */
export function layoutLog(previous: LogLayout | null, log: LogLines, options: LayoutOptions): LogLayout {
  let layout = previous;
  const reusable =
    layout !== null &&
    layout.cols === options.cols &&
    layout.raw === options.raw &&
    layout.base <= log.dropped &&
    layout.base + layout.laidOut <= log.dropped + log.count &&
    layout.base + layout.laidOut >= log.dropped;
  if (!reusable || layout === null) layout = emptyLayout(options, log.dropped);
  else if (log.dropped - layout.base >= REBASE_AFTER) {
    // Lines dropped from the front: forget their sums by moving the rest down (a copy of numbers,
    // not a new pass over the lines).
    const k = log.dropped - layout.base;
    layout.sums.copyWithin(0, k, layout.laidOut + 1);
    layout.laidOut -= k;
    layout.base = log.dropped;
  }
  const end = log.dropped + log.count;
  const from = layout.base + layout.laidOut;
  grow(layout, end - layout.base + 1);
  for (let abs = Math.max(from, log.dropped); abs < end; abs++) placeLine(layout, log, abs);
  layout.source = log;
  return layout;
}

/** Measures one whole line and appends its height to the sums. */
function placeLine(layout: LogLayout, log: LogLines, abs: number): void {
  const k = abs - layout.base;
  const text = lineAt(log, abs - log.dropped);
  let rows: number;
  if (layout.raw) rows = rowsFor(text, layout.cols);
  else {
    const kind = frameLineKind(text, layout.openBlock !== null, abs);
    if (kind === 'open') {
      layout.openBlock = abs;
      rows = summaryRows(log, abs, layout.cols, false);
    } else if (kind === 'close') {
      const open = layout.openBlock;
      layout.openBlock = null;
      rows = 0;
      // The block is whole now: its summary (on its first line) takes its full height.
      if (open !== null && open >= log.dropped && open >= layout.base) {
        const delta = summaryRows(log, open, layout.cols, true) - ((layout.sums[open - layout.base + 1] as number) - (layout.sums[open - layout.base] as number));
        if (delta !== 0) for (let j = open - layout.base + 1; j <= k; j++) layout.sums[j] = (layout.sums[j] as number) + delta;
      }
    } else rows = kind === 'hidden' ? 0 : kind === 'attempt' ? 1 : rowsFor(text, layout.cols);
  }
  layout.sums[k + 1] = (layout.sums[k] as number) + rows;
  layout.laidOut = k + 1;
}

/** Rows of a block's summary: its title and lines plus one row of padding around them. */
function summaryRows(log: LogLines, openAbs: number, cols: number, whole: boolean): number {
  if (!whole) return 2;
  return summaryHeight(summarizeFrame(blockText(log, openAbs)), cols);
}

/** Rows a summary takes: one of padding, its title, and each `label: value` line (LogSummary draws them so). */
export function summaryHeight(summary: FrameSummary, cols: number): number {
  let rows = 1 + rowsFor(summary.title, cols);
  for (const line of summary.lines) rows += rowsFor(summaryLineText(line), cols);
  return rows;
}

export const summaryLineText = (line: SummaryLine): string => `${line.label}: ${line.value}`;

/** The text of the frame block that starts at `openAbs`, up to its closing line (or the end). */
export function blockText(log: LogLines, openAbs: number): string {
  const parts: string[] = [];
  const end = log.dropped + log.count;
  for (let abs = openAbs; abs < end; abs++) {
    const text = lineAt(log, abs - log.dropped);
    parts.push(text);
    if (abs > openAbs && frameLineKind(text, true) === 'close') break;
  }
  return `${parts.join('\n')}\n`;
}

/** Pixels from the top of the first retained line to the top of line `abs`. */
export function topOf(layout: LogLayout, log: LogLines, abs: number, rowHeight: number): number {
  const zero = layout.sums[log.dropped - layout.base] as number;
  const k = Math.min(abs, layout.base + layout.laidOut) - layout.base;
  return ((layout.sums[k] as number) - zero) * rowHeight;
}

/** Rows of the laid-out retained lines. */
export function totalRows(layout: LogLayout, log: LogLines): number {
  return (layout.sums[layout.laidOut] as number) - (layout.sums[log.dropped - layout.base] as number);
}

/** The retained line (absolute number) whose rows cover `row` (counted from the first retained line). */
export function lineAtRow(layout: LogLayout, log: LogLines, row: number): number {
  const zero = layout.sums[log.dropped - layout.base] as number;
  const target = row + zero;
  let lo = log.dropped - layout.base;
  let hi = layout.laidOut;
  // The last k with sums[k] <= target.
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((layout.sums[mid] as number) <= target) lo = mid;
    else hi = mid - 1;
  }
  return layout.base + lo;
}

/** Rows of one laid-out line. */
export function rowsOf(layout: LogLayout, abs: number): number {
  const k = abs - layout.base;
  if (k < 0 || k >= layout.laidOut) return 0;
  return (layout.sums[k + 1] as number) - (layout.sums[k] as number);
}
