import type { JobsTable } from '../db/jobsRepo';
import { createLogger } from '../util/logger';
import type { LogStore } from './logStore';

const log = createLogger('events');
const SWEPT_KEY = 'events.sweptTo';
const PAGE = 500;
/** Files trimmed per run at most; the next run goes on from where this one stopped. */
const PER_RUN = 5000;

/**
 * The age limit of the event retention for jobs that no longer write (written events are trimmed
 * as they come, see JobLogWriter): every job that finished before the cutoff since the last run
 * keeps only its events younger than the limit (at least its last one). Runs with the periodic
 * retention task; remembers how far it got, so each job is looked at about once.
 */
export class EventSweep {
  constructor(
    private readonly repo: Pick<JobsTable, 'finishedIds'>,
    private readonly logs: Pick<LogStore, 'trimEventsOf'>,
    private readonly maxAgeMs: () => number,
    private readonly state: { get<T>(key: string, fallback: T): T; put(key: string, value: unknown): void },
  ) {}

  /** Answers how many jobs had events dropped. */
  run(now = Date.now()): number {
    const maxAge = this.maxAgeMs();
    if (maxAge <= 0) return 0;
    const cutoff = now - maxAge;
    const swept = this.state.get<{ at: number; id: number } | null>(SWEPT_KEY, null);
    let after = swept;
    let trimmed = 0;
    let visited = 0;
    for (;;) {
      const rows = this.repo.finishedIds(0, cutoff, after, PAGE);
      for (const r of rows) {
        if (this.logs.trimEventsOf(r.id, now)) trimmed++;
        after = { at: r.finished_at, id: r.id };
      }
      visited += rows.length;
      if (rows.length < PAGE || visited >= PER_RUN) break;
    }
    if (after) this.state.put(SWEPT_KEY, after);
    if (trimmed > 0) log.info(`dropped events older than ${Math.round(maxAge / 86_400_000)} days from ${trimmed} finished job(s)`);
    return trimmed;
  }
}
