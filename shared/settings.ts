/** User settings: one schema gives the defaults, the validation and the type. */
import { z } from 'zod';
import { JOB_KINDS } from './model';

export const scheduleEntry = z.strictObject({
  days: z.array(z.number().int().min(0).max(6)).min(1).max(7),
  from: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'HH:MM'),
  to: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'HH:MM'),
  bytesPerSecond: z.number().int().min(0),
});

export const settingsSchema = z.strictObject({
  /** Jobs running at once. */
  concurrency: z.number().int().min(1).max(64).default(4),
  /** Jobs of one kind running at once; a kind left out is bounded by `concurrency` alone. */
  kindConcurrency: z.partialRecord(z.enum(JOB_KINDS), z.number().int().min(1).max(64)).default({}),
  /** Jobs sending to one destination at once; 0 for no limit beyond `concurrency`. */
  destinationConcurrency: z.number().int().min(0).max(64).default(0),
  /** Running time allowed to one attempt of a kind, in seconds (paused time does not count); a kind left out has none. */
  kindTimeoutSeconds: z.partialRecord(z.enum(JOB_KINDS), z.number().int().min(1).max(30 * 24 * 3600)).default({}),
  /** Files of one dataset sent at once. */
  parallelFiles: z.number().int().min(1).max(64).default(4),
  /**
   * Bytes per request to the built-in receiver (MiB); streamed from the file, so memory does not
   * grow with it, and a cut request resumes at the receiver's offset, so a long one costs nothing
   * on resume. Each request boundary costs a round trip and a record update (about 7 % of a 1 GiB
   * upload at 128 MiB on the benchmark VM), hence the default of one request per GiB. Saved tus
   * and S3 destinations carry their own chunk and part sizes.
   */
  chunkSizeMiB: z.number().int().min(1).max(1024).default(1024),
  /**
   * The built-in receiver's TCP port; 0 picks a free one at the first start and keeps it (saved uploads
   * hold its address), moving only when another program took it.
   */
  receiverPort: z.number().int().min(0).max(65535).default(0),
  /** Other computers on the network may upload to the receiver; needs the access token (setReceiverToken). */
  receiverOnLan: z.boolean().default(false),
  /**
   * The receiver asks for the access token on this computer too, so no other program here can
   * write into it; Ferry's own uploads send it. Needs the token, like sharing on the network.
   */
  receiverRequireToken: z.boolean().default(false),
  /** Global bandwidth limit in bytes per second; 0 means none. */
  bandwidthLimit: z.number().int().min(0).default(0),
  /** Weekly limits that override `bandwidthLimit` while they apply. */
  bandwidthSchedule: z.array(scheduleEntry).max(50).default([]),
  notifyOnComplete: z.boolean().default(true),
  notifyOnFailure: z.boolean().default(true),
  /** Finished jobs older than this are deleted with their logs (0 keeps them forever). */
  retentionDays: z.number().int().min(0).max(3650).default(30),
  /** Events kept per job (the oldest are dropped first, like a log over its size cap); 0 keeps them all. */
  eventsMaxPerJob: z.number().int().min(0).max(10_000_000).default(10_000),
  /** Events older than this are dropped from every job's stream (0 keeps them forever). */
  eventsMaxAgeDays: z.number().int().min(0).max(3650).default(30),
  /** A `job.progress` webhook goes out at most once per job in this many seconds. */
  progressWebhookSeconds: z.number().int().min(1).max(3600).default(10),
  theme: z.enum(['system', 'light', 'dark']).default('system'),
  startAtLogin: z.boolean().default(false),
  /**
   * The desktop app serves the versioned HTTP API on 127.0.0.1 for scripts and the CLI, with a
   * token in `instance.json` (mode 0600). `ferry serve` always serves it.
   */
  allowLocalScripts: z.boolean().default(false),
  /** A source file that changes while it is sent: fail its item, or start it over. */
  onSourceChange: z.enum(['fail', 'restart']).default('fail'),
});

export type Settings = z.output<typeof settingsSchema>;
export const DEFAULT_SETTINGS: Settings = settingsSchema.parse({});
/**
 * A patch names only the fields it changes: the same checks without the defaults (a defaulted
 * field would otherwise come back for every key the patch left out and reset it).
 */
export const settingsPatch = z.strictObject(
  Object.fromEntries(Object.entries(settingsSchema.shape).map(([key, field]) => [key, field.unwrap().optional()])) as {
    [K in keyof typeof settingsSchema.shape]: z.ZodOptional<ReturnType<(typeof settingsSchema.shape)[K]['unwrap']>>;
  },
);
export type SettingsPatch = z.input<typeof settingsPatch>;
