import type { BulkAction, BulkResult, JobsChanged, NavigateRequest } from '../../shared/contract';
import type { JobRow } from './db/jobsRepo';
import type { EngineStats, JobView } from '../../shared/model';
import type { Settings } from '../../shared/settings';
import { buildCommands } from './api/commands';
import { bulkAction } from './jobs/bulkActions';
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
  /**
   * The services the composition root built, for tests and benchmarks that look behind the
   * contract. Hosts do not reach in: they use `commands`, `streams` and the methods below.
   */
  readonly services: Services;
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
    this.services = s;
    this.dataDir = s.dataDir;
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
    return this.services.receiver.start();
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

  /** Calls `listener` with each batch of changed and removed jobs; answers the unsubscribe. */
  onJobsChanged(listener: (batch: JobsChanged) => void): () => void {
    return this.services.jobs.onChanged(listener);
  }

  /** A job's stored record (its state and the params it was created with); NOT_FOUND if there is none. */
  jobRecord(id: number): JobRow {
    return this.services.jobs.get(id);
  }

  /** Calls `listener` with each job that reaches a final state; answers the unsubscribe. */
  onJobFinished(listener: (job: JobView) => void): () => void {
    return this.services.jobs.onFinished(listener);
  }

  /** The settings as they are now. */
  currentSettings(): Settings {
    return this.services.settings.get();
  }

  /** Calls `listener` after each settings change with the new settings and the keys that changed. */
  onSettingsChange(listener: (settings: Settings, changed: (keyof Settings)[]) => void): () => void {
    return this.services.settings.onChange(listener);
  }

  /** One action on many jobs, as the `bulkAction` command does it (the tray's and the power policy's). */
  bulk(action: BulkAction, ids?: number[]): BulkResult {
    return bulkAction(this.services.jobs, this.services.repo, action, ids);
  }

  /** The jobs running now (the desktop pauses these when the computer sleeps). */
  runningJobIds(): number[] {
    return this.services.repo.idsByState(['running']);
  }

  stats(): EngineStats {
    return this.composed.services.stats();
  }

  private buildStreams(): StreamHandlers {
    const { jobs, logs, watch, settings } = this.services;
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
      events: ({ since, jobs: only }, emit, fail) => this.services.feed.follow(since, only, emit, fail),
      'watch.changed': (_params, emit) => watch.subscribe(emit),
      'settings.changed': (_params, emit) => settings.subscribe(emit),
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
