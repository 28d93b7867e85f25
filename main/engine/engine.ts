import type { NavigateRequest } from '../../shared/contract';
import type { EngineStats } from '../../shared/model';
import { buildCommands } from './api/commands';
import type { CommandHandlers, EngineApi, StreamHandlers } from './api/engineServices';
import { composeEngine, type ComposedEngine } from './composeEngine';
import type { EngineOptions } from './engineOptions';
import { followEvents, followLog } from './logs/followers';
import { createLogger } from './util/logger';

const log = createLogger('engine');
export const ENGINE_VERSION = '0.1.0';

export type { EngineOptions } from './engineOptions';
export type { CommandHandlers, StreamHandlers } from './api/engineServices';

type Services = ComposedEngine['services'];

/**
 * The engine: the contract's commands and streams over the services the composition root built
 * (composeEngine.ts), and its lifecycle. Hosts use `commands`/`streams` through the dispatcher and
 * the few methods below; the services are read-only fields for tests and benchmarks.
 */
export class Engine implements EngineApi {
  readonly commands: CommandHandlers;
  readonly streams: StreamHandlers;
  /** Ferry's own files; jobs never write inside it (util/dataDirGuard.ts). */
  readonly dataDir: string;
  readonly db: Services['db'];
  readonly repo: Services['repo'];
  readonly logs: Services['logs'];
  readonly jobs: Services['jobs'];
  readonly search: Services['search'];
  readonly indexer: Services['indexer'];
  readonly retention: Services['retention'];
  readonly items: Services['items'];
  readonly destinations: Services['destinations'];
  readonly settings: Services['settings'];
  /** Destination and receiver secrets (never sent to a client). */
  readonly secrets: Services['secrets'];
  /** The built-in receiver: where it listens, why it does not, its restarts. */
  readonly receiver: Services['receiver'];
  /** The receiver's remembered port, and the saved uploads that follow it when it moves. */
  readonly receiverAddress: Services['receiverAddress'];
  readonly watch: Services['watch'];
  readonly webhooks: Services['webhooks'];
  readonly pipelines: Services['pipelines'];
  readonly uploads: Services['uploads'];
  readonly host: Services['host'];
  /** Whether command jobs may run: the user's decision at the host, never a setting of the API. */
  readonly commandJobs: Services['commandJobs'];
  private readonly composed: ComposedEngine;
  private statsListeners = new Set<(s: EngineStats) => void>();
  private navigateListeners = new Set<(r: NavigateRequest) => void>();
  /** A request made while no interface listened (a window still loading), for the first that does. */
  private pendingNavigate: NavigateRequest | null = null;
  private statsTimer: NodeJS.Timeout | undefined;
  private lastStats = '';
  private stopped = false;

  constructor(readonly options: EngineOptions) {
    this.composed = composeEngine(options, ENGINE_VERSION);
    const s = this.composed.services;
    this.dataDir = s.dataDir;
    this.db = s.db;
    this.repo = s.repo;
    this.logs = s.logs;
    this.jobs = s.jobs;
    this.search = s.search;
    this.indexer = s.indexer;
    this.retention = s.retention;
    this.items = s.items;
    this.destinations = s.destinations;
    this.settings = s.settings;
    this.secrets = s.secrets;
    this.receiver = s.receiver;
    this.receiverAddress = s.receiverAddress;
    this.watch = s.watch;
    this.webhooks = s.webhooks;
    this.pipelines = s.pipelines;
    this.uploads = s.uploads;
    this.host = s.host;
    this.commandJobs = s.commandJobs;
    this.commands = buildCommands(s);
    this.streams = this.buildStreams();
  }

  /** Asks every open interface to show something (the host calls this). */
  navigate(request: NavigateRequest): void {
    if (this.navigateListeners.size === 0) this.pendingNavigate = request;
    for (const l of this.navigateListeners) l(request);
  }

  /**
   * Starts the host's built-in receiver as the settings ask (before `start`, so recovered uploads
   * find it). A receiver that cannot start is reported by health and getReceiver, not thrown.
   */
  startReceiver(): Promise<void> {
    return this.receiver.start();
  }

  start(): void {
    this.composed.start();
    log.info(`engine started in ${this.options.dataDir}`);
  }

  /** Stops the engine and the receiver it runs; a second call does nothing. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.statsTimer) clearInterval(this.statsTimer);
    await this.composed.stop();
    log.info('engine stopped');
  }

  stats(): EngineStats {
    return this.composed.services.stats();
  }

  private buildStreams(): StreamHandlers {
    const { jobs, logs } = this;
    return {
      'jobs.changed': (_params, emit) => jobs.onChanged(emit),
      'job.log': ({ id, offset, epoch }, emit, fail) => {
        jobs.get(id);
        return followLog(logs, id, offset, () => jobs.isDone(id), emit, fail, epoch);
      },
      'job.events': ({ id, since }, emit, fail) => {
        jobs.get(id);
        return followEvents(logs, id, since, () => jobs.isDone(id), emit, fail);
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
