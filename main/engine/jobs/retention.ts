import { setImmediate as nextTick } from 'node:timers/promises';
import type { PruneResult } from '../../../shared/contract';
import type { EngineStateRepo } from '../db/engineStateRepo';
import type { JobsRepo } from '../db/jobsRepo';
import { createLogger } from '../util/logger';

const log = createLogger('retention');
const DAY_MS = 24 * 60 * 60 * 1000;
/** Deleted per turn of the event loop, so a first run over months of jobs does not stall it. */
const BATCH = 50;
const LAST_RUN_KEY = 'retention.lastRun';

export interface RetentionRule {
  /** Finished jobs older than this many days go; 0 keeps them forever. */
  days: number;
  /** Only this many finished jobs are kept (newest first); null for no limit. */
  keepNewest: number | null;
}

export interface RetentionOptions {
  /** How often the periodic task runs (default hourly; first run a minute after start). */
  intervalMs?: number;
  firstRunMs?: number;
}

/**
 * Deletes finished jobs (with their files) that are older than the rule's days or beyond the
 * newest N, in a periodic task and on request. Deletion goes through the job manager, so a job
 * whose runner is still alive is never touched.
 */
export class Retention {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<PruneResult> | undefined;
  lastRunAt: number | null;
  lastDeleted = 0;

  constructor(
    private readonly repo: JobsRepo,
    private readonly deleteJob: (id: number) => void,
    readonly rule: () => RetentionRule,
    private readonly state: EngineStateRepo,
    private readonly options: RetentionOptions = {},
    /** Runs after each periodic pass (the event retention's age limit for finished jobs). */
    private readonly afterPass: () => void = () => {},
  ) {
    const last = state.get<{ at: number; deleted: number } | null>(LAST_RUN_KEY, null);
    this.lastRunAt = last?.at ?? null;
    this.lastDeleted = last?.deleted ?? 0;
  }

  start(): void {
    const tick = (delay: number) => {
      this.timer = setTimeout(() => {
        void this.prune({})
          .finally(() => {
            try {
              this.afterPass();
            } catch (err) {
              log.warn(`the pass after retention failed: ${(err as Error).message}`);
            }
          })
          .finally(() => tick(this.options.intervalMs ?? 60 * 60 * 1000));
      }, delay);
      this.timer.unref();
    };
    tick(this.options.firstRunMs ?? 60_000);
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
  }

  /** Deletes (or in a dry run, lists) what the rule, or the given overrides, select. */
  async prune(overrides: { olderThanDays?: number; keepNewest?: number; dryRun?: boolean }): Promise<PruneResult> {
    if (this.running && !overrides.dryRun) return this.running;
    const run = this.run(overrides);
    if (!overrides.dryRun) {
      this.running = run;
      void run.finally(() => (this.running = undefined)).catch(() => undefined);
    }
    return run;
  }

  private async run(overrides: { olderThanDays?: number; keepNewest?: number; dryRun?: boolean }): Promise<PruneResult> {
    const base = this.rule();
    const days = overrides.olderThanDays ?? base.days;
    const keepNewest = overrides.keepNewest ?? base.keepNewest;
    const before = days > 0 ? Date.now() - days * DAY_MS : null;
    if (before === null && keepNewest === null) return { dryRun: !!overrides.dryRun, count: 0, ids: [] };
    if (overrides.dryRun) {
      const ids = this.repo.expired(before, keepNewest, 10_000_000);
      return { dryRun: true, count: ids.length, ids: ids.slice(0, 1000) };
    }
    const deleted: number[] = [];
    let count = 0;
    for (;;) {
      const ids = this.repo.expired(before, keepNewest, BATCH);
      let progressed = false;
      for (const id of ids) {
        try {
          this.deleteJob(id);
          count++;
          progressed = true;
          if (deleted.length < 1000) deleted.push(id);
        } catch (err) {
          log.warn(`job ${id} was not deleted: ${(err as Error).message}`);
        }
      }
      if (!progressed || ids.length < BATCH) break;
      await nextTick();
    }
    this.lastRunAt = Date.now();
    this.lastDeleted = count;
    this.state.put(LAST_RUN_KEY, { at: this.lastRunAt, deleted: count });
    if (count > 0) log.info(`deleted ${count} finished job(s) by retention (days ${days}, keep newest ${keepNewest ?? 'all'})`);
    return { dryRun: false, count, ids: deleted };
  }
}
