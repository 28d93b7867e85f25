/**
 * Lines of the retained log that contain the query (any case), kept up to date incrementally: an
 * append scans only the new lines, a trim drops matches that fell off the front.
 */
import { useMemo, useRef } from 'react';
import { lineAt } from '../../store/logLines';
import type { LogLines } from '../../store/logLines';

interface Cache {
  query: string;
  /** Absolute number (0-based, counting dropped lines) of the first line not scanned yet. */
  scannedTo: number;
  matches: number[];
}

export interface LogSearch {
  /** Absolute line indexes (0-based, counting dropped lines) that match, in order. */
  matches: number[];
  needle: string;
}

export function useLogSearch(log: LogLines, query: string): LogSearch {
  const cache = useRef<Cache>({ query: '', scannedTo: 0, matches: [] });
  return useMemo(() => {
    const needle = query.toLowerCase();
    if (!needle) {
      cache.current = { query: '', scannedTo: 0, matches: [] };
      return { matches: [], needle };
    }
    let c = cache.current;
    const end = log.dropped + log.count;
    if (c.query !== needle || c.scannedTo > end || c.scannedTo < log.dropped) c = { query: needle, scannedTo: log.dropped, matches: [] };
    let matches = c.matches;
    if (matches.length && (matches[0] as number) < log.dropped) matches = matches.filter((n) => n >= log.dropped);
    const fresh: number[] = [];
    for (let abs = c.scannedTo; abs < end; abs++) {
      if (lineAt(log, abs - log.dropped).toLowerCase().includes(needle)) fresh.push(abs);
    }
    if (fresh.length) matches = matches.concat(fresh);
    cache.current = { query: needle, scannedTo: end, matches };
    // The unfinished last line is looked at every time, never cached.
    const withPartial = log.partial && log.partial.toLowerCase().includes(needle) ? matches.concat(end) : matches;
    return { matches: withPartial, needle };
  }, [log, query]);
}
