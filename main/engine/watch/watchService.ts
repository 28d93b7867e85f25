/**
 * Watched folders: the rules (stored), one RuleWatcher per enabled rule, the ledger kept in step
 * with the jobs the rules create, and the `watch.changed` feed. Everything it needs from the rest
 * of the engine comes in through WatchServiceDeps.
 */
import { randomUUID } from 'node:crypto';
import type { CommandParsed } from '../../../shared/contract';
import { notFound } from '../../../shared/errors';
import { isFinished, type JobState, type JobView } from '../../../shared/model';
import type { WatchChanged, WatchRule, WatchRuleConfig, WatchRuleStatus } from '../../../shared/watch';
import type { Db } from '../db/database';
import type { ItemsRepo } from '../db/itemsRepo';
import { createLogger } from '../util/logger';
import { ChangeFeed } from './changeFeed';
import { applyJobOutcome } from './jobOutcome';
import { WatchLedgerRepo, type LedgerCounts } from '../db/watchLedgerRepo';
import { datasetName, renderMetadata } from './nameTemplate';
import type { UploadRequest } from './pipeline';
import { WatchRulesRepo } from '../db/watchRulesRepo';
import { datasetFilter, type DatasetFilter } from './ruleFilter';
import { validateRule } from './ruleValidation';
import { RuleWatcher } from './ruleWatcher';

const log = createLogger('watch');

export interface WatchServiceDeps {
  db: Db;
  items: ItemsRepo;
  /** The createUpload command's handler. */
  createUpload: (input: CommandParsed<'createUpload'>, filter?: DatasetFilter) => JobView | Promise<JobView>;
  /** JobManager.onFinished. */
  onJobFinished: (listener: (job: JobView) => void) => () => void;
  /** DestinationService.resolveId: an id that exists, or NOT_FOUND. */
  resolveDestination: (id: string | undefined) => string;
  /** Ferry's data folder, never watched. */
  dataDir: string;
  /** Wait before a folder that vanished is tried again (default 10 s). */
  retryMs?: number;
}

export class WatchService {
  private readonly rules: WatchRulesRepo;
  private readonly ledger: WatchLedgerRepo;
  private readonly watchers = new Map<string, RuleWatcher>();
  private readonly counts = new Map<string, LedgerCounts>();
  private readonly feed: ChangeFeed;
  private stopListening: (() => void) | undefined;
  private started = false;
  /** Rule changes run one after another, so two saves of one rule cannot both start a watcher. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly deps: WatchServiceDeps) {
    this.rules = new WatchRulesRepo(deps.db);
    this.ledger = new WatchLedgerRepo(deps.db);
    this.feed = new ChangeFeed((id) => this.statusOf(id));
  }

  /** Settles jobs that ended while Ferry was away, then starts a watcher per enabled rule. */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.stopListening = this.deps.onJobFinished((job) => this.onJobFinished(job));
    for (const { jobId, state } of this.ledger.jobsWithPendingFiles()) {
      if (state === null || isFinished(state as JobState)) this.settle(jobId);
    }
    for (const rule of this.rules.list()) if (rule.enabled) this.launch(rule);
  }

  async stop(): Promise<void> {
    this.started = false;
    await this.queue;
    this.stopListening?.();
    this.feed.stop();
    const watchers = [...this.watchers.values()];
    this.watchers.clear();
    await Promise.all(watchers.map((w) => w.stop()));
  }

  list(): WatchRule[] {
    return this.rules.list();
  }

  save(input: WatchRuleConfig): Promise<WatchRule> {
    return this.serial(async () => {
      const existing = input.id === undefined ? undefined : this.rules.get(input.id);
      if (input.id !== undefined && !existing) throw notFound(`saveWatchRule: rule ${JSON.stringify(input.id)} does not exist`);
      const valid = await validateRule(input, this.deps);
      const rule = this.rules.save({ ...valid, id: existing?.id ?? randomUUID() });
      // Files under the old folder are no concern of the rule any more.
      if (existing && existing.path !== rule.path) this.ledger.forgetRule(rule.id);
      this.counts.delete(rule.id);
      await this.relaunch(rule);
      this.feed.ruleSaved(rule);
      return rule;
    });
  }

  delete(id: string): Promise<void> {
    return this.serial(async () => {
      if (!this.rules.get(id)) throw notFound(`deleteWatchRule: rule ${JSON.stringify(id)} does not exist`);
      await this.halt(id);
      this.rules.delete(id);
      this.counts.delete(id);
      this.feed.ruleRemoved(id);
    });
  }

  /** Enabling (again) rescans the folder, so files that arrived or failed meanwhile are offered. */
  setEnabled(id: string, enabled: boolean): Promise<WatchRule> {
    return this.serial(async () => {
      if (!this.rules.get(id)) throw notFound(`setWatchRuleEnabled: rule ${JSON.stringify(id)} does not exist`);
      this.rules.setEnabled(id, enabled);
      const rule = this.rules.get(id)!;
      await this.relaunch(rule);
      this.feed.ruleSaved(rule);
      return rule;
    });
  }

  status(id?: string): WatchRuleStatus[] {
    if (id !== undefined) {
      const one = this.statusOf(id);
      if (!one) throw notFound(`watchStatus: rule ${JSON.stringify(id)} does not exist`);
      return [one];
    }
    return this.rules.list().map((r) => this.statusFor(r));
  }

  /** Follows rules and statuses: a snapshot first, then batches. */
  subscribe(listener: (batch: WatchChanged) => void): () => void {
    const rules = this.rules.list();
    return this.feed.subscribe(listener, { rules, statuses: rules.map((r) => this.statusFor(r)), removed: [] });
  }

  /** Whether a watcher runs for the rule now (tests and diagnostics). */
  isWatching(id: string): boolean {
    return this.watchers.get(id)?.active ?? false;
  }

  private serial<T>(op: () => Promise<T>): Promise<T> {
    const run = this.queue.then(op, op);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private statusOf(id: string): WatchRuleStatus | undefined {
    const rule = this.rules.get(id);
    return rule ? this.statusFor(rule) : undefined;
  }

  private statusFor(rule: WatchRule): WatchRuleStatus {
    let counts = this.counts.get(rule.id);
    if (!counts) {
      counts = this.ledger.counts(rule.id);
      this.counts.set(rule.id, counts);
    }
    const watcher = this.watchers.get(rule.id);
    if (watcher) return watcher.status(counts);
    return {
      id: rule.id,
      state: rule.enabled ? 'starting' : 'disabled',
      fsType: null,
      network: false,
      filesSeen: 0,
      waiting: 0,
      ...counts,
      jobsCreated: 0,
      lastJobId: null,
      lastActivity: null,
      lastError: null,
    };
  }

  private launch(rule: WatchRule): void {
    const watcher = new RuleWatcher(rule, {
      ledger: this.ledger,
      dataDir: this.deps.dataDir,
      retryMs: this.deps.retryMs ?? 10_000,
      createJob: (r, request) => this.createJob(r, request),
      changed: (id, ledger) => {
        if (ledger) this.counts.delete(id);
        this.feed.statusChanged(id);
      },
    });
    this.watchers.set(rule.id, watcher);
    void watcher.start();
  }

  private async halt(id: string): Promise<void> {
    const watcher = this.watchers.get(id);
    this.watchers.delete(id);
    await watcher?.stop();
  }

  private async relaunch(rule: WatchRule): Promise<void> {
    await this.halt(rule.id);
    if (rule.enabled && this.started) this.launch(rule);
    this.feed.statusChanged(rule.id);
  }

  private async createJob(rule: WatchRule, request: UploadRequest): Promise<JobView> {
    const names = { folder: request.folder, file: request.file, rule: rule.name };
    return this.deps.createUpload({
      paths: request.paths,
      ...(request.base !== undefined ? { base: request.base } : {}),
      ...(rule.destinationId !== null ? { destinationId: rule.destinationId } : {}),
      name: datasetName(rule.metadata.nameTemplate, names),
      metadata: renderMetadata(rule.metadata, names),
      priority: 'normal',
      // A dataset folder that grows is sent again as the same dataset: only what changed goes,
      // instead of a copy beside the first one.
      ...(rule.mode === 'dataset' ? { incremental: true } : {}),
    }, request.filtered ? datasetFilter(rule, this.deps.dataDir) : undefined);
  }

  private onJobFinished(job: JobView): void {
    if (job.kind !== 'upload') return;
    try {
      this.settle(job.id);
    } catch (err) {
      log.error(`ledger update for job ${job.id} failed`, err);
    }
  }

  private settle(jobId: number): void {
    const touched = applyJobOutcome({ ledger: this.ledger, items: this.deps.items, rule: (id) => this.rules.get(id), dataDir: this.deps.dataDir }, jobId);
    for (const id of touched) {
      this.counts.delete(id);
      this.feed.statusChanged(id);
    }
  }
}
