/**
 * Coalesces the `job.log` stream's chunks so the log view takes new lines a few times a second,
 * not at every push: at 20,000 lines a second each update re-lays out and repaints the view, and
 * ten of them a second keep the main thread free (no task over 50 ms) while the log still looks
 * live. A chunk after a quiet spell, and the last one (eof), are applied at once.
 */
import type { LogChunk } from '../../../shared/model';

/** At most this many log updates a second reach the store while a log streams. */
export const LOG_UPDATES_PER_SECOND = 10;

/**
 * At most this much text reaches the store in one task. A log opened while its job writes fast
 * arrives as megabytes of backlog within the first interval; applied at once, splitting and laying
 * out that many lines took one task of 60–100 ms. Larger batches go in slices, one task each.
 */
export const LOG_SLICE_CHARS = 128 * 1024;

const encoder = new TextEncoder();

export interface LogBatcher {
  push(chunk: LogChunk): void;
  /** Drops what is pending (the stream was closed). */
  cancel(): void;
}

/**
 * The first slice of a chunk longer than `max` characters (cut after its last newline within them
 * when there is one) and the rest, with the byte offset between them. Answers null for a short chunk.
 */
export function sliceLogChunk(chunk: LogChunk, max: number): { head: LogChunk; rest: LogChunk } | null {
  if (chunk.text.length <= max) return null;
  let cut = chunk.text.lastIndexOf('\n', max - 1) + 1;
  if (cut === 0) {
    // No line end within: cut at the limit, never between the halves of a surrogate pair.
    cut = max;
    const c = chunk.text.charCodeAt(cut - 1);
    if (c >= 0xd800 && c <= 0xdbff) cut -= 1;
  }
  const text = chunk.text.slice(0, cut);
  const at = chunk.offset + encoder.encode(text).length;
  return { head: { ...chunk, nextOffset: at, text, eof: false }, rest: { ...chunk, offset: at, text: chunk.text.slice(cut) } };
}

export function batchLogChunks(apply: (chunk: LogChunk) => void, intervalMs = 1000 / LOG_UPDATES_PER_SECOND, now: () => number = () => performance.now(), sliceChars = LOG_SLICE_CHARS): LogBatcher {
  let pending: LogChunk | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let lastApplied = -Infinity;

  const flush = (): void => {
    timer = null;
    if (!pending) return;
    let chunk = pending;
    pending = null;
    const sliced = sliceLogChunk(chunk, sliceChars);
    if (sliced) {
      // The rest waits for a task of its own (what arrives meanwhile joins it).
      chunk = sliced.head;
      pending = sliced.rest;
      timer = setTimeout(flush, 0);
    }
    lastApplied = now();
    apply(chunk);
  };

  /** Applies all that is pending at once. */
  const drain = (): void => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
    const chunk = pending;
    pending = null;
    if (!chunk) return;
    lastApplied = now();
    apply(chunk);
  };

  return {
    push(chunk) {
      if (pending && pending.jobId === chunk.jobId && pending.epoch === chunk.epoch && pending.nextOffset === chunk.offset) {
        pending = { ...chunk, offset: pending.offset, text: pending.text + chunk.text };
      } else {
        // Not a continuation (another epoch, a re-opened stream): what came before goes first, whole.
        if (pending) drain();
        pending = chunk;
      }
      const wait = lastApplied + intervalMs - now();
      if (chunk.eof || wait <= 0) {
        if (timer !== null) clearTimeout(timer);
        flush();
      } else if (timer === null) timer = setTimeout(flush, wait);
    },
    cancel() {
      if (timer !== null) clearTimeout(timer);
      timer = null;
      pending = null;
    },
  };
}
