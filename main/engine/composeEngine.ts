import { join } from 'node:path';
import { ITEM_RESULTS_CAP } from '../../shared/jobLog';
import { JOB_KINDS, JOB_STATES, type EngineStats, type JobKind, type JobState } from '../../shared/model';
import type { Settings } from '../../shared/settings';
import type { EngineServices } from './api/engineServices';
import { closeDatabase, openDatabase } from './db/database';
import { EngineStateRepo } from './db/engineStateRepo';
import { ItemsRepo } from './db/itemsRepo';
import { JobsRepo } from './db/jobsRepo';
import { SearchRepo } from './db/searchRepo';
import { BuiltInReceiver } from './destinations/builtInReceiver';
import { DestinationService } from './destinations/destinationService';
import { ReceiverAddress } from './destinations/receiverAddress';
import type { EngineOptions } from './engineOptions';
import { HEADLESS_HOST } from './hostServices';
import { JobManager } from './jobs/jobManager';
import type { KindPolicies } from './jobs/kindPolicy';
import { itemResultsOf, monitorUrl } from './jobs/logFormat';
import { Retention } from './jobs/retention';
import type { JobRunner } from './jobs/runner';
import { createCommandRunner } from './kinds/commandRunner';
import { CommandJobsGate } from './kinds/commandJobsGate';
import { demoRunner } from './kinds/demoRunner';
import { createDownloadRunner, type DownloadParams } from './kinds/downloadRunner';
import { dropSecretHeaders, loadSecretHeaders } from './kinds/downloadSecrets';
import { createBucketDownloadRunner } from './kinds/s3DownloadRunner';
import { createUploadRunner } from './kinds/uploadRunner';
import { SentRecordsRepo } from './db/sentRecordsRepo';
import { UploadPlanner } from './incremental/uploadPlanner';
import { UploadService } from './kinds/uploadService';
import { createVerifyRunner } from './kinds/verifyRunner';
import { headBytes } from './logs/logCap';
import { EventSweep } from './logs/eventSweep';
import { DEFAULT_INDEXER, LogIndexer } from './logs/logIndexer';
import { EventFeedRepo } from './db/eventFeedRepo';
import { EventFeed } from './logs/eventFeed';
import { DEFAULT_LOG_CAP_BYTES, LogStore } from './logs/logStore';
import { bridgeJobWebhooks } from './notify/jobWebhooks';
import { WebhookService } from './notify/webhookService';
import { PipelineService } from './pipelines/pipelineService';
import { FileSecretStore } from './secrets/secretStore';
import { BandwidthGovernor } from './settings/bandwidth';
import { SettingsService } from './settings/settingsService';
import { dataDirProblem } from './util/dataDirGuard';
import { ensurePrivateDir } from './util/privateFiles';
import { WatchService } from './watch/watchService';

/** The engine's services, built and wired, and the order they start and stop in. */
export interface ComposedEngine {
  readonly services: EngineServices & {
    readonly indexer: LogIndexer;
    /** The receiver's remembered port, and the saved uploads that follow it when it moves. */
    readonly receiverAddress: ReceiverAddress;
  };
  start(): void;
  /** Stops every service (the receiver last); call once. */
  stop(): Promise<void>;
}

/**
 * The composition root: opens the database, builds every service (log store, scheduler and job
 * kinds, destinations and the built-in receiver, watch, notify, pipelines, retention) and wires
 * them to each other and to the settings. Nothing else constructs a service.
 */
export function composeEngine(options: EngineOptions, version: string): ComposedEngine {
  const { dataDir } = options;
  ensurePrivateDir(dataDir);
  const db = openDatabase(join(dataDir, 'ferry.db'), options.nativeBinding ? { nativeBinding: options.nativeBinding } : {});
  const repo = new JobsRepo(db);
  const logs = new LogStore(dataDir, options.logs);
  const feed = new EventFeed(logs, new EventFeedRepo(db));
  const search = new SearchRepo(db, repo);
  const engineState = new EngineStateRepo(db);
  const items = new ItemsRepo(db);
  const sentRecords = new SentRecordsRepo(db);
  const receiverAddress = new ReceiverAddress(items, engineState);
  const settings = new SettingsService(db);
  const host = options.host ?? HEADLESS_HOST;
  const secrets = options.secrets ?? new FileSecretStore(join(dataDir, 'secrets.json'));
  const fixed = options.receiverUrl
    ? { url: options.receiverUrl, dir: options.receiverDir ?? null, port: Number(new URL(options.receiverUrl).port) || null, onLan: false }
    : undefined;
  const receiver = new BuiltInReceiver({
    settings,
    secrets,
    address: receiverAddress,
    ...(options.receiver ? { port: options.receiver } : {}),
    ...(options.receiverPort ? { preferredPort: options.receiverPort } : {}),
    ...(fixed ? { fixed } : {}),
  });
  const destinations = new DestinationService(
    db,
    repo,
    secrets,
    () => {
      const r = receiver.current();
      return r ? { url: r.url, ...(r.token ? { token: r.token } : {}) } : undefined;
    },
    () => settings.get().chunkSizeMiB * 1024 * 1024,
    (target) => dataDirProblem(dataDir, target),
  );
  const receiverDir = () => receiver.current()?.dir ?? undefined;
  const commandJobs = new CommandJobsGate(dataDir, options.allowCommandJobs === true);
  const builtIn = [
    demoRunner,
    createUploadRunner({ destinations, items, jobDir: (id) => logs.paths(id).dir, receiverDir, lastSent: (d, name, except) => sentRecords.lastSent(d, name, except) }),
    createDownloadRunner({ secretHeaders: (ref) => loadSecretHeaders(secrets, ref), destProblem: (dest) => dataDirProblem(dataDir, dest) }),
    createCommandRunner(commandJobs),
    createVerifyRunner({ destinations, items, receiverDir }),
    createBucketDownloadRunner({ destinations, items, destProblem: (dest) => dataDirProblem(dataDir, dest) }),
  ] as JobRunner[];
  const runners = new Map<JobKind, JobRunner>();
  for (const r of [...builtIn, ...(options.runners ?? [])]) runners.set(r.kind, r);
  // The indexer needs the scheduler and the scheduler tells the indexer of deletions.
  const index: { of?: LogIndexer } = {};
  const jobs = new JobManager(repo, logs, runners, {
    limits: { concurrency: settings.get().concurrency, ...options.limits },
    ...(options.basePolicy ? { basePolicy: options.basePolicy } : {}),
    ...(options.policies ? { policies: options.policies } : {}),
    ...(options.abandonAfterMs !== undefined ? { abandonAfterMs: options.abandonAfterMs } : {}),
    state: engineState,
    monitorUrl: (id) => {
      const origin = host.apiOrigin?.() ?? null;
      return origin ? monitorUrl(origin, id) : null;
    },
    itemResults: (row) => (row.kind === 'upload' || row.kind === 's3download' ? itemResultsOf(items.results(row.id, ITEM_RESULTS_CAP)) : undefined),
    onDeleted: (id, row) => {
      index.of?.forget(id);
      if (row.kind === 'download') dropSecretHeaders(secrets, (JSON.parse(row.params) as DownloadParams).secretHeadersRef);
    },
  });
  // Indexed offsets must stay in the head of a log, which a cut to the cap never moves.
  const capBytes = options.logs?.capBytes === undefined ? DEFAULT_LOG_CAP_BYTES : options.logs.capBytes;
  const indexing = { ...DEFAULT_INDEXER, ...options.search };
  if (capBytes !== null) indexing.headBytes = Math.min(indexing.headBytes, headBytes({ capBytes }));
  const indexer = new LogIndexer(logs, search, { indexedOffset: (id) => repo.get(id)?.log_indexed, isDone: (id) => jobs.isDone(id) }, indexing);
  index.of = indexer;
  const eventSweep = new EventSweep(repo, logs, () => settings.get().eventsMaxAgeDays * 24 * 60 * 60 * 1000, engineState);
  const retention = new Retention(
    repo,
    (id) => jobs.delete(id),
    () => ({ days: settings.get().retentionDays, keepNewest: options.retention?.keepNewest ?? null }),
    engineState,
    options.retention,
    () => eventSweep.run(),
  );

  /**
   * The settings' per-kind and per-destination limits and per-kind timeouts; what the engine's
   * options fix (`ferry serve` flags, tests) wins over them.
   */
  const applyLimits = (s: Settings): void => {
    const limits = jobs.limits;
    limits.perKind = { ...s.kindConcurrency, ...options.limits?.perKind };
    const perDestination = options.limits?.perDestination ?? (s.destinationConcurrency || undefined);
    if (perDestination === undefined) delete limits.perDestination;
    else limits.perDestination = perDestination;
    const policies: KindPolicies = {};
    for (const kind of JOB_KINDS) {
      const seconds = s.kindTimeoutSeconds[kind];
      const policy = { ...(seconds ? { timeoutMs: seconds * 1000 } : {}), ...options.policies?.[kind] };
      if (Object.keys(policy).length) policies[kind] = policy;
    }
    jobs.setPolicies(policies);
  };
  logs.retainEvents(() => {
    const s = settings.get();
    return { maxPerJob: s.eventsMaxPerJob, maxAgeMs: s.eventsMaxAgeDays * 24 * 60 * 60 * 1000 };
  });
  const bandwidth = new BandwidthGovernor();
  settings.onChange((s, changed) => {
    if (changed.includes('concurrency') && !options.limits?.concurrency) {
      jobs.limits.concurrency = s.concurrency;
      jobs.pump();
    }
    if (changed.some((k) => k === 'kindConcurrency' || k === 'destinationConcurrency' || k === 'kindTimeoutSeconds')) {
      applyLimits(s);
      jobs.pump();
    }
    if (changed.includes('bandwidthLimit') || changed.includes('bandwidthSchedule')) bandwidth.apply(s);
  });
  const webhooks = new WebhookService({
    db,
    secrets,
    state: engineState,
    onDelivery: (r) => {
      const row = repo.get(r.jobId);
      // Progress goes out every few seconds: only its failed attempts are worth an event each.
      if (!row || (r.event === 'job.progress' && r.ok)) return;
      const outcome = r.ok ? `delivered (HTTP ${r.status})` : `attempt ${r.attempt} failed: ${r.error ?? `HTTP ${r.status}`}`;
      jobs.event(r.jobId, 'webhook', row.state, `Webhook ${r.event}: ${outcome}`, { ...r });
    },
  });
  const pipelines = new PipelineService(repo, jobs, () => commandJobs.allowed());
  const uploads = new UploadService({ jobs, destinations, settings, pipelines, items });
  const planner = new UploadPlanner({ destinations, receiverDir, lastSent: (d, name) => sentRecords.lastSent(d, name) });
  const watch = new WatchService({
    db,
    items,
    dataDir,
    createUpload: (input, filter) => uploads.create(input, filter),
    onJobFinished: (listener) => jobs.onFinished(listener),
    resolveDestination: (id) => destinations.resolveId(id),
  });

  const stats = (): EngineStats => {
    const byState = repo.countByState();
    const counts = Object.fromEntries(JOB_STATES.map((s) => [s, byState[s] ?? 0])) as Record<JobState, number>;
    const rates = jobs.activeRates();
    return {
      counts,
      running: jobs.runningCount(),
      bytesPerSecond: Math.round(rates.bytesPerSecond),
      activeProgress: rates.total > 0 ? rates.done / rates.total : null,
      queuePaused: jobs.queuePaused,
      stalled: jobs.stalledCount(),
      partial: repo.countPartial(),
    };
  };

  let stopWebhookBridge: () => void = () => {};
  return {
    services: {
      dataDir,
      version,
      db,
      jobs,
      repo,
      logs,
      feed,
      items,
      search,
      retention,
      destinations,
      settings,
      secrets,
      receiver,
      receiverAddress,
      watch,
      webhooks,
      pipelines,
      uploads,
      planner,
      host,
      commandJobs,
      indexer,
      stats,
    },
    start: () => {
      jobs.start();
      indexer.start(() => repo.idsToIndex(Date.now() - 24 * 60 * 60 * 1000));
      retention.start();
      watch.start();
      pipelines.start();
      stopWebhookBridge = bridgeJobWebhooks(
        jobs,
        (event, job) => webhooks.notify(event, job),
        () => settings.get().progressWebhookSeconds * 1000,
      );
    },
    stop: async () => {
      await receiver.halt();
      bandwidth.stop();
      await watch.stop();
      stopWebhookBridge();
      pipelines.stop();
      webhooks.close();
      retention.stop();
      await jobs.stop();
      indexer.stop();
      logs.close();
      feed.close();
      closeDatabase(db);
      await receiver.close();
    },
  };
}
