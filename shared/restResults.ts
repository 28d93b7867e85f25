/**
 * What each route of the versioned API answers, as zod schemas: the OpenAPI document's response
 * schemas are generated from them (shared/openApi.ts). The contract declares results as types; each
 * schema here is checked at compile time to describe exactly its command's result type
 * (`RESULTS_MATCH_THE_CONTRACT`), so neither can change without the other.
 */
import { z } from 'zod';
import type { CommandResult } from './contract';
import { ERROR_CODES } from './errors';
import { JOB_EVENT_TYPES, JOB_KINDS, JOB_STATES, PRIORITIES } from './model';

const int = z.number().int();
const count = int.min(0);
const ms = int.min(0);
const nullable = <T extends z.ZodType>(schema: T) => schema.nullable();
const jobState = z.enum(JOB_STATES);
const jobKind = z.enum(JOB_KINDS);
const jobResult = z.enum(['success', 'partial', 'failed', 'canceled']);
const perState = z.record(jobState, count);

export const jobViewSchema = z.object({
  id: int.positive(),
  kind: jobKind,
  name: z.string(),
  state: jobState,
  priority: z.enum(PRIORITIES),
  stage: nullable(z.string()),
  done: z.number().min(0),
  total: z.number().min(0),
  unit: z.enum(['items', 'bytes']),
  rate: z.number().min(0),
  etaMs: nullable(z.number().min(0)),
  counts: z.object({ processed: count, failed: count }),
  result: nullable(jobResult),
  error: nullable(z.string()),
  attempts: count,
  maxAttempts: count,
  destinationId: nullable(z.string()),
  createdAt: ms,
  startedAt: nullable(ms),
  finishedAt: nullable(ms),
  updatedAt: ms,
  stopAfterCurrent: z.boolean(),
  runMs: ms.optional(),
  lastProgressAt: nullable(ms).optional(),
  stalled: z.boolean().optional(),
  current: nullable(z.string()).optional(),
  nextAttemptAt: nullable(ms).optional(),
  previousStepId: nullable(int.positive()).optional(),
  inPipeline: z.boolean().optional(),
  stages: z
    .array(
      z.object({
        name: z.string(),
        attempt: count,
        startedAt: ms,
        endedAt: nullable(ms),
        ms: nullable(ms),
        outcome: z.enum(['running', 'completed', 'failed']),
      }),
    )
    .optional(),
});

export const jobEventSchema = z.object({
  seq: int.positive(),
  ts: ms,
  type: z.enum(JOB_EVENT_TYPES),
  state: jobState,
  stage: nullable(z.string()),
  message: z.string(),
  payload: z.record(z.string(), z.unknown()).optional(),
});

export const errorSchema = z.object({
  code: z.enum(ERROR_CODES),
  message: z.string(),
  details: z.unknown().optional(),
});

const apiLimits = z.object({ streamsPerClient: count, requestsPerSecond: z.number().min(0), burst: count, idleStreamMs: ms });

const healthSchema = z.object({
  ok: z.boolean(),
  dataDir: z.string(),
  freeBytes: nullable(z.number().min(0)),
  database: z.string(),
  scheduler: z.object({
    running: count,
    queued: count,
    concurrency: count,
    paused: z.boolean(),
    perKind: z.record(z.string(), count).optional(),
    perDestination: nullable(count).optional(),
    stalled: count.optional(),
    nextRetryAt: nullable(ms).optional(),
    timeouts: z.record(z.string(), nullable(ms)).optional(),
  }),
  receiver: z.object({ state: z.enum(['running', 'failed', 'none']), url: nullable(z.string()), error: nullable(z.string()) }).optional(),
  destinations: z
    .array(z.object({ id: z.string(), name: z.string(), kind: z.string(), reachable: nullable(z.boolean()), message: nullable(z.string()), checkedAt: nullable(ms) }))
    .optional(),
  version: z.string(),
  databaseCheckedAt: ms.optional(),
  logs: z.object({ openWriters: count, followers: count, bufferedBytes: count }).optional(),
  retention: z.object({ days: count, keepNewest: nullable(count), lastRunAt: nullable(ms), lastDeleted: count }).optional(),
  staging: z.object({ areas: count, bytes: count }).optional(),
  warnings: z.array(z.string()).optional(),
  api: z
    .object({
      requests: count,
      available: count,
      openStreams: count,
      streamsOpened: count,
      refusedRate: count,
      refusedStreams: count,
      idleClosed: count,
      limits: apiLimits,
    })
    .optional(),
});

const durationStats = z.object({ count, p50: ms, p90: ms, p99: ms, max: ms });
const jobStatsSchema = z.object({
  from: ms,
  to: ms,
  counts: perState,
  finished: count,
  partial: count,
  successRate: nullable(z.number().min(0).max(1)),
  durations: z.partialRecord(jobKind, durationStats),
  bytesMoved: count,
  perHour: z.array(z.object({ hour: ms, completed: count, failed: count, canceled: count, bytes: count })),
});

const jobItemSchema = z.object({
  /** The file's place in the job, from 0. */
  seq: count,
  relativePath: z.string(),
  size: count,
  state: z.enum(['pending', 'uploading', 'done', 'failed']),
  bytesDone: count,
  sha256: nullable(z.string()),
  verified: nullable(z.string()),
  location: nullable(z.string()),
  where: nullable(z.string()),
  error: nullable(z.string()),
});

const uploadPlanSchema = z.object({
  dataset: z.string(),
  destinationId: z.string(),
  destination: z.string(),
  readable: z.boolean(),
  found: z.boolean(),
  why: nullable(z.string()),
  counts: z.object({ new: count, changed: count, unchanged: count, removed: count }),
  bytesToSend: count,
  bytesUnchanged: count,
  files: z.array(z.object({ path: z.string(), change: z.enum(['new', 'changed', 'unchanged', 'removed']), size: nullable(count), why: nullable(z.string()) })),
  truncated: z.boolean(),
});

const pipelineSchema = z.object({
  steps: z.array(z.object({ id: int.positive(), kind: jobKind, name: z.string(), state: jobState, result: nullable(jobResult) })),
  planned: z.array(jobKind),
});

const searchSchema = z.object({
  hits: z.array(
    z.object({
      jobId: int.positive(),
      name: z.string(),
      state: jobState,
      where: z.enum(['name', 'metadata', 'log']),
      snippet: nullable(z.string()),
      offset: nullable(count),
    }),
  ),
});

/** Each route's result schema, by command; the named ones become components of the document. */
export const RESULT_SCHEMAS = {
  health: healthSchema,
  jobStats: jobStatsSchema,
  listJobs: z.object({ jobs: z.array(jobViewSchema), total: count }),
  searchJobs: searchSchema,
  getJob: jobViewSchema,
  listJobItems: z.object({
    items: z.array(jobItemSchema),
    total: count,
    place: nullable(z.object({ kind: z.enum(['receiver', 'tus', 's3', 'folder']), destination: z.string(), where: z.string(), local: z.boolean() })).optional(),
  }),
  getPipeline: pipelineSchema,
  listEvents: z.object({ events: z.array(jobEventSchema), nextSince: count, gap: z.object({ from: count, to: count }).optional() }),
  createUpload: jobViewSchema,
  planUpload: uploadPlanSchema,
  createDownloadJob: jobViewSchema,
  createVerifyJob: jobViewSchema,
  createBucketDownload: jobViewSchema,
  createCommandJob: jobViewSchema,
  pauseJob: jobViewSchema,
  resumeJob: jobViewSchema,
  cancelJob: jobViewSchema,
  retryJob: jobViewSchema,
  stopAfterCurrent: jobViewSchema,
  resendFailed: jobViewSchema,
  approveJob: jobViewSchema,
  rejectJob: jobViewSchema,
  setPriority: jobViewSchema,
  deleteJob: z.object({ id: int.positive(), filesDeleted: count }),
} as const;

/** The commands the versioned API's routes may run: those with a result schema. */
export type RestCommand = keyof typeof RESULT_SCHEMAS;

/** The names the document gives the schemas it shares between routes. */
export const NAMED_SCHEMAS = new Map<z.ZodType, string>([
  [jobViewSchema, 'Job'],
  [jobEventSchema, 'JobEvent'],
  [errorSchema, 'Error'],
  [healthSchema, 'Health'],
  [jobStatsSchema, 'JobStats'],
  [jobItemSchema, 'JobItem'],
  [pipelineSchema, 'Pipeline'],
  [searchSchema, 'SearchResults'],
  [uploadPlanSchema, 'UploadPlan'],
]);

/** Every optional key made required, at every depth: a key one side lacks then breaks the match. */
type DeepRequired<T> = T extends readonly (infer U)[] ? DeepRequired<U>[] : T extends object ? { [K in keyof T]-?: DeepRequired<T[K]> } : T;
type Same<A, B> = [DeepRequired<A>] extends [DeepRequired<B>] ? ([DeepRequired<B>] extends [DeepRequired<A>] ? true : false) : false;
/** True only while every schema describes exactly its command's result (a compile error otherwise). */
export const RESULTS_MATCH_THE_CONTRACT: { [K in RestCommand]: Same<z.output<(typeof RESULT_SCHEMAS)[K]>, CommandResult<K>> } = {
  health: true,
  jobStats: true,
  listJobs: true,
  searchJobs: true,
  getJob: true,
  listJobItems: true,
  getPipeline: true,
  listEvents: true,
  createUpload: true,
  planUpload: true,
  createDownloadJob: true,
  createVerifyJob: true,
  createBucketDownload: true,
  createCommandJob: true,
  pauseJob: true,
  resumeJob: true,
  cancelJob: true,
  retryJob: true,
  stopAfterCurrent: true,
  resendFailed: true,
  approveJob: true,
  rejectJob: true,
  setPriority: true,
  deleteJob: true,
};
