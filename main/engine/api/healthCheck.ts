import { statfs } from 'node:fs/promises';
import type { Health } from '../../../shared/contract';
import { checkIntegrity } from '../db/database';
import { JOB_KINDS } from '../../../shared/model';
import { DestinationReachability } from '../destinations/reachability';
import type { EngineServices } from './engineServices';

/** A quick check of a large database takes a while: its answer is reused for this long. */
const CHECK_TTL_MS = 60_000;
const LOW_SPACE_BYTES = 1024 * 1024 * 1024;

/** What the health command reads. */
export type HealthServices = Pick<
  EngineServices,
  'dataDir' | 'version' | 'db' | 'jobs' | 'repo' | 'logs' | 'retention' | 'destinations' | 'receiver' | 'stats'
>;

/** The health command: data-directory space, a database check and the scheduler's state. */
export class HealthCheck {
  private last: { result: string; at: number } | undefined;

  private readonly reachability: DestinationReachability;

  constructor(private readonly services: HealthServices) {
    this.reachability = new DestinationReachability(services.destinations);
  }

  private checkDatabase(deep: boolean): { result: string; at: number } {
    if (!deep && this.last && Date.now() - this.last.at < CHECK_TTL_MS) return this.last;
    const messages = checkIntegrity(this.services.db, deep);
    this.last = { result: messages.length === 1 && messages[0] === 'ok' ? 'ok' : messages.slice(0, 10).join('; '), at: Date.now() };
    return this.last;
  }

  async run(deep: boolean): Promise<Health> {
    const { services } = this;
    let freeBytes: number | null = null;
    try {
      const fs = await statfs(services.dataDir);
      freeBytes = fs.bavail * fs.bsize;
    } catch {
      freeBytes = null;
    }
    let database: string;
    let checkedAt: number;
    try {
      const check = this.checkDatabase(deep);
      database = check.result;
      checkedAt = check.at;
    } catch (err) {
      database = `check failed: ${(err as Error).message}`;
      checkedAt = Date.now();
    }
    const s = services.stats();
    const limits = services.jobs.limits;
    const warnings: string[] = [];
    if (freeBytes !== null && freeBytes < LOW_SPACE_BYTES) warnings.push(`Less than 1 GiB free in ${services.dataDir}`);
    if (database !== 'ok') warnings.push(`The database check reported: ${database}`);
    if (services.jobs.queuePaused) warnings.push('The queue is held: no new job starts until it is released');
    if (s.stalled) warnings.push(`${s.stalled} running job(s) made no progress for a while`);
    const rule = services.retention.rule();
    const receiver = services.receiver.current();
    // Without a receiver of the host's there is nothing to fail.
    const receiverState = receiver ? 'running' : services.receiver.hosted ? 'failed' : 'none';
    if (receiverState === 'failed') warnings.push(services.receiver.error() ?? 'The built-in receiver is not running');
    const destinations = this.reachability.snapshot();
    for (const d of destinations) if (d.reachable === false) warnings.push(`${d.name} did not answer its last check: ${d.message}`);
    const timeouts = Object.fromEntries(JOB_KINDS.map((kind) => [kind, services.jobs.policy(kind).timeoutMs]));
    return {
      ok: database === 'ok' && (freeBytes === null || freeBytes > 0) && receiverState !== 'failed',
      dataDir: services.dataDir,
      freeBytes,
      database,
      databaseCheckedAt: checkedAt,
      scheduler: {
        running: s.running,
        queued: s.counts.queued,
        concurrency: limits.concurrency,
        paused: services.jobs.queuePaused,
        perKind: { ...limits.perKind } as Record<string, number>,
        perDestination: limits.perDestination ?? null,
        stalled: s.stalled ?? 0,
        nextRetryAt: services.repo.nextNotBefore(),
        timeouts,
      },
      receiver: { state: receiverState, url: receiver?.url ?? null, error: services.receiver.error() },
      destinations,
      version: services.version,
      logs: services.logs.stats(),
      retention: { days: rule.days, keepNewest: rule.keepNewest, lastRunAt: services.retention.lastRunAt, lastDeleted: services.retention.lastDeleted },
      warnings,
    };
  }
}
