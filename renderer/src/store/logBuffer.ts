/**
 * The retained tail of a job's log: text kept in pieces of about CHUNK_CHARS so React appends and
 * drops whole text nodes instead of re-rendering megabytes, capped at about `cap` characters.
 */

/** About 2 MB of text: enough to read, small enough to keep the DOM quick. */
export const LOG_CAP_CHARS = 2 * 1024 * 1024;
const CHUNK_CHARS = 64 * 1024;

export interface LogPiece {
  /** Stable across appends: React key. */
  key: number;
  text: string;
}

export interface LogBuffer {
  pieces: LogPiece[];
  /** Characters retained. */
  chars: number;
  /** Some earlier text was dropped to respect the cap. */
  trimmed: boolean;
  nextKey: number;
}

export const EMPTY_LOG_BUFFER: LogBuffer = { pieces: [], chars: 0, trimmed: false, nextKey: 0 };

/** Appends text (never mutating `buffer`), then drops whole pieces from the front beyond the cap. */
export function appendToBuffer(buffer: LogBuffer, text: string, cap: number = LOG_CAP_CHARS): LogBuffer {
  if (text.length === 0) return buffer;
  let pieces = buffer.pieces.slice();
  let nextKey = buffer.nextKey;
  const last = pieces[pieces.length - 1];
  if (last && last.text.length + text.length <= CHUNK_CHARS) {
    pieces[pieces.length - 1] = { key: last.key, text: last.text + text };
  } else {
    pieces.push({ key: nextKey++, text });
  }
  let chars = buffer.chars + text.length;
  let trimmed = buffer.trimmed;
  let drop = 0;
  while (drop < pieces.length - 1 && chars - (pieces[drop]?.text.length ?? 0) >= cap) {
    chars -= pieces[drop]?.text.length ?? 0;
    drop += 1;
  }
  if (drop > 0) {
    const cutAtLineEnd = pieces[drop - 1]?.text.endsWith('\n') ?? true;
    pieces = pieces.slice(drop);
    trimmed = true;
    // Start the view on a whole line when the cut fell inside one.
    const first = pieces[0];
    if (first && !cutAtLineEnd) {
      const newline = first.text.indexOf('\n');
      if (newline >= 0 && newline < first.text.length - 1) {
        pieces[0] = { key: first.key, text: first.text.slice(newline + 1) };
        chars -= newline + 1;
      }
    }
  }
  // A single huge append larger than the cap keeps only its tail.
  const only = pieces[0];
  if (pieces.length === 1 && only && only.text.length > cap) {
    const tail = only.text.slice(only.text.length - cap);
    const newline = tail.indexOf('\n');
    const text2 = newline >= 0 && newline < tail.length - 1 ? tail.slice(newline + 1) : tail;
    pieces = [{ key: only.key, text: text2 }];
    chars = text2.length;
    trimmed = true;
  }
  return { pieces, chars, trimmed, nextKey };
}
