import { statfs } from 'node:fs/promises';
import { join } from 'node:path';
import type { CommandName, CommandParsed, CommandResult, NavigateRequest, StreamName, StreamParsed, StreamPayload } from '../../shared/contract';
import { JOB_STATES, type EngineStats, type JobKind, type JobState } from '../../shared/model';
import { openDatabase, type Db } from './db/database';
import { JobsRepo } from './db/jobsRepo';
import { JobManager, type SchedulerLimits } from './jobs/jobManager';
import type { JobRunner } from './jobs/runner';
import { demoRunner } from './kinds/demoRunner';
import { followEvents, followLog } from './logs/followers';
import { LogStore } from './logs/logStore';
import { createLogger } from './util/logger';
import { transferCommands, stagingPath } from './api/transferCommands';
import { ItemsRepo } from './db/itemsRepo';
import { DestinationService } from './destinations/destinationService';
import { HEADLESS_HOST, type HostServices } from './hostServices';
import { createUploadRunner } from './kinds/uploadRunner';
import { FileSecretStore, type SecretStore } from './secrets/secretStore';
import { SettingsService } from './settings/settingsService';
import { BandwidthGovernor } from './settings/bandwidth';

const log = createLogger('engine');
export const ENGINE_VERSION = '0.1.0';

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
}

export type CommandHandlers = { [K in CommandName]: (input: CommandParsed<K>) => Promise<CommandResult<K>> | CommandResult<K> };
export type StreamHandlers = {
  [K in StreamName]: (params: StreamParsed<K>, emit: (payload: StreamPayload<K>) => void, fail: (err: unknown) => void) => () => void;
};

/** The engine: database, log store and scheduler behind the contract's commands and streams. */
export class Engine {
  readonly db: Db;
  readonly repo: JobsRepo;
  readonly logs: LogStore;
  readonly jobs: JobManager;
  readonly items: ItemsRepo;
  readonly destinations: DestinationService;
  readonly settings: SettingsService;
  readonly host: HostServices;
  private readonly bandwidth = new BandwidthGovernor();
  readonly commands: CommandHandlers;
  readonly streams: StreamHandlers;
  private statsListeners = new Set<(s: EngineStats) => void>();
  private navigateListeners = new Set<(r: NavigateRequest) => void>();
  private statsTimer: NodeJS.Timeout | undefined;
  private lastStats = '';

  constructor(readonly options: EngineOptions) {
    this.db = openDatabase(join(options.dataDir, 'ferry.db'), options.nativeBinding ? { nativeBinding: options.nativeBinding } : {});
    this.repo = new JobsRepo(this.db);
    this.logs = new LogStore(options.dataDir);
    this.items = new ItemsRepo(this.db);
    this.settings = new SettingsService(this.db);
    this.host = options.host ?? HEADLESS_HOST;
    const secrets = options.secrets ?? new FileSecretStore(join(options.dataDir, 'secrets.json'));
    this.destinations = new DestinationService(this.db, secrets, () => this.options.receiverUrl);
    const uploadRunner = createUploadRunner({ destinations: this.destinations, items: this.items, jobDir: (id) => this.logs.paths(id).dir });
    const runners = new Map<JobKind, JobRunner>();
    for (const r of [demoRunner as JobRunner, uploadRunner as JobRunner, ...(options.runners ?? [])]) runners.set(r.kind, r);
    this.jobs = new JobManager(this.repo, this.logs, runners, {
      limits: { concurrency: this.settings.get().concurrency, ...options.limits },
    });
    this.settings.onChange((s, changed) => {
      if (changed.includes('concurrency') && !options.limits?.concurrency) {
        this.jobs.limits.concurrency = s.concurrency;
        this.jobs.pump();
      }
      if (changed.includes('bandwidthLimit') || changed.includes('bandwidthSchedule')) this.bandwidth.apply(s);
    });
    this.commands = this.buildCommands();
    this.streams = this.buildStreams();
  }

  /** Asks every open interface to show something (the host calls this). */
  navigate(request: NavigateRequest): void {
    for (const l of this.navigateListeners) l(request);
  }

  /** Where a browser's dropped files are written before they are uploaded (web host). */
  stagingDir(id: string): string {
    return stagingPath(this.options.dataDir, id);
  }

  start(): void {
    this.jobs.start();
    log.info(`engine started in ${this.options.dataDir}`);
  }

  async stop(): Promise<void> {
    if (this.statsTimer) clearInterval(this.statsTimer);
    this.bandwidth.stop();
    await this.jobs.stop();
    this.logs.close();
    this.db.close();
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
    };
  }

  private buildCommands(): CommandHandlers {
    const jobs = this.jobs;
    return {
      createDemoJob: (input) =>
        jobs.create(
          { kind: 'demo', name: input.name ?? `Demo: ${input.items} items`, priority: input.priority, params: input, total: input.items, unit: 'items', maxAttempts: 3 },
          input,
        ),
      listJobs: (input) => {
        const { rows, total } = this.repo.list(input);
        return { jobs: rows.map((r) => jobs.viewOf(r)), total };
      },
      getJob: ({ id }) => jobs.view(id),
      pauseJob: ({ id }) => jobs.pause(id),
      resumeJob: ({ id }) => jobs.resume(id),
      cancelJob: ({ id }) => jobs.cancel(id),
      stopAfterCurrent: ({ id }) => jobs.stopAfterCurrent(id),
      retryJob: ({ id }) => jobs.retry(id),
      setPriority: ({ id, priority }) => jobs.setPriority(id, priority),
      readLog: ({ id, offset, maxBytes }) => {
        jobs.get(id);
        return this.logs.readLog(id, offset, maxBytes, jobs.isDone(id));
      },
      listEvents: async ({ id, since, limit }) => {
        jobs.get(id);
        const events = await this.logs.readEvents(id, since, limit);
        return { events, nextSince: events.length ? events[events.length - 1]!.seq : since };
      },
      ...transferCommands(this),
      getStats: () => this.stats(),
      health: async () => {
        let freeBytes: number | null = null;
        try {
          const fs = await statfs(this.options.dataDir);
          freeBytes = fs.bavail * fs.bsize;
        } catch {
          freeBytes = null;
        }
        const check = this.db.pragma('quick_check', { simple: true }) as string;
        const s = this.stats();
        return {
          ok: check === 'ok',
          dataDir: this.options.dataDir,
          freeBytes,
          database: check,
          scheduler: { running: s.running, queued: s.counts.queued, concurrency: jobs.limits.concurrency, paused: false },
          version: ENGINE_VERSION,
        };
      },
    };
  }

  private buildStreams(): StreamHandlers {
    const jobs = this.jobs;
    return {
      'jobs.changed': (_params, emit) => jobs.onChanged(emit),
      'job.log': ({ id, offset }, emit, fail) => {
        jobs.get(id);
        return followLog(this.logs, id, offset, () => jobs.isDone(id), emit, fail);
      },
      'job.events': ({ id, since }, emit, fail) => {
        jobs.get(id);
        return followEvents(this.logs, id, since, () => jobs.isDone(id), emit, fail);
      },
      'app.navigate': (_params, emit) => {
        this.navigateListeners.add(emit);
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
