import { join } from 'node:path';
import type { CommandName, CommandParsed, CommandResult, NavigateRequest, StreamName, StreamParsed, StreamPayload } from '../../shared/contract';
import { JOB_KINDS, JOB_STATES, type EngineStats, type JobKind, type JobState } from '../../shared/model';
import type { Settings } from '../../shared/settings';
import { closeDatabase, openDatabase, type Db } from './db/database';
import { EngineStateRepo } from './db/engineStateRepo';
import { JobsRepo } from './db/jobsRepo';
import { SearchRepo } from './db/searchRepo';
import { jobCommands } from './api/jobCommands';
import { JobManager, type SchedulerLimits } from './jobs/jobManager';
import type { KindPolicies, KindPolicy } from './jobs/kindPolicy';
import { Retention, type RetentionOptions } from './jobs/retention';
import type { JobRunner } from './jobs/runner';
import { demoRunner } from './kinds/demoRunner';
import { followEvents, followLog } from './logs/followers';
import { DEFAULT_INDEXER, LogIndexer, type LogIndexerOptions } from './logs/logIndexer';
import { headBytes } from './logs/logCap';
import { DEFAULT_LOG_CAP_BYTES, LogStore, type LogStoreOptions } from './logs/logStore';
import { createLogger } from './util/logger';
import { transferCommands, stagingPath } from './api/transferCommands';
import { receiverCommands } from './api/receiverCommands';
import { ItemsRepo } from './db/itemsRepo';
import { DestinationService } from './destinations/destinationService';
import { ReceiverAddress } from './destinations/receiverAddress';
import { HEADLESS_HOST, type HostServices } from './hostServices';
import { createUploadRunner } from './kinds/uploadRunner';
import { FileSecretStore, type SecretStore } from './secrets/secretStore';
import { SettingsService } from './settings/settingsService';
import { BandwidthGovernor } from './settings/bandwidth';
import { watchCommands } from './api/watchCommands';
import { automationCommands } from './api/automationCommands';
import { createCommandRunner } from './kinds/commandRunner';
import { CommandJobsGate } from './kinds/commandJobsGate';
import { ensurePrivateDir } from './util/privateFiles';
import { createDownloadRunner, type DownloadParams } from './kinds/downloadRunner';
import { dataDirProblem } from './util/dataDirGuard';
import { dropSecretHeaders, loadSecretHeaders } from './kinds/downloadSecrets';
import { createVerifyRunner } from './kinds/verifyRunner';
import { bridgeJobWebhooks } from './notify/jobWebhooks';
import { WebhookService } from './notify/webhookService';
import { PipelineService } from './pipelines/pipelineService';
import { WatchService } from './watch/watchService';

const log = createLogger('engine');
export const ENGINE_VERSION = '0.1.0';

/** Where the host's built-in receiver listens, and the token it wants while shared. */
export interface RunningReceiver {
  url: string;
  dir: string | null;
  port: number | null;
  onLan: boolean;
  token?: string;
}

/** Key of the receiver's access token in the secret store. */
export const RECEIVER_TOKEN_KEY = 'receiver.token';

export interface EngineOptions {
  dataDir: string;
  /** better-sqlite3 addon built for this runtime (Electron passes its own). */
  nativeBinding?: string;
  limits?: Partial<SchedulerLimits>;
  /** Extra job kinds (tests register their own). */
  runners?: JobRunner[];
  /** Where destination secrets live; default: a 0600 file in the data directory. */
  secrets?: SecretStore;
  /** The built-in receiver's tus endpoint, when the host runs one. */
  receiverUrl?: string;
  /** Where the built-in receiver files what it receives (shown to the user). */
  receiverDir?: string;
  /** Dialogs and the file manager, where the host has them. */
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

export type CommandHandlers = { [K in CommandName]: (input: CommandParsed<K>) => Promise<CommandResult<K>> | CommandResult<K> };
export type StreamHandlers = {
  [K in StreamName]: (params: StreamParsed<K>, emit: (payload: StreamPayload<K>) => void, fail: (err: unknown) => void) => () => void;
};

/** The engine: database, log store and scheduler behind the contract's commands and streams. */
export class Engine {
  /** Ferry's own files; jobs never write inside it (util/dataDirGuard.ts). */
  readonly dataDir: string;
  readonly db: Db;
  readonly repo: JobsRepo;
  readonly logs: LogStore;
  readonly jobs: JobManager;
  readonly search: SearchRepo;
  readonly indexer: LogIndexer;
  readonly retention: Retention;
  readonly items: ItemsRepo;
  readonly destinations: DestinationService;
  readonly settings: SettingsService;
  /** Destination and receiver secrets (never sent to a client). */
  readonly secrets: SecretStore;
  /** The built-in receiver as the host runs it now; undefined while it is not running. */
  receiver: RunningReceiver | undefined;
  /** Why the receiver is not running as the settings ask, in words (null when it is). */
  receiverError: string | null = null;
  /** Set by the host that runs the receiver: restarts it with the current settings and token. */
  receiverHost: { restart(): Promise<void> } | undefined;
  /** The receiver's remembered port, and the saved uploads that follow it when it moves. */
  readonly receiverAddress: ReceiverAddress;
  readonly watch: WatchService;
  readonly webhooks: WebhookService;
  readonly pipelines: PipelineService;
  readonly host: HostServices;
  /** Whether command jobs may run: the user's decision at the host, never a setting of the API. */
  readonly commandJobs: CommandJobsGate;
  private stopWebhookBridge: () => void = () => {};
  private readonly bandwidth = new BandwidthGovernor();
  readonly commands: CommandHandlers;
  readonly streams: StreamHandlers;
  private statsListeners = new Set<(s: EngineStats) => void>();
  private navigateListeners = new Set<(r: NavigateRequest) => void>();
  /** A request made while no interface listened (a window still loading), for the first that does. */
  private pendingNavigate: NavigateRequest | null = null;
  private statsTimer: NodeJS.Timeout | undefined;
  private lastStats = '';
  private stopped = false;

  constructor(readonly options: EngineOptions) {
    ensurePrivateDir(options.dataDir);
    this.dataDir = options.dataDir;
    this.db = openDatabase(join(options.dataDir, 'ferry.db'), options.nativeBinding ? { nativeBinding: options.nativeBinding } : {});
    this.repo = new JobsRepo(this.db);
    this.logs = new LogStore(options.dataDir, options.logs);
    this.search = new SearchRepo(this.db, this.repo);
    const engineState = new EngineStateRepo(this.db);
    this.items = new ItemsRepo(this.db);
    this.receiverAddress = new ReceiverAddress(this.items, engineState);
    this.settings = new SettingsService(this.db);
    this.host = options.host ?? HEADLESS_HOST;
    const secrets = options.secrets ?? new FileSecretStore(join(options.dataDir, 'secrets.json'));
    this.secrets = secrets;
    if (options.receiverUrl) this.receiver = { url: options.receiverUrl, dir: options.receiverDir ?? null, port: Number(new URL(options.receiverUrl).port) || null, onLan: false };
    this.destinations = new DestinationService(
      this.db,
      this.repo,
      secrets,
      () => (this.receiver ? { url: this.receiver.url, ...(this.receiver.token ? { token: this.receiver.token } : {}) } : undefined),
      () => this.settings.get().chunkSizeMiB * 1024 * 1024,
      (target) => dataDirProblem(options.dataDir, target),
    );
    const uploadRunner = createUploadRunner({ destinations: this.destinations, items: this.items, jobDir: (id) => this.logs.paths(id).dir });
    const runners = new Map<JobKind, JobRunner>();
    const verifyRunner = createVerifyRunner({ destinations: this.destinations, items: this.items, receiverDir: () => this.receiver?.dir ?? undefined });
    this.commandJobs = new CommandJobsGate(options.dataDir, options.allowCommandJobs === true);
    const downloadRunner = createDownloadRunner({
      secretHeaders: (ref) => loadSecretHeaders(secrets, ref),
      destProblem: (dest) => dataDirProblem(options.dataDir, dest),
    });
    const builtIn = [demoRunner, uploadRunner, downloadRunner, createCommandRunner(this.commandJobs), verifyRunner] as JobRunner[];
    for (const r of [...builtIn, ...(options.runners ?? [])]) runners.set(r.kind, r);
    this.jobs = new JobManager(this.repo, this.logs, runners, {
      limits: { concurrency: this.settings.get().concurrency, ...options.limits },
      ...(options.basePolicy ? { basePolicy: options.basePolicy } : {}),
      ...(options.policies ? { policies: options.policies } : {}),
      ...(options.abandonAfterMs !== undefined ? { abandonAfterMs: options.abandonAfterMs } : {}),
      state: engineState,
      onDeleted: (id, row) => {
        this.indexer.forget(id);
        if (row.kind === 'download') dropSecretHeaders(secrets, (JSON.parse(row.params) as DownloadParams).secretHeadersRef);
      },
    });
    // Indexed offsets must stay in the head of a log, which a cut to the cap never moves.
    const capBytes = options.logs?.capBytes === undefined ? DEFAULT_LOG_CAP_BYTES : options.logs.capBytes;
    const indexer = { ...DEFAULT_INDEXER, ...options.search };
    if (capBytes !== null) indexer.headBytes = Math.min(indexer.headBytes, headBytes({ capBytes }));
    this.indexer = new LogIndexer(this.logs, this.search, { indexedOffset: (id) => this.repo.get(id)?.log_indexed, isDone: (id) => this.jobs.isDone(id) }, indexer);
    this.retention = new Retention(
      this.repo,
      (id) => this.jobs.delete(id),
      () => ({ days: this.settings.get().retentionDays, keepNewest: options.retention?.keepNewest ?? null }),
      engineState,
      options.retention,
    );
    this.settings.onChange((s, changed) => {
      if (changed.includes('concurrency') && !options.limits?.concurrency) {
        this.jobs.limits.concurrency = s.concurrency;
        this.jobs.pump();
      }
      if (changed.some((k) => k === 'kindConcurrency' || k === 'destinationConcurrency' || k === 'kindTimeoutSeconds')) {
        this.applyLimits(s);
        this.jobs.pump();
      }
      if (changed.includes('bandwidthLimit') || changed.includes('bandwidthSchedule')) this.bandwidth.apply(s);
    });
    this.webhooks = new WebhookService({
      db: this.db,
      secrets,
      state: engineState,
      onDelivery: (r) => {
        const row = this.repo.get(r.jobId);
        if (!row) return;
        const outcome = r.ok ? `delivered (HTTP ${r.status})` : `attempt ${r.attempt} failed: ${r.error ?? `HTTP ${r.status}`}`;
        this.jobs.event(r.jobId, 'webhook', row.state, `Webhook ${r.event}: ${outcome}`, { ...r });
      },
    });
    this.pipelines = new PipelineService(this.repo, this.jobs, () => this.commandJobs.allowed());
    this.watch = new WatchService({
      db: this.db,
      items: this.items,
      dataDir: options.dataDir,
      createUpload: (input) => this.commands.createUpload(input),
      onJobFinished: (listener) => this.jobs.onFinished(listener),
      resolveDestination: (id) => this.destinations.resolveId(id),
    });
    this.commands = this.buildCommands();
    this.streams = this.buildStreams();
  }

  /**
   * The settings' per-kind and per-destination limits and per-kind timeouts; what the engine's
   * options fix (`ferry serve` flags, tests) wins over them.
   */
  private applyLimits(s: Settings): void {
    const limits = this.jobs.limits;
    limits.perKind = { ...s.kindConcurrency, ...this.options.limits?.perKind };
    const perDestination = this.options.limits?.perDestination ?? (s.destinationConcurrency || undefined);
    if (perDestination === undefined) delete limits.perDestination;
    else limits.perDestination = perDestination;
    const policies: KindPolicies = {};
    for (const kind of JOB_KINDS) {
      const seconds = s.kindTimeoutSeconds[kind];
      const policy = { ...(seconds ? { timeoutMs: seconds * 1000 } : {}), ...this.options.policies?.[kind] };
      if (Object.keys(policy).length) policies[kind] = policy;
    }
    this.jobs.setPolicies(policies);
  }

  /** Asks every open interface to show something (the host calls this). */
  navigate(request: NavigateRequest): void {
    if (this.navigateListeners.size === 0) this.pendingNavigate = request;
    for (const l of this.navigateListeners) l(request);
  }

  /** Where a browser's dropped files are written before they are uploaded (web host). */
  stagingDir(id: string): string {
    return stagingPath(this.options.dataDir, id);
  }

  start(): void {
    this.jobs.start();
    this.indexer.start(this.repo.idsToIndex(Date.now() - 24 * 60 * 60 * 1000));
    this.retention.start();
    this.watch.start();
    this.pipelines.start();
    this.stopWebhookBridge = bridgeJobWebhooks(this.jobs, (event, job) => this.webhooks.notify(event, job));
    log.info(`engine started in ${this.options.dataDir}`);
  }

  /** Stops the engine; a second call does nothing. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.statsTimer) clearInterval(this.statsTimer);
    this.bandwidth.stop();
    await this.watch.stop();
    this.stopWebhookBridge();
    this.pipelines.stop();
    this.webhooks.close();
    this.retention.stop();
    await this.jobs.stop();
    this.indexer.stop();
    this.logs.close();
    closeDatabase(this.db);
    log.info('engine stopped');
  }

  stats(): EngineStats {
    const byState = this.repo.countByState();
    const counts = Object.fromEntries(JOB_STATES.map((s) => [s, byState[s] ?? 0])) as Record<JobState, number>;
    const rates = this.jobs.activeRates();
    return {
      counts,
      running: this.jobs.runningCount(),
      bytesPerSecond: Math.round(rates.bytesPerSecond),
      activeProgress: rates.total > 0 ? rates.done / rates.total : null,
      queuePaused: this.jobs.queuePaused,
      stalled: this.jobs.stalledCount(),
    };
  }

  private buildCommands(): CommandHandlers {
    return {
      ...jobCommands(this, ENGINE_VERSION),
      ...transferCommands(this),
      ...receiverCommands(this),
      ...watchCommands(this),
      ...automationCommands(this),
    };
  }

  private buildStreams(): StreamHandlers {
    const jobs = this.jobs;
    return {
      'jobs.changed': (_params, emit) => jobs.onChanged(emit),
      'job.log': ({ id, offset, epoch }, emit, fail) => {
        jobs.get(id);
        return followLog(this.logs, id, offset, () => jobs.isDone(id), emit, fail, epoch);
      },
      'job.events': ({ id, since }, emit, fail) => {
        jobs.get(id);
        return followEvents(this.logs, id, since, () => jobs.isDone(id), emit, fail);
      },
      'watch.changed': (_params, emit) => this.watch.subscribe(emit),
      'settings.changed': (_params, emit) => this.settings.subscribe(emit),
      'app.navigate': (_params, emit) => {
        this.navigateListeners.add(emit);
        const pending = this.pendingNavigate;
        this.pendingNavigate = null;
        if (pending) emit(pending);
        return () => this.navigateListeners.delete(emit);
      },
      stats: (_params, emit) => {
        emit(this.stats());
        this.statsListeners.add(emit);
        this.ensureStatsTimer();
        return () => this.statsListeners.delete(emit);
      },
    };
  }

  /** One timer for all stats subscribers; sends only when the figures changed. */
  private ensureStatsTimer(): void {
    if (this.statsTimer) return;
    this.statsTimer = setInterval(() => {
      if (this.statsListeners.size === 0) return;
      const s = this.stats();
      const key = JSON.stringify(s);
      if (key === this.lastStats) return;
      this.lastStats = key;
      for (const l of this.statsListeners) l(s);
    }, 1000);
    this.statsTimer.unref();
  }
}
