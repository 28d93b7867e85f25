/** How the instance is doing: counts and throughput, and a health check of its parts. */
import { z } from 'zod';
import type { EngineStats } from '../model';
import { command, noInput, stream } from './define';

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
  /** Files dropped in a browser and kept by the web host until their upload no longer needs them. */
  staging?: { areas: number; bytes: number };
  /** Things a user should look at (low disk space, a failed check). */
  warnings?: string[];
  /** The versioned HTTP API's use and limits (in `GET /api/v1/health` of the web host). */
  api?: ApiUsage;
}

export interface ApiLimitOptions {
  /** Streams (followed logs, event streams) one client may hold open at once. */
  streamsPerClient: number;
  /** Requests per second a token may make, on average. */
  requestsPerSecond: number;
  /** Requests a token may make at once above the average. */
  burst: number;
  /** A stream that has sent nothing but heartbeats this long is closed. */
  idleStreamMs: number;
}

export interface ApiUsage {
  requests: number;
  /** Requests the token may make at once now (the burst, less what was used and not yet earned back). */
  available: number;
  openStreams: number;
  streamsOpened: number;
  refusedRate: number;
  refusedStreams: number;
  idleClosed: number;
  limits: ApiLimitOptions;
}

export const statusCommands = {
  /** Counts by state and current throughput. */
  getStats: command<EngineStats>()(noInput),
  /** Data-directory space, database check and scheduler state; `deep` runs a full integrity check. */
  health: command<Health>()(z.strictObject({ deep: z.boolean().default(false) })),
} as const;

export const statusStreams = {
  /** Aggregate figures, once a second while anything changes. */
  stats: stream<EngineStats>()(noInput),
} as const;
