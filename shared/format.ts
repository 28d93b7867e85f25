/** Small pure formatting helpers shared by the renderer, the desktop shell and the engine's logs. */

const BYTE_UNITS = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'] as const;
const DASH = '—';

/** Decimal (SI) byte sizes, as file managers show them: `1.5 GB`, `812 kB`, `17 B`. */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return DASH;
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < BYTE_UNITS.length - 1) {
    value /= 1000;
    unit += 1;
  }
  const digits = unit === 0 || value >= 100 ? 0 : value >= 10 ? 1 : 2;
  return `${value.toFixed(digits)} ${BYTE_UNITS[unit]}`;
}

/** Integers with thousands separators (`12,345`). */
export function formatCount(n: number): string {
  return Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : DASH;
}

const pad2 = (n: number): string => String(n).padStart(2, '0');

/** A compact duration: `450 ms`, `12s`, `3m 05s`, `2h 04m`, `3d 4h`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return DASH;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const totalSeconds = Math.round(ms / 1000);
  if (totalSeconds < 60) return `${totalSeconds}s`;
  const minutes = Math.floor(totalSeconds / 60);
  if (minutes < 60) return `${minutes}m ${pad2(totalSeconds % 60)}s`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours}h ${pad2(minutes % 60)}m`;
  return `${Math.floor(hours / 24)}d ${hours % 24}h`;
}

/** Time left for a running job; a dash when the engine does not know yet. */
export function formatEta(etaMs: number | null): string {
  if (etaMs === null || !Number.isFinite(etaMs)) return DASH;
  if (etaMs < 1000) return '<1s';
  return formatDuration(etaMs);
}

/** A throughput in the job's own unit: `6.7/s` items or `12.4 MB/s`. */
export function formatRate(rate: number, unit: 'items' | 'bytes'): string {
  if (!Number.isFinite(rate) || rate <= 0) return DASH;
  if (unit === 'bytes') return `${formatBytes(rate)}/s`;
  const digits = rate >= 100 ? 0 : rate >= 10 ? 1 : 2;
  return `${rate.toFixed(digits)}/s`;
}

/** Done over total as 0..1 (0 when the total is not known yet). */
export function progressFraction(done: number, total: number): number {
  if (!(total > 0)) return 0;
  return Math.min(1, Math.max(0, done / total));
}

/** A whole percentage that only reads 100% when the work is really all done. */
export function formatPercent(fraction: number): string {
  const pct = Math.floor(Math.min(1, Math.max(0, fraction)) * 100);
  return `${pct}%`;
}

/** Done of total in the job's unit: `12 / 40` items or `1.2 GB / 3.0 GB`. */
export function formatAmount(done: number, total: number, unit: 'items' | 'bytes'): string {
  if (unit === 'bytes') return `${formatBytes(done)} / ${total > 0 ? formatBytes(total) : '?'}`;
  return `${formatCount(done)} / ${total > 0 ? formatCount(total) : '?'}`;
}

// 24-hour clock: a table cell has no room for AM/PM.
const timeOfDay = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
const dayAndTime = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
const fullDate = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });

/** Time of day for today's timestamps, else day and time: dense enough for a table cell. */
export function formatTimestamp(ts: number | null, now: number = Date.now()): string {
  if (ts === null || !Number.isFinite(ts)) return DASH;
  const date = new Date(ts);
  const today = new Date(now);
  const sameDay =
    date.getFullYear() === today.getFullYear() && date.getMonth() === today.getMonth() && date.getDate() === today.getDate();
  return sameDay ? timeOfDay.format(date) : dayAndTime.format(date);
}

/** The unambiguous form for tooltips. */
export function formatFullTimestamp(ts: number | null): string {
  if (ts === null || !Number.isFinite(ts)) return '';
  return fullDate.format(new Date(ts));
}

/** `awaiting_approval` → `awaiting approval`. */
export function formatState(state: string): string {
  // The jobs filter's `partial`: a completed job with failed items.
  if (state === 'partial') return 'completed with failures';
  return state.replace(/_/g, ' ');
}
