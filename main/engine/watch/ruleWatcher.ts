/**
 * One enabled rule at work: chooses native events or polling for its folder, passes what the
 * watcher reports through the ledger to the rule's pipeline, restarts after the folder vanished,
 * and keeps the figures its status shows.
 */
import { stat } from 'node:fs/promises';
import type { JobView } from '../../../shared/model';
import type { WatchRule, WatchRuleStatus, WatchState } from '../../../shared/watch';
import { createLogger } from '../util/logger';
import { ChokidarTree } from './chokidarTree';
import { DatasetPipeline } from './datasetPipeline';
import type { FileSig } from './fileIndex';
import { FilesPipeline } from './filesPipeline';
import type { PathFilter } from './glob';
import type { LedgerCounts, WatchLedgerTable } from '../db/watchLedgerRepo';
import { detectFsKind, type FsKind } from './networkFs';
import type { Pipeline, PipelineHost, UploadRequest } from './pipeline';
import { PollingTree } from './pollingTree';
import { filterFor } from './ruleFilter';
import type { TreeEvents, TreeWatcher } from './treeWatcher';

const log = createLogger('watch');

export interface RuleWatcherDeps {
  ledger: WatchLedgerTable;
  /** Ferry's data folder: never watched, even inside a watched folder. */
  dataDir: string;
  /** Creates the upload job for a request (destination, name and metadata from the rule). */
  createJob: (rule: WatchRule, request: UploadRequest) => Promise<JobView>;
  /** The rule's status moved; `ledger` when its ledger counts did too. */
  changed: (ruleId: string, ledger: boolean) => void;
  /** Wait before trying again a folder that vanished or could not be read. */
  retryMs: number;
}

const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));

export class RuleWatcher {
  readonly filter: PathFilter;
  private readonly pipeline: Pipeline;
  private tree: TreeWatcher | undefined;
  private state: WatchState = 'starting';
  private fs: FsKind = { fsType: null, network: false };
  private lastError: string | null = null;
  private lastActivity: number | null = null;
  private jobsCreated = 0;
  private lastJobId: number | null = null;
  /** Set once native watching hit a system limit: this rule polls from then on. */
  private forcePolling = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private generation = 0;
  private stopped = false;

  constructor(
    readonly rule: WatchRule,
    private readonly deps: RuleWatcherDeps,
  ) {
    this.filter = filterFor(rule, deps.dataDir);
    const host: PipelineHost = {
      rule,
      filter: this.filter,
      ledger: deps.ledger,
      submit: (request) => this.submit(request),
      changed: () => this.changed(),
      report: (err) => this.report(err),
    };
    this.pipeline = rule.mode === 'dataset' ? new DatasetPipeline(host) : new FilesPipeline(host);
  }

  /** Starts (or restarts) watching. Never throws: problems show in the status and are retried. */
  async start(): Promise<void> {
    const gen = ++this.generation;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    await this.closeTree();
    const root = this.rule.path;
    try {
      const st = await stat(root);
      if (!st.isDirectory()) throw new Error('it is not a folder');
    } catch (err) {
      if (gen === this.generation && !this.stopped) this.fail(`watch(${this.rule.name}): cannot watch ${root}: ${message(err)}`);
      return;
    }
    const fs = await detectFsKind(root);
    if (gen !== this.generation || this.stopped) return;
    this.fs = fs;
    const polling = this.forcePolling || this.rule.polling === 'always' || (this.rule.polling === 'auto' && fs.network);
    const current = () => gen === this.generation && !this.stopped;
    const events: TreeEvents = {
      file: (path, sig) => current() && this.onFile(path, sig),
      gone: (path) => current() && this.pipeline.gone(path),
      ready: () => current() && this.setState(tree.mode),
      error: (err, fatal) => current() && this.onTreeError(tree, err, fatal),
      recovered: () => current() && this.setState(tree.mode),
    };
    const options = { root, filter: this.filter, events };
    const tree: TreeWatcher = polling ? new PollingTree(options, this.rule.pollIntervalMs) : new ChokidarTree(options);
    this.tree = tree;
    this.setState('starting');
    log.info(`watching ${root} for rule ${this.rule.name} (${polling ? `polling every ${this.rule.pollIntervalMs} ms` : 'native events'}, ${fs.fsType ?? 'unknown file system'})`);
    tree.start();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.generation++;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.pipeline.stop();
    await this.closeTree();
  }

  /** Whether a watcher is running on the folder now. */
  get active(): boolean {
    return this.tree !== undefined;
  }

  status(counts: LedgerCounts): WatchRuleStatus {
    return {
      id: this.rule.id,
      state: this.state,
      fsType: this.fs.fsType,
      network: this.fs.network,
      filesSeen: this.tree?.files.size ?? 0,
      waiting: this.pipeline.waiting,
      pending: counts.pending,
      uploaded: counts.uploaded,
      failed: counts.failed,
      jobsCreated: this.jobsCreated,
      lastJobId: this.lastJobId,
      lastActivity: this.lastActivity,
      lastError: this.lastError,
    };
  }

  private onFile(path: string, sig: FileSig): void {
    this.lastActivity = Date.now();
    if (!this.deps.ledger.isCurrent(this.rule.id, path, sig)) this.pipeline.offer(path, sig);
    this.changed();
  }

  private onTreeError(tree: TreeWatcher, err: Error, fatal: boolean): void {
    const code = (err as NodeJS.ErrnoException).code;
    if (fatal && tree.mode === 'watching' && code) {
      // Out of inotify watches or descriptors: polling needs neither.
      this.forcePolling = true;
      this.report(`native watching hit a system limit (${code}); polling every ${Math.round(this.rule.pollIntervalMs / 1000)} s instead`);
      void this.start();
    } else if (fatal) {
      this.fail(`watch(${this.rule.name}): ${err.message}`);
    } else if (tree.mode === 'polling') {
      // Only the watched folder itself failing reaches here: the share is away.
      this.lastError = `watch(${this.rule.name}): ${err.message}`;
      this.setState('error');
    } else {
      this.report(err);
    }
  }

  private async submit(request: UploadRequest): Promise<void> {
    const job = await this.deps.createJob(this.rule, request);
    this.deps.ledger.markPending(this.rule.id, request.files, job.id);
    this.jobsCreated++;
    this.lastJobId = job.id;
    this.lastActivity = Date.now();
    log.info(`rule ${this.rule.name}: job ${job.id} for ${request.files.length} file(s) in ${request.folder}`);
    this.deps.changed(this.rule.id, true);
  }

  private report(err: unknown): void {
    this.lastError = message(err);
    log.warn(`rule ${this.rule.name}: ${this.lastError}`);
    this.changed();
  }

  /** The folder cannot be watched now: say so, and try again later (a share remounted, a drive back). */
  private fail(why: string): void {
    // Said once per problem, not at every retry.
    if (why !== this.lastError || this.state !== 'error') log.warn(why);
    this.lastError = why;
    this.setState('error');
    void this.closeTree();
    if (this.stopped) return;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.start();
    }, this.deps.retryMs);
  }

  private setState(state: WatchState): void {
    this.state = state;
    this.changed();
  }

  private changed(): void {
    this.deps.changed(this.rule.id, false);
  }

  private async closeTree(): Promise<void> {
    const tree = this.tree;
    this.tree = undefined;
    await tree?.close();
  }
}
