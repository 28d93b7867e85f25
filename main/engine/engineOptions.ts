import type { ReceiverPort } from './destinations/receiverPort';
import type { HostServices } from './hostServices';
import type { SchedulerLimits } from './jobs/jobManager';
import type { KindPolicies, KindPolicy } from './jobs/kindPolicy';
import type { RetentionOptions } from './jobs/retention';
import type { JobRunner } from './jobs/runner';
import type { LogIndexerOptions } from './logs/logIndexer';
import type { LogStoreOptions } from './logs/logStore';
import type { SecretStore } from './secrets/secretStore';

/** How a host (or a test) starts the engine. */
export interface EngineOptions {
  dataDir: string;
  /** better-sqlite3 addon built for this runtime (Electron passes its own). */
  nativeBinding?: string;
  limits?: Partial<SchedulerLimits>;
  /** Extra job kinds (tests register their own). */
  runners?: JobRunner[];
  /** Where destination secrets live; default: a 0600 file in the data directory. */
  secrets?: SecretStore;
  /** The built-in receiver the host runs; the engine starts it (`startReceiver`), restarts and stops it. */
  receiver?: ReceiverPort;
  /** The receiver's port when the settings name none and none was remembered (default: a free one). */
  receiverPort?: number;
  /** A receiver's tus endpoint running outside the engine's control (tests): used as is. */
  receiverUrl?: string;
  /** Where that receiver files what it receives (shown to the user). */
  receiverDir?: string;
  /** Dialogs, the file manager and staging, where the host has them. */
  host?: HostServices;
  /** The user allowed command jobs when starting the host (`ferry serve --allow-command-jobs`). */
  allowCommandJobs?: boolean;
  /** Attempts, timeouts, stall times and backoff: for every kind (`basePolicy`) or per kind. */
  basePolicy?: Partial<KindPolicy>;
  policies?: KindPolicies;
  /** A runner that ignores cancel or its timeout this long is given up on (default 10 s). */
  abandonAfterMs?: number;
  /** Flush interval and per-job size cap of the job logs. */
  logs?: LogStoreOptions;
  /** How much of each log the full-text index takes. */
  search?: Partial<LogIndexerOptions>;
  /** Retention beyond the `retentionDays` setting: keep only the newest N finished jobs. */
  retention?: RetentionOptions & { keepNewest?: number | null };
}
