/** A job's human log and its typed events: read from an offset by polling, or followed as a stream. */
import { z } from 'zod';
import type { JobEvent, LogChunk } from '../model';
import { command, jobId, stream } from './define';

export const byteOffset = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const logEpoch = z.number().int().min(0).max(1_000_000_000);

/** Events a reader asked for that retention had already dropped (seq `from` to `to`, both included). */
export interface EventGap {
  from: number;
  to: number;
}
export interface EventPage {
  events: JobEvent[];
  /** Pass back as `since` to continue. */
  nextSince: number;
  /** Set when events after `since` were dropped by retention before they were read (`events` then opens with an `events_dropped` one). */
  gap?: EventGap;
}
export interface EventBatch {
  events: JobEvent[];
  /** Set when events after the follower's last were dropped by retention (`events` then opens with an `events_dropped` one). */
  gap?: EventGap;
  /** The job has finished and every event was delivered. */
  end: boolean;
  /** Sent every 5 s when nothing else was, so a follower knows the stream is alive. */
  heartbeat?: boolean;
}

/** A job's event in the feed of every job: its job and its global id (the feed's cursor). */
export type FeedEvent = JobEvent & { jobId: number; gid: number };
export interface FeedBatch {
  events: FeedEvent[];
  /** Sent every 5 s when nothing else was, so a follower knows the stream is alive. */
  heartbeat?: boolean;
  /** Events a cursor older than the feed's memory (200,000 flushes) missed, in the first batch. */
  missed?: number;
  /** In the first batch: the cursor after its events, where a client resumes if it saw none. */
  cursor?: number;
}

export const logCommands = {
  /** Reads up to `maxBytes` of a job's human log from a byte offset (polling twin of `job.log`). */
  readLog: command<LogChunk>()(
    z.strictObject({
      id: jobId,
      offset: byteOffset.default(0),
      maxBytes: z.number().int().min(1).max(4 * 1024 * 1024).default(256 * 1024),
      epoch: logEpoch.optional(),
    }),
  ),
  /** Reads a job's events after sequence number `since` (polling twin of `job.events`). */
  listEvents: command<EventPage>()(
    z.strictObject({
      id: jobId,
      since: byteOffset.default(0),
      limit: z.number().int().min(1).max(10_000).default(1000),
    }),
  ),
} as const;

export const logStreams = {
  /** A job's human log from a byte offset, then following; ends with `eof` once the job is finished. */
  'job.log': stream<LogChunk>()(z.strictObject({ id: jobId, offset: byteOffset.default(0), epoch: logEpoch.optional() })),
  /** A job's events after `since`, then following, with a heartbeat every 5 s. */
  'job.events': stream<EventBatch>()(z.strictObject({ id: jobId, since: byteOffset.default(0) })),
  /** Every job's events after the global id `since` (from now when absent), then following, with a heartbeat every 5 s; `jobs` keeps some jobs only. */
  events: stream<FeedBatch>()(z.strictObject({ since: byteOffset.optional(), jobs: z.array(jobId).min(1).max(100).optional() })),
} as const;
