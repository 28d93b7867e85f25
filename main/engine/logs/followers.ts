import type { LogChunk } from '../../../shared/model';
import type { EventBatch } from '../../../shared/contract';
import { withGap } from './eventTrim';
import type { LogStore } from './logStore';

/**
 * At most one push per this interval per follower: a chatty job cannot flood IPC, and a line still
 * reaches a follower within about one flush interval plus this (the latency budget is 50 ms).
 */
export const FOLLOW_MIN_INTERVAL_MS = 20;
export const FOLLOW_CHUNK_BYTES = 256 * 1024;
export const HEARTBEAT_MS = 5000;
const EVENTS_PER_BATCH = 5000;

/**
 * Runs `pump` when woken, never twice at once and at most once per interval; wakes that arrive
 * while it runs are coalesced into one more run.
 */
export function coalescingPump(pump: () => Promise<boolean>, onError: (err: unknown) => void) {
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
      if (await pump()) close();
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
    if (running) {
      again = true;
      return;
    }
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
  return {
    run,
    wake,
    close,
    get closed() {
      return closed;
    },
  };
}

/** One timer for every follower's heartbeat, running only while someone follows. */
const heartbeats = new Set<() => void>();
let heartbeatTimer: NodeJS.Timeout | undefined;
export function onHeartbeatTick(fn: () => void): () => void {
  heartbeats.add(fn);
  if (!heartbeatTimer) {
    heartbeatTimer = setInterval(() => {
      for (const h of heartbeats) h();
    }, 1000);
    heartbeatTimer.unref();
  }
  return () => {
    heartbeats.delete(fn);
    if (heartbeats.size === 0 && heartbeatTimer) {
      clearInterval(heartbeatTimer);
      heartbeatTimer = undefined;
    }
  };
}

/**
 * Follows a job's human log from a byte offset (of `epoch`, default the current one): delivers what
 * is there, then every flush, and a last chunk with `eof` once the job has finished. If the log is
 * cut to its cap meanwhile, the position is mapped onto the new file. Returns the stop function.
 */
export function followLog(
  store: LogStore,
  jobId: number,
  offset: number,
  isFinished: () => boolean,
  onChunk: (chunk: LogChunk) => void,
  onError: (err: unknown) => void,
  epoch?: number,
): () => void {
  let pos = offset;
  let posEpoch = epoch;
  const pump = coalescingPump(async () => {
    for (;;) {
      const finished = isFinished();
      const chunk = await store.readLog(jobId, pos, FOLLOW_CHUNK_BYTES, finished, posEpoch);
      if (pump.closed) return true;
      const moved = chunk.nextOffset !== pos || chunk.epoch !== posEpoch;
      pos = chunk.nextOffset;
      posEpoch = chunk.epoch;
      if (chunk.nextOffset > chunk.offset || chunk.eof) onChunk(chunk);
      if (chunk.eof) return true;
      if (!moved || chunk.nextOffset - chunk.offset < FOLLOW_CHUNK_BYTES / 2) return false;
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
 * Follows a job's events after `since`, with a heartbeat batch after 5 s of silence and `end`
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
  let stopHeartbeat: () => void = () => {};
  const pump = coalescingPump(async () => {
    const finished = isFinished();
    const read = await store.readEvents(jobId, last, EVENTS_PER_BATCH);
    if (pump.closed) return true;
    const { events, gap } = withGap(read, last);
    const end = finished && read.length < EVENTS_PER_BATCH;
    if (events.length > 0 || end) {
      last = events.length > 0 ? events[events.length - 1]!.seq : last;
      lastSent = Date.now();
      onBatch({ events, end, ...(gap ? { gap } : {}) });
    }
    if (end) stopHeartbeat();
    if (!end && read.length === EVENTS_PER_BATCH) pump.wake();
    return end;
  }, onError);
  stopHeartbeat = onHeartbeatTick(() => {
    if (Date.now() - lastSent >= HEARTBEAT_MS) {
      lastSent = Date.now();
      onBatch({ events: [], end: false, heartbeat: true });
    }
  });
  const stop = store.onFlush(jobId, pump.wake);
  void pump.run();
  return () => {
    stop();
    stopHeartbeat();
    pump.close();
  };
}
