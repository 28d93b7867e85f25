/**
 * shared/format.ts's formatCount and formatFullTimestamp, remembered: they use toLocaleString and
 * Intl.DateTimeFormat, slow enough to show up when table rows mount by the dozen while scrolling
 * (the full date alone took 7 ms of a 70 ms task in a CPU profile of the renderer benchmark). Same
 * output, computed once per value.
 */
import { formatCount, formatFullTimestamp } from '../../../shared/format';

const MAX = 5000;
const cache = new Map<number, string>();

export function cachedCount(n: number): string {
  let text = cache.get(n);
  if (text === undefined) {
    if (cache.size >= MAX) cache.clear();
    text = formatCount(n);
    cache.set(n, text);
  }
  return text;
}

const stamps = new Map<number, string>();

export function cachedFullTimestamp(ts: number | null): string {
  if (ts === null) return formatFullTimestamp(ts);
  let text = stamps.get(ts);
  if (text === undefined) {
    if (stamps.size >= MAX) stamps.clear();
    text = formatFullTimestamp(ts);
    stamps.set(ts, text);
  }
  return text;
}
