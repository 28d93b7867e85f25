/**
 * shared/format.ts's formatCount, remembered: it uses toLocaleString, which is slow enough to show
 * up when table rows mount by the dozen while scrolling. Same output, computed once per number.
 */
import { formatCount } from '../../../shared/format';

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
