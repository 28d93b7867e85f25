import type { CommandName, CommandParsed, CommandResult, StreamName, StreamParsed, StreamPayload } from '../../../shared/contract';
import type { Actor, EngineStats } from '../../../shared/model';
import type { Db } from '../db/database';
import type { ItemsRepo } from '../db/itemsRepo';
import type { JobsRepo } from '../db/jobsRepo';
import type { SearchRepo } from '../db/searchRepo';
import type { BuiltInReceiver } from '../destinations/builtInReceiver';
import type { DestinationService } from '../destinations/destinationService';
import type { HostServices } from '../hostServices';
import type { JobManager } from '../jobs/jobManager';
import type { Retention } from '../jobs/retention';
import type { CommandJobsGate } from '../kinds/commandJobsGate';
import type { UploadService } from '../kinds/uploadService';
import type { UploadPlanner } from '../incremental/uploadPlanner';
import type { EventFeed } from '../logs/eventFeed';
import type { LogStore } from '../logs/logStore';
import type { WebhookService } from '../notify/webhookService';
import type { PipelineService } from '../pipelines/pipelineService';
import type { SecretStore } from '../secrets/secretStore';
import type { SettingsService } from '../settings/settingsService';
import type { WatchService } from '../watch/watchService';

/**
 * What the command modules work with: the engine's services as the composition root built them.
 * Each module takes only the part it uses (a `Pick` of this), so what a command can reach is
 * written in its signature.
 */
export interface EngineServices {
  /** Ferry's own files; jobs never write inside it (util/dataDirGuard.ts). */
  readonly dataDir: string;
  readonly version: string;
  /** The database connection, for the health command's integrity check. */
  readonly db: Db;
  readonly jobs: JobManager;
  readonly repo: JobsRepo;
  readonly logs: LogStore;
  /** Every job's events in one ordered feed with global ids (GET /api/v1/events). */
  readonly feed: EventFeed;
  readonly items: ItemsRepo;
  readonly search: SearchRepo;
  readonly retention: Retention;
  readonly destinations: DestinationService;
  readonly settings: SettingsService;
  /** Destination and receiver secrets (never sent to a client). */
  readonly secrets: SecretStore;
  readonly receiver: BuiltInReceiver;
  readonly watch: WatchService;
  readonly webhooks: WebhookService;
  readonly pipelines: PipelineService;
  readonly uploads: UploadService;
  /** What an incremental upload would send (the planUpload command). */
  readonly planner: UploadPlanner;
  readonly host: HostServices;
  /** Whether command jobs may run: the user's decision at the host, never a setting of the API. */
  readonly commandJobs: CommandJobsGate;
  /** Job counts, rates and the queue's state, as the stats stream sends them. */
  stats(): EngineStats;
}

/** Who sent a command (the host that received it says), for the events that name who decided; absent: the API. */
export interface CallContext {
  actor: Actor;
}

export type CommandHandlers = { [K in CommandName]: (input: CommandParsed<K>, call?: CallContext) => Promise<CommandResult<K>> | CommandResult<K> };
export type StreamHandlers = {
  [K in StreamName]: (params: StreamParsed<K>, emit: (payload: StreamPayload<K>) => void, fail: (err: unknown) => void) => () => void;
};

/** What the dispatcher calls: one handler per command and per stream of the contract. */
export interface EngineApi {
  readonly commands: CommandHandlers;
  readonly streams: StreamHandlers;
}
