/**
 * The one contract between the engine and every client (renderer over IPC or WebSocket, CLI).
 * Commands are request/response with a runtime schema for their input; streams are named
 * subscriptions opened with parameters and closed with the function `subscribe` returns.
 */
import { z } from 'zod';
import type { Envelope, WireError } from './errors';
import { JOB_KINDS, JOB_STATES, PRIORITIES } from './model';
import type { EngineStats, JobEvent, JobState, JobStats, JobView, LogChunk } from './model';
import { datasetMetadata, destinationInput, type DestinationTest, type DestinationView } from './destinations';
import type { DirectoryListing, FolderSummary, Place, UploadPreview } from './files';
import { settingsPatch, type Settings } from './settings';
import { pipelineSteps, webhookInput, type WebhookView } from './automation';
import { watchRuleInput, type WatchChanged, type WatchRule, type WatchRuleStatus } from './watch';

const MAX_NAME = 200;

export const jobId = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);
export const byteOffset = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const priority = z.enum(PRIORITIES);
const idInput = z.strictObject({ id: jobId });
const destinationId = z.string().min(1).max(64);
const localPath = z.string().min(1).max(4096);
const localPaths = z.array(localPath).min(1).max(10_000);

/** Declares a command by its (phantom) result type, then its input schema. */
const command =
  <R>() =>
  <I extends z.ZodType>(input: I): { input: I; result: R } => ({ input, result: undefined as unknown as R });
/** Declares a stream by its (phantom) payload type, then its parameter schema. */
const stream =
  <T>() =>
  <P extends z.ZodType>(params: P): { params: P; payload: T } => ({ params, payload: undefined as unknown as T });
const noInput = z.strictObject({});
/** Milliseconds since the epoch (up to the year 275760, as Date allows). */
const timestamp = z.number().int().min(0).max(8.64e15);
const logEpoch = z.number().int().min(0).max(1_000_000_000);

/** Columns a job list can be sorted by; `created` is the job id order. */
export const JOB_SORTS = ['created', 'updated', 'finished', 'name', 'priority', 'state', 'progress', 'duration'] as const;
export type JobSort = (typeof JOB_SORTS)[number];

/** The filters shared by listJobs and exportJobs; all optional, combined with AND. */
const jobFilter = {
  state: z.array(z.enum(JOB_STATES)).max(JOB_STATES.length).optional(),
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
export interface EventPage {
  events: JobEvent[];
  /** Pass back as `since` to continue. */
  nextSince: number;
}
export interface Health {
  ok: boolean;
  dataDir: string;
  freeBytes: number | null;
  database: 'ok' | string;
  scheduler: {
    running: number;
    queued: number;
    concurrency: number;
    paused: boolean;
    perKind?: Record<string, number>;
    perDestination?: number | null;
    stalled?: number;
    /** The earliest a job waiting out a retry backoff starts again. */
    nextRetryAt?: number | null;
    /** Running time allowed to one attempt, per kind, in ms (null: none). */
    timeouts?: Record<string, number | null>;
  };
  /** The built-in receiver: `failed` makes `ok` false; `none` where the host runs no receiver. */
  receiver?: { state: 'running' | 'failed' | 'none'; url: string | null; error: string | null };
  /**
   * Whether each destination answered its last check. Checked in the background and cached, so
   * this call never waits on a destination; `reachable` is null until the first check ends.
   */
  destinations?: { id: string; name: string; kind: string; reachable: boolean | null; message: string | null; checkedAt: number | null }[];
  version: string;
  /** When the database check ran (it is cached for a minute unless `deep`). */
  databaseCheckedAt?: number;
  logs?: { openWriters: number; followers: number; bufferedBytes: number };
  retention?: { days: number; keepNewest: number | null; lastRunAt: number | null; lastDeleted: number };
  /** Things a user should look at (low disk space, a failed check). */
  warnings?: string[];
}
export interface JobsChanged {
  upserts: JobView[];
  removed: number[];
}
export interface EventBatch {
  events: JobEvent[];
  /** The job has finished and every event was delivered. */
  end: boolean;
  /** Sent every 5 s when nothing else was, so a follower knows the stream is alive. */
  heartbeat?: boolean;
}

export const commands = {
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
  /** Counts by state and current throughput. */
  getStats: command<EngineStats>()(noInput),
  /** Data-directory space, database check and scheduler state; `deep` runs a full integrity check. */
  health: command<Health>()(z.strictObject({ deep: z.boolean().default(false) })),
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

  /** Every destination, the default first; secrets are never included. */
  listDestinations: command<DestinationView[]>()(noInput),
  /** Creates (no id) or edits a destination; a secret given here is stored and never returned. */
  saveDestination: command<DestinationView>()(destinationInput),
  /** Removes a destination and its secret; refused while unfinished jobs use it. */
  deleteDestination: command<{ id: string }>()(z.strictObject({ id: destinationId })),
  /** Makes a destination the default for new uploads. */
  setDefaultDestination: command<DestinationView>()(z.strictObject({ id: destinationId })),
  /** Checks that a destination answers and accepts uploads, without uploading. */
  testDestination: command<DestinationTest>()(z.strictObject({ id: destinationId })),
  /** Counts what a set of local paths amounts to (files, bytes, skipped) before uploading. */
  previewUpload: command<UploadPreview>()(z.strictObject({ paths: localPaths })),
  /** Creates a dataset upload job from local files and folders. */
  createUpload: command<JobView>()(
    z.strictObject({
      paths: localPaths,
      /**
       * The folder the files' places in the dataset are taken from (it must hold every path): a file
       * at `<base>/a/b/c.tif` lands at `a/b/c.tif`. Without it a single folder is the dataset's root
       * and several items land by their names.
       */
      base: localPath.optional(),
      destinationId: destinationId.optional(),
      name: z.string().trim().min(1).max(MAX_NAME).optional(),
      metadata: datasetMetadata.default(datasetMetadata.parse({})),
      priority: priority.default('normal'),
      /** Steps to run after the upload completes (verify, command), each optionally gated. */
      then: pipelineSteps.optional(),
    }),
  ),
  /** The files of a dataset job with per-file state, bytes and SHA-256, in pages. */
  listJobItems: command<JobItemPage>()(
    z.strictObject({
      id: jobId,
      offset: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).default(0),
      limit: z.number().int().min(1).max(1000).default(200),
      state: z.enum(['pending', 'uploading', 'done', 'failed']).optional(),
    }),
  ),
  /** Places to browse from: home, mounted volumes, the file system root. */
  listPlaces: command<Place[]>()(noInput),
  /** One local folder's entries (folders first). */
  listDirectory: command<DirectoryListing>()(z.strictObject({ path: localPath, showHidden: z.boolean().default(false) })),
  /** Files and bytes under a local folder (counted on request; capped for huge trees). */
  summarizeFolder: command<FolderSummary>()(z.strictObject({ path: localPath })),
  /** What this host can do beyond the engine (dialogs, reveal in folder, dropped file paths). */
  capabilities: command<Capabilities>()(noInput),
  /** Opens the OS file dialog (desktop only) and answers the chosen paths, or [] if dismissed. */
  pickPaths: command<string[]>()(z.strictObject({ kind: z.enum(['files', 'folders']) })),
  /** Shows a job's log file, or a dataset file's source, in the OS file manager (desktop only). */
  revealPath: command<{ path: string }>()(
    z.strictObject({ id: jobId, what: z.enum(['log', 'source', 'folder']), seq: z.number().int().min(0).optional() }),
  ),
  /** Reserves a staging area for files a browser streams to the engine (web host drops). */
  beginStaging: command<{ stagingId: string; path: string; uploadUrl: string }>()(noInput),
  /** The settings, with their defaults filled in. */
  getSettings: command<Settings>()(noInput),
  /** Changes some settings; answers all of them. */
  updateSettings: command<Settings>()(settingsPatch),
  /** The built-in receiver as it runs: where it listens, whether other computers may reach it. */
  getReceiver: command<ReceiverView>()(noInput),
  /**
   * Sets the access token other computers send (`Authorization: Bearer <token>`) when the receiver
   * is shared on the network; write-only, never read back. A shared receiver restarts with it.
   */
  setReceiverToken: command<ReceiverView>()(z.strictObject({ token: z.string().min(16).max(256).regex(/^[\x21-\x7e]+$/, 'printable ASCII without spaces') })),
  /** Every watched-folder rule, by name. */
  listWatchRules: command<WatchRule[]>()(noInput),
  /** Creates (no id) or replaces a watched-folder rule; the folder must exist. Its watcher restarts. */
  saveWatchRule: command<WatchRule>()(watchRuleInput),
  /** Removes a watched-folder rule and its ledger; jobs it already created carry on. */
  deleteWatchRule: command<{ id: string }>()(z.strictObject({ id: z.string().min(1).max(64) })),
  /** Starts or stops watching a rule's folder; enabling scans it for files that arrived meanwhile. */
  setWatchRuleEnabled: command<WatchRule>()(z.strictObject({ id: z.string().min(1).max(64), enabled: z.boolean() })),
  /** How each watched folder is doing (all rules, or one). */
  watchStatus: command<WatchRuleStatus[]>()(z.strictObject({ id: z.string().min(1).max(64).optional() })),
  /** Downloads one http(s) URL to a local file: resumable, retried, checked against an optional SHA-256. */
  createDownloadJob: command<JobView>()(
    z.strictObject({
      url: z.string().max(8192).url().refine((u) => /^https?:\/\//i.test(u), 'use an http:// or https:// address'),
      dest: localPath,
      expectedSha256: z.string().regex(/^[0-9a-fA-F]{64}$/, 'a SHA-256 is 64 hex digits').optional(),
      headers: z.record(z.string().regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,64}$/), z.string().max(8192).refine((v) => !/[\r\n\0]/.test(v), 'no line breaks')).optional(),
      /** More header names to keep in the secret store (Authorization, Cookie and X-Amz-* always are). */
      secretHeaders: z.array(z.string().regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,64}$/)).max(64).optional(),
      name: z.string().trim().min(1).max(MAX_NAME).optional(),
      priority: priority.default('normal'),
    }),
  ),
  /**
   * Asks the user, in the host's own native dialog, to allow command jobs (desktop only; the web
   * host answers CONFLICT saying how to start it with them). No client can allow them by itself.
   */
  requestCommandJobs: command<{ allowed: boolean }>()(noInput),
  /** Runs a program (no shell) as a job: output in its log; pause stops it, cancel ends its whole tree. Needs the user's permission at the host. */
  createCommandJob: command<JobView>()(
    z.strictObject({
      program: z.string().min(1).max(4096),
      args: z.array(z.string().max(131072)).max(4096).default([]),
      cwd: z.string().min(1).max(4096).optional(),
      env: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,127}$/), z.string().max(131072)).optional(),
      timeoutMs: z.number().int().min(1).max(604_800_000).optional(),
      graceMs: z.number().int().min(0).max(600_000).default(5000),
      template: z.record(z.string().regex(/^(path|name|meta\.[A-Za-z0-9_.-]{1,100})$/), z.string().max(65536)).optional(),
      name: z.string().trim().min(1).max(MAX_NAME).optional(),
      priority: priority.default('normal'),
      maxAttempts: z.number().int().min(1).max(20).default(1),
    }),
  ),
  /** Checks that a destination holds an upload job's files (size and SHA-256 against its manifest). */
  createVerifyJob: command<JobView>()(z.strictObject({ sourceJobId: jobId, priority: priority.default('normal') })),
  /** Approves a job waiting at an approval gate: it is queued. */
  approveJob: command<JobView>()(idInput),
  /** Rejects a job waiting at an approval gate: it is canceled. */
  rejectJob: command<JobView>()(idInput),
  /** The webhooks, without their secrets. */
  listWebhooks: command<WebhookView[]>()(noInput),
  /** Creates (no id) or edits a webhook; a secret given here is stored and never returned. */
  saveWebhook: command<WebhookView>()(webhookInput),
  /** Removes a webhook; deliveries still pending for it are dropped. */
  deleteWebhook: command<{ id: string }>()(z.strictObject({ id: z.string().min(1).max(64) })),
} as const;

/** Something the host asks the interface to show. */
export type NavigateRequest = { view: 'job'; jobId: number } | { view: 'newUpload' } | { view: 'settings' };

/** What a host offers beyond the engine. */
export interface Capabilities {
  host: 'desktop' | 'web';
  pickPaths: boolean;
  reveal: boolean;
  /** Dropped files come with their paths (desktop); otherwise they are streamed (web). */
  dropPaths: boolean;
  /** Where the built-in receiver files what it receives. */
  receiverDir: string | null;
  /** Command jobs may run (the user allowed them at the host: a serve flag, a dialog, a local file). */
  commandJobs: boolean;
  /** The host can ask the user to allow them (`requestCommandJobs` shows a native dialog). */
  askCommandJobs: boolean;
}

/** The built-in receiver, as the settings screen shows it (no secret in it). */
export interface ReceiverView {
  running: boolean;
  /** The tus endpoint this computer uses, e.g. `http://127.0.0.1:PORT/files/`. */
  url: string | null;
  port: number | null;
  onLan: boolean;
  /** Addresses other computers use while it is shared (one per network interface). */
  lanUrls: string[];
  tokenSet: boolean;
  /** Why it is not running (or not shared), in words. */
  error: string | null;
}

export interface JobItemView {
  seq: number;
  relativePath: string;
  size: number;
  state: 'pending' | 'uploading' | 'done' | 'failed';
  bytesDone: number;
  sha256: string | null;
  verified: string | null;
  location: string | null;
  error: string | null;
}

export interface JobItemPage {
  items: JobItemView[];
  total: number;
}

export const streams = {
  /** Job rows that changed (batched, at most ~10 per second) and ids that were removed. */
  'jobs.changed': stream<JobsChanged>()(noInput),
  /** A job's human log from a byte offset, then following; ends with `eof` once the job is finished. */
  'job.log': stream<LogChunk>()(z.strictObject({ id: jobId, offset: byteOffset.default(0), epoch: logEpoch.optional() })),
  /** A job's events after `since`, then following, with a heartbeat every 5 s. */
  'job.events': stream<EventBatch>()(z.strictObject({ id: jobId, since: byteOffset.default(0) })),
  /** Aggregate figures, once a second while anything changes. */
  stats: stream<EngineStats>()(noInput),
  /** Requests from the host to show something (a notification or a menu item was clicked). */
  'app.navigate': stream<NavigateRequest>()(noInput),
  /** Watched-folder rules and statuses: everything on subscribe, then what changed (at most ~10 per second). */
  'watch.changed': stream<WatchChanged>()(noInput),
  /** The full settings, as getSettings answers them, each time a change is saved (nothing for a patch that changes nothing). */
  'settings.changed': stream<Settings>()(noInput),
} as const;

export type Commands = typeof commands;
export type CommandName = keyof Commands;
export type CommandInput<K extends CommandName> = z.input<Commands[K]['input']>;
export type CommandParsed<K extends CommandName> = z.output<Commands[K]['input']>;
export type CommandResult<K extends CommandName> = Commands[K]['result'];

export type Streams = typeof streams;
export type StreamName = keyof Streams;
export type StreamParams<K extends StreamName> = z.input<Streams[K]['params']>;
export type StreamParsed<K extends StreamName> = z.output<Streams[K]['params']>;
export type StreamPayload<K extends StreamName> = Streams[K]['payload'];

export const commandNames = Object.keys(commands) as CommandName[];
export const streamNames = Object.keys(streams) as StreamName[];

export function isCommandName(name: unknown): name is CommandName {
  return typeof name === 'string' && Object.hasOwn(commands, name);
}
export function isStreamName(name: unknown): name is StreamName {
  return typeof name === 'string' && Object.hasOwn(streams, name);
}

/** The typed API the renderer and CLI use; errors are thrown as FerryError. */
export type FerryApi = {
  [K in CommandName]: (input: CommandInput<K>) => Promise<CommandResult<K>>;
} & {
  subscribe<K extends StreamName>(
    name: K,
    params: StreamParams<K>,
    onPayload: (payload: StreamPayload<K>) => void,
    onError?: (error: Error) => void,
  ): () => void;
};

/** What a host exposes before errors are rebuilt: one function per command, answering envelopes. */
export type FerryBridge = {
  [K in CommandName]: (input: CommandInput<K>) => Promise<Envelope<CommandResult<K>>>;
} & {
  subscribe<K extends StreamName>(
    name: K,
    params: StreamParams<K>,
    onMessage: (message: StreamMessage<K>) => void,
  ): () => void;
};

/** One message of an open stream: a payload, or the error that closed it. */
export type StreamMessage<K extends StreamName> =
  | { payload: StreamPayload<K> }
  | { error: WireError };
