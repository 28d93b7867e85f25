import type { JobEvent, LogChunk } from '../../../shared/model';
import type { EventBatch } from '../../../shared/contract';
import type { LogStore } from './logStore';

/** At most this many pushes per second per follower: a chatty job cannot flood IPC. */
export const FOLLOW_MIN_INTERVAL_MS = 100;
export const FOLLOW_CHUNK_BYTES = 256 * 1024;
export const HEARTBEAT_MS = 5000;

/**
 * Runs `pump` when woken, never twice at once and at most once per interval; wakes that arrive
 * while it runs are coalesced into one more run.
 */
function coalescingPump(pump: () => Promise<boolean>, onError: (err: unknown) => void) {
  let running = false;
  let again = false;
  let closed = false;
  let last = 0;
  let timer: NodeJS.Timeout | undefined;
  const run = async (): Promise<void> => {
    if (closed) return;
    if (running) {
      again = true;
      return;
    }
    running = true;
    last = Date.now();
    try {
      const done = await pump();
      if (done) close();
    } catch (err) {
      close();
      onError(err);
    } finally {
      running = false;
    }
    if (again && !closed) {
      again = false;
      wake();
    }
  };
  const wake = (): void => {
    if (closed || timer) return;
    const wait = Math.max(0, FOLLOW_MIN_INTERVAL_MS - (Date.now() - last));
    timer = setTimeout(() => {
      timer = undefined;
      void run();
    }, wait);
  };
  const close = (): void => {
    closed = true;
    if (timer) clearTimeout(timer);
  };
  return { run, wake, close, get closed() { return closed; } };
}

/**
 * Follows a job's human log from a byte offset: delivers what is there, then every flush, and a
 * last chunk with `eof` once the job has finished. Returns the function that stops following.
 */
export function followLog(
  store: LogStore,
  jobId: number,
  offset: number,
  isFinished: () => boolean,
  onChunk: (chunk: LogChunk) => void,
  onError: (err: unknown) => void,
): () => void {
  let pos = offset;
  const pump = coalescingPump(async () => {
    for (;;) {
      const finished = isFinished();
      const chunk = await store.readLog(jobId, pos, FOLLOW_CHUNK_BYTES, finished);
      if (pump.closed) return true;
      if (chunk.nextOffset > pos || chunk.eof) {
        pos = chunk.nextOffset;
        onChunk(chunk);
      }
      if (chunk.eof) return true;
      if (chunk.nextOffset - chunk.offset < FOLLOW_CHUNK_BYTES / 2) return false;
    }
  }, onError);
  const stop = store.onFlush(jobId, pump.wake);
  void pump.run();
  return () => {
    stop();
    pump.close();
  };
}

/**
 * Follows a job's events after `since`, with a heartbeat batch every 5 s of silence and `end`
 * once the job has finished and everything was delivered.
 */
export function followEvents(
  store: LogStore,
  jobId: number,
  since: number,
  isFinished: () => boolean,
  onBatch: (batch: EventBatch) => void,
  onError: (err: unknown) => void,
): () => void {
  let last = since;
  let lastSent = Date.now();
  const pump = coalescingPump(async () => {
    const finished = isFinished();
    const events: JobEvent[] = await store.readEvents(jobId, last, 5000);
    if (pump.closed) return true;
    const end = finished && events.length < 5000;
    if (events.length > 0 || end) {
      last = events.length > 0 ? events[events.length - 1]!.seq : last;
      lastSent = Date.now();
      onBatch({ events, end });
    }
    if (!end && events.length === 5000) pump.wake();
    return end;
  }, onError);
  const heartbeat = setInterval(() => {
    if (Date.now() - lastSent >= HEARTBEAT_MS) {
      lastSent = Date.now();
      onBatch({ events: [], end: false, heartbeat: true });
    }
  }, 1000);
  heartbeat.unref();
  const stop = store.onFlush(jobId, pump.wake);
  void pump.run();
  return () => {
    stop();
    clearInterval(heartbeat);
    pump.close();
  };
}
