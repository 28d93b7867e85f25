/** Watched folders: rules that turn files appearing in a folder into upload jobs. */
import { z } from 'zod';
import { datasetMetadata } from './destinations';

/**
 * `files`: each stable file is uploaded (batched), at its place below the watched folder;
 * `dataset`: each new top-level folder is one dataset of the files in it the rule takes.
 */
export const WATCH_MODES = ['files', 'dataset'] as const;
export type WatchMode = (typeof WATCH_MODES)[number];

/** `auto` polls network folders (NFS, SMB, FUSE, ...) and uses native events elsewhere. */
export const WATCH_POLLING = ['auto', 'always', 'never'] as const;
export type WatchPolling = (typeof WATCH_POLLING)[number];

/** Temporary and partial files that writers rename when they are done. */
export const DEFAULT_EXCLUDES: readonly string[] = ['**/.*', '**/*.tmp', '**/*.part', '**/*.ferry-part', '**/~$*'];
export const DEFAULT_INCLUDES: readonly string[] = ['**/*'];

/** Placeholders a name template may use; see WatchMetadata.nameTemplate. */
export const NAME_PLACEHOLDERS = ['{folder}', '{file}', '{date}', '{rule}'] as const;

const glob = z
  .string()
  .trim()
  .min(1)
  .max(512)
  .refine((g) => !g.includes('\0'), 'a pattern cannot contain NUL');

/** Dataset metadata sent with each upload, plus how the dataset is named. */
export const watchMetadata = datasetMetadata.extend({
  /**
   * The dataset name. `{folder}`: the dataset folder's name (dataset mode) or the watched folder's
   * (files mode, where each file keeps its place below the watched folder); `{file}`: the first
   * file's name; `{date}`: the local date, YYYY-MM-DD; `{rule}`: the rule's name. Placeholders also
   * work in `folder` and `description`.
   */
  nameTemplate: z.string().trim().min(1).max(200).default('{folder}'),
});
export type WatchMetadata = z.output<typeof watchMetadata>;

/** Input of saveWatchRule: a new rule (no id) or the whole of an existing one. */
export const watchRuleInput = z.strictObject({
  id: z.string().min(1).max(64).optional(),
  name: z.string().trim().min(1).max(120),
  /** Absolute path of the folder to watch. */
  path: z.string().min(1).max(4096),
  /** Relative-path globs a file must match (`*`, `**`, `?`, `[a-z]`, `{a,b}`); a pattern without `/` matches names at any depth. */
  include: z.array(glob).min(1).max(100).default([...DEFAULT_INCLUDES]),
  /** Globs of files and folders to leave alone; a matching folder is not entered. */
  exclude: z.array(glob).max(100).default([...DEFAULT_EXCLUDES]),
  /** A file is taken once its size and modification time have not changed for this long. */
  stabilityMs: z.number().int().min(0).max(86_400_000).default(5000),
  /** Files mode: stable files are collected for this long after the first, then sent as one job. */
  batchMs: z.number().int().min(0).max(600_000).default(2000),
  mode: z.enum(WATCH_MODES).default('files'),
  /** Dataset mode: a top-level folder becomes one upload once nothing in it changed for this long. */
  datasetQuietMs: z.number().int().min(0).max(7 * 86_400_000).default(30_000),
  /**
   * Dataset mode: a file of this name appearing directly in a folder sends that folder at once. The
   * marker is not uploaded unless an include pattern names it (e.g. `RTAComplete.txt`).
   */
  markerFile: z
    .string()
    .trim()
    .min(1)
    .max(255)
    .refine((n) => !/[/\\\0]/.test(n) && n !== '.' && n !== '..', 'a marker is a file name, without slashes')
    .nullable()
    .default(null),
  /** null: the default destination at the time of each upload. */
  destinationId: z.string().min(1).max(64).nullable().default(null),
  metadata: watchMetadata.default(watchMetadata.parse({})),
  enabled: z.boolean().default(true),
  polling: z.enum(WATCH_POLLING).default('auto'),
  /** How often a polled folder is walked. */
  pollIntervalMs: z.number().int().min(100).max(3_600_000).default(10_000),
});
export type WatchRuleInput = z.input<typeof watchRuleInput>;
export type WatchRuleConfig = z.output<typeof watchRuleInput>;

/** A stored rule. */
export type WatchRule = Omit<WatchRuleConfig, 'id'> & { id: string; createdAt: number; updatedAt: number };

export const WATCH_STATES = ['disabled', 'starting', 'watching', 'polling', 'error'] as const;
export type WatchState = (typeof WATCH_STATES)[number];

/** How a rule is doing. */
export interface WatchRuleStatus {
  id: string;
  /** `starting` until the first scan of the folder is done; `error` while the folder cannot be watched. */
  state: WatchState;
  /** The file system type when known (e.g. `nfs`, `ext4`), and whether it counts as a network one. */
  fsType: string | null;
  network: boolean;
  /** Matching files in the folder right now. */
  filesSeen: number;
  /** Files (or, in dataset mode, folders) waiting to become stable or quiet, or collected for the next job. */
  waiting: number;
  /** Files handed to upload jobs that have not finished yet. */
  pending: number;
  /** Files uploaded and verified, as the ledger says. */
  uploaded: number;
  /** Files whose upload job failed or was canceled; they are offered again when they change or at the next scan. */
  failed: number;
  jobsCreated: number;
  lastJobId: number | null;
  lastActivity: number | null;
  lastError: string | null;
}

/** One batch of the `watch.changed` stream: rules that were saved, statuses that moved, ids removed. */
export interface WatchChanged {
  rules: WatchRule[];
  statuses: WatchRuleStatus[];
  removed: string[];
}
