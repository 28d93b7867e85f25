import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import type { JobEvent } from '../../../shared/model';
import { PRIVATE_FILE_MODE } from '../util/privateFiles';

/**
 * How many events a job keeps, and for how long (the settings' event retention). The oldest go
 * first; the last event always stays, so the next one goes on from its `seq`. 0 means no limit.
 */
export interface EventRetention {
  maxPerJob: number;
  maxAgeMs: number;
}

/** The events after `since` that retention dropped before `events` (read after `since`) begin, if any. */
export function gapBefore(events: readonly { seq: number }[], since: number): { from: number; to: number } | undefined {
  const first = events[0]?.seq;
  return first !== undefined && first > since + 1 ? { from: since + 1, to: first - 1 } : undefined;
}

/**
 * `events` read after `since`, led by an `events_dropped` event standing for what retention dropped
 * in between (its seq is the last dropped one, so resuming from it goes on without a repeat).
 */
export function withGap(events: JobEvent[], since: number): { events: JobEvent[]; gap?: { from: number; to: number } } {
  const gap = gapBefore(events, since);
  if (!gap) return { events };
  const first = events[0]!;
  const n = gap.to - gap.from + 1;
  const marker: JobEvent = {
    seq: gap.to,
    ts: first.ts,
    type: 'events_dropped',
    state: first.state,
    stage: null,
    message: `${n} older ${n === 1 ? 'event was' : 'events were'} dropped by the event retention settings (${gap.from === gap.to ? `#${gap.from}` : `#${gap.from} to #${gap.to}`})`,
    payload: { ...gap },
  };
  return { events: [marker, ...events], gap };
}

/** A file this far over its count (or this much past its age) is trimmed, so trims stay rare. */
export const countSlack = (max: number): number => Math.max(16, Math.floor(max / 4));
export const AGE_SLACK_MS = 60 * 60 * 1000;

/** Whether a file holding `count` events, the oldest written at `firstTs`, is due for a trim. */
export function trimDue(policy: EventRetention, count: number, firstTs: number, now: number): boolean {
  if (count <= 1) return false;
  if (policy.maxPerJob > 0 && count > policy.maxPerJob + countSlack(policy.maxPerJob)) return true;
  return policy.maxAgeMs > 0 && firstTs < now - policy.maxAgeMs - AGE_SLACK_MS;
}

/**
 * Drops the oldest lines of an events.jsonl by the policy: the file is rewritten beside itself and
 * renamed over it, so a reader holding the old file reads it whole. Answers the first seq kept and
 * its time (null when nothing was dropped). The caller holds no descriptor on the file meanwhile.
 */
export function trimEventsFile(path: string, policy: EventRetention, now: number): { firstSeq: number; firstTs: number; dropped: number } | null {
  const data = readFileSync(path);
  const starts: number[] = [];
  for (let at = 0; at < data.length; ) {
    starts.push(at);
    const nl = data.indexOf(0x0a, at);
    if (nl < 0) break;
    at = nl + 1;
  }
  const lines = starts.length;
  if (lines <= 1) return null;
  let keepFrom = policy.maxPerJob > 0 ? Math.max(0, lines - policy.maxPerJob) : 0;
  if (policy.maxAgeMs > 0) {
    const cutoff = now - policy.maxAgeMs;
    // Events are written in time order: skip forward past those older than the cutoff.
    while (keepFrom < lines - 1 && eventAt(data, starts, keepFrom).ts < cutoff) keepFrom++;
  }
  if (keepFrom === 0) return null;
  const first = eventAt(data, starts, keepFrom);
  const tmp = `${path}.trim`;
  const fd = openSync(tmp, 'w', PRIVATE_FILE_MODE);
  try {
    const tail = data.subarray(starts[keepFrom]);
    for (let off = 0; off < tail.length; ) off += writeSync(fd, tail, off, tail.length - off);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  return { firstSeq: first.seq, firstTs: first.ts, dropped: keepFrom };
}

function eventAt(data: Buffer, starts: number[], line: number): { seq: number; ts: number } {
  const start = starts[line]!;
  const end = line + 1 < starts.length ? starts[line + 1]! - 1 : data.length;
  try {
    const e = JSON.parse(data.toString('utf8', start, end)) as { seq?: number; ts?: number };
    return { seq: e.seq ?? 0, ts: e.ts ?? 0 };
  } catch {
    // A damaged line is as old as it gets: it goes before anything readable.
    return { seq: 0, ts: 0 };
  }
}

/** The seq and time of the first line of an events file (0s for an empty or damaged one). */
export function firstEventOf(fd: number, size: number, read: (fd: number, buf: Buffer, pos: number) => number): { seq: number; ts: number } {
  if (size === 0) return { seq: 0, ts: 0 };
  for (let window = 4096; ; window *= 4) {
    const buf = Buffer.alloc(Math.min(window, size));
    const n = read(fd, buf, 0);
    const nl = buf.subarray(0, n).indexOf(0x0a);
    if (nl >= 0 || n >= size) {
      try {
        const e = JSON.parse(buf.toString('utf8', 0, nl >= 0 ? nl : n)) as { seq?: number; ts?: number };
        return { seq: e.seq ?? 0, ts: e.ts ?? 0 };
      } catch {
        return { seq: 0, ts: 0 };
      }
    }
  }
}
