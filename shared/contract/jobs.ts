/** Jobs: creating a demo job, listing, searching and exporting jobs, and acting on them one by one or in bulk. */
import { z } from 'zod';
import { JOB_FILTER_STATES, JOB_KINDS, PRIORITIES } from '../model';
import type { JobState, JobStats, JobView, PipelineView } from '../model';
import { command, destinationId, idInput, jobId, localPath, MAX_NAME, noInput, priority, stream } from './define';

/** Milliseconds since the epoch (up to the year 275760, as Date allows). */
const timestamp = z.number().int().min(0).max(8.64e15);

/** Columns a job list can be sorted by; `created` is the job id order. */
export const JOB_SORTS = ['created', 'updated', 'finished', 'name', 'priority', 'state', 'progress', 'duration'] as const;
export type JobSort = (typeof JOB_SORTS)[number];

/** The filters shared by listJobs and exportJobs; all optional, combined with AND. */
const jobFilter = {
  /** These jobs only (batch status of many jobs at once). */
  ids: z.array(jobId).max(1000).optional(),
  /** Any of these states; `partial` is a completed job with failed items. */
  state: z.array(z.enum(JOB_FILTER_STATES)).max(JOB_FILTER_STATES.length).optional(),
  kind: z.array(z.enum(JOB_KINDS)).max(JOB_KINDS.length).optional(),
  priority: z.array(priority).max(PRIORITIES.length).optional(),
  destinationId: z.array(destinationId).max(100).optional(),
  createdFrom: timestamp.optional(),
  createdTo: timestamp.optional(),
  finishedFrom: timestamp.optional(),
  finishedTo: timestamp.optional(),
  /** Matches names (substring), metadata and, unless `textScope` is `names`, log lines (full text). */
  text: z.string().max(MAX_NAME).optional(),
  textScope: z.enum(['all', 'names']).default('all'),
  sort: z.enum(JOB_SORTS).default('created'),
  order: z.enum(['asc', 'desc']).default('desc'),
};

export interface JobPage {
  jobs: JobView[];
  total: number;
}
/** What a bulk action did: the jobs it changed, and why the others were left alone. */
export interface BulkResult {
  action: BulkAction;
  affected: number[];
  skipped: { id: number; reason: string }[];
}
export const BULK_ACTIONS = ['retry', 'cancel', 'pause', 'resume', 'delete'] as const;
export type BulkAction = (typeof BULK_ACTIONS)[number];
export interface SearchHit {
  jobId: number;
  name: string;
  state: JobState;
  /** Where the words were found. */
  where: 'name' | 'metadata' | 'log';
  /** The matching log line (or null when it could not be read back). */
  snippet: string | null;
  /** Byte offset in the job's log of the block that matched, for readLog. */
  offset: number | null;
}
export interface ExportResult {
  path: string;
  format: 'csv' | 'json';
  count: number;
  bytes: number;
}
export interface PruneResult {
  dryRun: boolean;
  /** Jobs deleted (or, in a dry run, that would be). */
  count: number;
  /** Their ids, at most 1000. */
  ids: number[];
}
export interface JobsChanged {
  upserts: JobView[];
  removed: number[];
}

export const jobCommands = {
  /** Starts a demo job that processes simulated items (for trying Ferry out and for tests). */
  createDemoJob: command<JobView>()(
    z.strictObject({
      name: z.string().trim().min(1).max(MAX_NAME).optional(),
      items: z.number().int().min(1).max(10_000_000).default(20),
      failRate: z.number().min(0).max(1).default(0.1),
      itemDelayMs: z.number().int().min(0).max(60_000).default(250),
      linesPerItem: z.number().int().min(1).max(1000).default(1),
      priority: priority.default('normal'),
    }),
  ),
  /** Lists jobs (newest first unless sorted otherwise), filtered and paged, with the total that matched. */
  listJobs: command<JobPage>()(
    z.strictObject({
      ...jobFilter,
      limit: z.number().int().min(1).max(500).default(100),
      offset: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).default(0),
    }),
  ),
  /** One job with progress, ETA, attempts and timings. */
  getJob: command<JobView>()(idInput),
  /** The pipeline a job belongs to: its steps' jobs in order and the steps still to come (none when it has no pipeline). */
  getPipeline: command<PipelineView>()(idInput),
  /** Pauses a queued or running job; a running one stops at its next checkpoint and frees its slot. */
  pauseJob: command<JobView>()(idInput),
  /** Resumes a paused job where it left off. */
  resumeJob: command<JobView>()(idInput),
  /** Cancels a job; it writes its footer and keeps its log. */
  cancelJob: command<JobView>()(idInput),
  /** Lets a running job finish the item in hand, then pause. */
  stopAfterCurrent: command<JobView>()(idInput),
  /** Queues a failed or canceled job again; it resumes from its saved state. */
  retryJob: command<JobView>()(idInput),
  /** Changes the priority of a job. */
  setPriority: command<JobView>()(z.strictObject({ id: jobId, priority })),
  /**
   * Deletes a finished, queued or paused job with its log; a running job must be canceled first.
   * `deleteFiles` also deletes what it uploaded (its files and manifest) where the destination
   * allows it (folder, S3, the built-in receiver); elsewhere it is refused and nothing is deleted.
   */
  deleteJob: command<{ id: number; filesDeleted: number }>()(z.strictObject({ id: jobId, deleteFiles: z.boolean().default(false) })),
  /**
   * One action on many jobs: the given ids, or else every job it applies to (retry: all failed;
   * cancel: all unfinished; pause: queued and running; resume: paused; delete needs ids).
   */
  bulkAction: command<BulkResult>()(
    z.strictObject({ action: z.enum(BULK_ACTIONS), ids: z.array(jobId).min(1).max(10_000).optional() }),
  ),
  /** Full-text search over job names, metadata and log lines; best matches first. */
  searchJobs: command<{ hits: SearchHit[] }>()(
    z.strictObject({ text: z.string().trim().min(1).max(MAX_NAME), limit: z.number().int().min(1).max(200).default(50) }),
  ),
  /** Success rate, duration percentiles by kind, bytes moved and hourly throughput (default: last 24 h). */
  jobStats: command<JobStats>()(z.strictObject({ from: timestamp.optional(), to: timestamp.optional() })),
  /** Writes the jobs that match a filter to a CSV or JSON file (default: the data directory's exports/). */
  exportJobs: command<ExportResult>()(
    z.strictObject({ format: z.enum(['csv', 'json']), path: localPath.optional(), ...jobFilter }),
  ),
  /** Deletes finished jobs older than N days or beyond the newest M (defaults: the retention settings). */
  pruneJobs: command<PruneResult>()(
    z.strictObject({
      olderThanDays: z.number().int().min(0).max(3650).optional(),
      keepNewest: z.number().int().min(0).max(10_000_000).optional(),
      dryRun: z.boolean().default(false),
    }),
  ),
  /** Holds the queue (running jobs go on, nothing new starts) or releases it; survives restarts. */
  setQueuePaused: command<{ paused: boolean }>()(z.strictObject({ paused: z.boolean() })),
} as const;

export const jobStreams = {
  /** Job rows that changed (batched, at most ~10 per second) and ids that were removed. */
  'jobs.changed': stream<JobsChanged>()(noInput),
} as const;
