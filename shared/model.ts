/** Every state a job can be in. `awaiting_approval` is used by pipeline gates. */
export const JOB_STATES = [
  'queued',
  'running',
  'paused',
  'awaiting_approval',
  'completed',
  'failed',
  'canceled',
] as const;
export type JobState = (typeof JOB_STATES)[number];

export const FINISHED_STATES: readonly JobState[] = ['completed', 'failed', 'canceled'];
export const isFinished = (state: JobState): boolean => FINISHED_STATES.includes(state);

/**
 * What a job list can be filtered by: a state, or `partial`, the jobs that completed with failed
 * items (a subset of `completed`, which keeps meaning every completed job).
 */
export const JOB_FILTER_STATES = [...JOB_STATES, 'partial'] as const;
export type JobStateFilter = (typeof JOB_FILTER_STATES)[number];

/** User (and system) actions that move a job between states. */
export type JobAction = 'start' | 'pause' | 'resume' | 'cancel' | 'complete' | 'fail' | 'retry' | 'approve' | 'reject' | 'requeue' | 'resend';

/**
 * The one table of allowed transitions. Anything missing is illegal and answers CONFLICT.
 * `start`, `complete`, `fail` and `requeue` (an automatic retry after backoff) are the scheduler's
 * own moves; a paused job can still complete or fail when the item in hand was its last.
 * `resend` queues a new attempt of a completed upload's failed files (only one that has some).
 */
export const TRANSITIONS: Readonly<Record<JobState, Partial<Record<JobAction, JobState>>>> = {
  queued: { start: 'running', pause: 'paused', cancel: 'canceled' },
  running: { pause: 'paused', cancel: 'canceled', complete: 'completed', fail: 'failed', requeue: 'queued' },
  paused: { resume: 'queued', cancel: 'canceled', complete: 'completed', fail: 'failed' },
  awaiting_approval: { approve: 'queued', reject: 'canceled', cancel: 'canceled' },
  completed: { resend: 'queued' },
  failed: { retry: 'queued' },
  canceled: { retry: 'queued' },
};

export function nextState(from: JobState, action: JobAction): JobState | undefined {
  return TRANSITIONS[from][action];
}

export const PRIORITIES = ['high', 'normal', 'low'] as const;
export type Priority = (typeof PRIORITIES)[number];

export const JOB_KINDS = ['demo', 'upload', 'command', 'download', 'verify', 's3download'] as const;
export type JobKind = (typeof JOB_KINDS)[number];

/** How a job ended, as its log footer says. */
export type JobResult = 'success' | 'partial' | 'failed' | 'canceled';

/** What the UI and every client see of a job. */
export interface JobView {
  id: number;
  kind: JobKind;
  name: string;
  state: JobState;
  priority: Priority;
  stage: string | null;
  /** Units done and total (items for demo jobs, bytes for uploads). */
  done: number;
  total: number;
  unit: 'items' | 'bytes';
  /** Smoothed rate in units per second while running, else 0. */
  rate: number;
  /** Estimated milliseconds left, or null when unknown. */
  etaMs: number | null;
  counts: { processed: number; failed: number };
  result: JobResult | null;
  error: string | null;
  attempts: number;
  maxAttempts: number;
  destinationId: string | null;
  createdAt: number;
  startedAt: number | null;
  finishedAt: number | null;
  updatedAt: number;
  /** True once the current run was asked to stop after the item in hand. */
  stopAfterCurrent: boolean;
  /** Milliseconds spent running over all attempts (queued and paused time excluded). */
  runMs?: number;
  /** When the runner last reported progress, or null. */
  lastProgressAt?: number | null;
  /** No progress for longer than the kind's stall time while running. */
  stalled?: boolean;
  /** While running: what the job works on now (an upload's file, "a.tif and 3 more"). */
  current?: string | null;
  /** When a queued job waiting out a retry backoff may start again, or null. */
  nextAttemptAt?: number | null;
  /** The pipeline step before this job (the job whose success created it), or null. */
  previousStepId?: number | null;
  /** The job is a step of a pipeline (upload → verify → command): `getPipeline` tells the whole chain. */
  inPipeline?: boolean;
  /** The stages of its runs with their times, first to last (getJob only). */
  stages?: StageTime[];
}

/** One job of a pipeline, as its chain lists it. */
export interface PipelineStepView {
  id: number;
  kind: JobKind;
  name: string;
  state: JobState;
  result: JobResult | null;
}

/** A job's pipeline: the jobs its steps created, first to last, and the steps not started yet. */
export interface PipelineView {
  steps: PipelineStepView[];
  /** Kinds of the steps still to come after the last job (they start when it succeeds). */
  planned: JobKind[];
}

/** A piece of a job's human log, addressed by byte offsets in its file. */
export interface LogChunk {
  jobId: number;
  offset: number;
  nextOffset: number;
  text: string;
  /** The job has finished and the reader has reached the end of the file. */
  eof: boolean;
  /**
   * How many times the log was cut to its size cap (head and tail kept, a marker between). Offsets
   * belong to one epoch; pass it back so an offset from an older epoch is mapped onto the new file.
   */
  epoch?: number;
}

export const JOB_EVENT_TYPES = [
  'created',
  'started',
  'stage_started',
  'stage_completed',
  'stage_failed',
  'progress',
  'log',
  'paused',
  'job_resumed',
  'retried',
  'stalled',
  'unstalled',
  'stop_requested',
  'recovered',
  'completed',
  'failed',
  'canceled',
  'priority',
  'gate_waiting',
  'gate_approved',
  'gate_rejected',
  'gate_timed_out',
  'webhook',
  'heartbeat',
  'events_dropped',
] as const;
export type JobEventType = (typeof JOB_EVENT_TYPES)[number];

/**
 * Event types older versions wrote, as read today: `resumed` is `job_resumed`, `stage` (a stage
 * began) is `stage_started`, and `approval` is the gate event its state tells (still waiting,
 * let into the queue, or turned down).
 */
export function currentEventType(type: string, state: JobState): JobEventType {
  if (type === 'resumed') return 'job_resumed';
  if (type === 'stage') return 'stage_started';
  if (type === 'approval') return state === 'awaiting_approval' ? 'gate_waiting' : state === 'queued' ? 'gate_approved' : 'gate_rejected';
  return type as JobEventType;
}

/** Who asked for a change: the desktop window, the web window, the API (CLI or script token), or a gate's timeout. */
export const ACTORS = ['desktop', 'web', 'api', 'timeout'] as const;
export type Actor = (typeof ACTORS)[number];
export const ACTOR_LABELS: Record<Actor, string> = {
  desktop: 'the desktop window',
  web: 'the web window',
  api: 'the API (CLI or script)',
  timeout: 'the timeout rule',
};

/** One stage of a job's run, as getJob tells it; `ms` is null while the stage runs. */
export interface StageTime {
  name: string;
  attempt: number;
  startedAt: number;
  endedAt: number | null;
  ms: number | null;
  outcome: 'running' | 'completed' | 'failed';
}

/**
 * One line of a job's events.jsonl; `seq` starts at 1 and grows by one per event. Retention may
 * drop the oldest lines: a reader resuming from a dropped `seq` then gets one `events_dropped`
 * event first (never stored), whose `seq` is the last dropped one and payload `{ from, to }`.
 */
export interface JobEvent {
  seq: number;
  ts: number;
  type: JobEventType;
  state: JobState;
  stage: string | null;
  message: string;
  payload?: Record<string, unknown>;
}

/** Aggregate figures for the status bar, tray and stats screen. */
export interface EngineStats {
  counts: Record<JobState, number>;
  running: number;
  /** Sum of bytes per second of running transfers. */
  bytesPerSecond: number;
  /** Overall fraction done of the running jobs, 0..1, or null when none run. */
  activeProgress: number | null;
  /** The queue is held: running jobs go on, nothing new starts. */
  queuePaused?: boolean;
  /** Running jobs that made no progress for longer than their stall time. */
  stalled?: number;
  /** Completed jobs with failed items (they are counted in `counts.completed` too). */
  partial?: number;
}

/** Duration figures of finished jobs of one kind, in milliseconds of running time. */
export interface DurationStats {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

/** One hour of finished work. */
export interface HourBucket {
  /** Start of the hour, ms since the epoch. */
  hour: number;
  completed: number;
  failed: number;
  canceled: number;
  bytes: number;
}

/** History figures for the stats screen, over jobs that finished in [from, to). */
export interface JobStats {
  from: number;
  to: number;
  counts: Record<JobState, number>;
  finished: number;
  /** Of the completed jobs that finished in the window, those with failed items. */
  partial: number;
  /**
   * Jobs that completed without a failed item over jobs that completed or failed, 0..1, or null
   * when nothing finished: a job with failed items is not a success.
   */
  successRate: number | null;
  durations: Partial<Record<JobKind, DurationStats>>;
  /** Bytes moved by transfer jobs that finished in the window. */
  bytesMoved: number;
  /** One bucket per hour of the window, oldest first (at most 24 * 31). */
  perHour: HourBucket[];
}
