/**
 * Coalesces the `job.log` stream's chunks so the log view takes new lines a few times a second,
 * not at every push: at 20,000 lines a second each update re-lays out and repaints the view, and
 * ten of them a second keep the main thread free (no task over 50 ms) while the log still looks
 * live. A chunk after a quiet spell, and the last one (eof), are applied at once.
 */
import type { LogChunk } from '../../../shared/model';

/** At most this many log updates a second reach the store while a log streams. */
export const LOG_UPDATES_PER_SECOND = 10;

export interface LogBatcher {
  push(chunk: LogChunk): void;
  /** Drops what is pending (the stream was closed). */
  cancel(): void;
}

export function batchLogChunks(apply: (chunk: LogChunk) => void, intervalMs = 1000 / LOG_UPDATES_PER_SECOND, now: () => number = () => performance.now()): LogBatcher {
  let pending: LogChunk | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let lastApplied = -Infinity;

  const flush = (): void => {
    timer = null;
    if (!pending) return;
    const chunk = pending;
    pending = null;
    lastApplied = now();
    apply(chunk);
  };

  return {
    push(chunk) {
      if (pending && pending.jobId === chunk.jobId && pending.epoch === chunk.epoch && pending.nextOffset === chunk.offset) {
        pending = { ...chunk, offset: pending.offset, text: pending.text + chunk.text };
      } else {
        // Not a continuation (another epoch, a re-opened stream): what came before goes first.
        if (pending) flush();
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
