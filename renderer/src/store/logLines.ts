/**
 * The retained tail of a job's log as whole lines (the view is virtualized by line), kept in
 * chunks of up to CHUNK lines so an append copies one short chunk, never the whole tail: at
 * thousands of lines a second that keeps both the work and the garbage small. Beyond the cap the
 * oldest chunks are dropped, and `dropped` keeps line numbers stable.
 */

/** About 5–10 MB of typical log text. */
export const LOG_MAX_LINES = 100_000;
const CHUNK = 4096;

export interface LogLines {
  /** Whole lines in chunks of at most CHUNK; every chunk but the last is full. */
  chunks: readonly (readonly string[])[];
  /** Whole lines retained. */
  count: number;
  /** The last line while it has no newline yet. */
  partial: string;
  /** Lines dropped from the front (the first retained line is number dropped + 1). */
  dropped: number;
}

export const EMPTY_LOG_LINES: LogLines = { chunks: [], count: 0, partial: '', dropped: 0 };

export function appendLogText(log: LogLines, text: string, cap: number = LOG_MAX_LINES): LogLines {
  if (text.length === 0) return log;
  const parts = (log.partial + text).split('\n');
  const partial = parts.pop() ?? '';
  if (parts.length === 0) return { ...log, partial };
  for (let i = 0; i < parts.length; i++) {
    const line = parts[i] as string;
    if (line.endsWith('\r')) parts[i] = line.slice(0, -1);
  }
  const chunks = log.chunks.slice();
  let from = 0;
  const last = chunks[chunks.length - 1];
  if (last && last.length < CHUNK) {
    from = Math.min(parts.length, CHUNK - last.length);
    chunks[chunks.length - 1] = last.concat(parts.slice(0, from));
  }
  for (let i = from; i < parts.length; i += CHUNK) chunks.push(parts.slice(i, i + CHUNK));
  let count = log.count + parts.length;
  let dropped = log.dropped;
  // Drop whole chunks from the front while what is left still meets the cap.
  while (chunks.length > 1 && count - (chunks[0] as readonly string[]).length >= cap) {
    const first = chunks.shift() as readonly string[];
    count -= first.length;
    dropped += first.length;
  }
  return { chunks, count, partial, dropped };
}

/** Lines shown, counting an unfinished last line. */
export const shownLineCount = (log: LogLines): number => log.count + (log.partial ? 1 : 0);

/** The line at a retained index (0 = the first retained line), the unfinished one included. */
export function lineAt(log: LogLines, index: number): string {
  if (index >= log.count) return index === log.count ? log.partial : '';
  // Every chunk but the last is full, so the chunk is found by division.
  return log.chunks[Math.floor(index / CHUNK)]?.[index % CHUNK] ?? '';
}

export function logText(log: LogLines): string {
  const whole = log.chunks.map((c) => c.join('\n')).join('\n');
  return whole + (log.partial ? `${whole ? '\n' : ''}${log.partial}` : whole ? '\n' : '');
}
