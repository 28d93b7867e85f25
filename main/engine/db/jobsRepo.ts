import type { JobKind, JobResult, JobState, Priority } from '../../../shared/model';
import type { Db } from './database';

export const PRIORITY_RANK: Record<Priority, number> = { high: 0, normal: 1, low: 2 };
export const RANK_PRIORITY: readonly Priority[] = ['high', 'normal', 'low'];

/** A jobs row as stored. */
export interface JobRow {
  id: number;
  kind: JobKind;
  name: string;
  state: JobState;
  priority: number;
  params: string;
  metadata: string;
  destination_id: string | null;
  stage: string | null;
  done: number;
  total: number;
  unit: 'items' | 'bytes';
  processed: number;
  failed: number;
  result: JobResult | null;
  error: string | null;
  attempts: number;
  max_attempts: number;
  not_before: number | null;
  stop_after_current: number;
  resume_state: string | null;
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
  updated_at: number;
}

export interface NewJob {
  kind: JobKind;
  name: string;
  priority: Priority;
  params: unknown;
  metadata?: unknown;
  destinationId?: string | null;
  total?: number;
  unit?: 'items' | 'bytes';
  maxAttempts?: number;
}

export interface JobFilter {
  state?: JobState[];
  kind?: JobKind[];
  text?: string;
  limit: number;
  offset: number;
}

type Patch = Partial<Omit<JobRow, 'id' | 'kind' | 'created_at'>>;

/** The jobs table behind typed methods; every statement is prepared once. */
export class JobsRepo {
  private readonly insertStmt;
  private readonly getStmt;
  private readonly nextStmt;
  private readonly countsStmt;

  constructor(private readonly db: Db) {
    this.insertStmt = db.prepare(
      `INSERT INTO jobs (kind, name, state, priority, params, metadata, destination_id, total, unit, max_attempts, created_at, updated_at)
       VALUES (@kind, @name, 'queued', @priority, @params, @metadata, @destination_id, @total, @unit, @max_attempts, @now, @now)`,
    );
    this.getStmt = db.prepare('SELECT * FROM jobs WHERE id = ?');
    this.nextStmt = db.prepare(
      `SELECT * FROM jobs WHERE state = 'queued' AND (not_before IS NULL OR not_before <= ?)
       ORDER BY priority, id LIMIT ?`,
    );
    this.countsStmt = db.prepare('SELECT state, COUNT(*) AS n FROM jobs GROUP BY state');
  }

  insert(job: NewJob, now = Date.now()): JobRow {
    const info = this.insertStmt.run({
      kind: job.kind,
      name: job.name,
      priority: PRIORITY_RANK[job.priority],
      params: JSON.stringify(job.params ?? {}),
      metadata: JSON.stringify(job.metadata ?? {}),
      destination_id: job.destinationId ?? null,
      total: job.total ?? 0,
      unit: job.unit ?? 'items',
      max_attempts: job.maxAttempts ?? 3,
      now,
    });
    return this.get(Number(info.lastInsertRowid))!;
  }

  get(id: number): JobRow | undefined {
    return this.getStmt.get(id) as JobRow | undefined;
  }

  update(id: number, patch: Patch, now = Date.now()): void {
    const keys = Object.keys(patch) as (keyof Patch)[];
    const sets = keys.map((k) => `${k} = @${k}`).concat('updated_at = @updated_at');
    this.db.prepare(`UPDATE jobs SET ${sets.join(', ')} WHERE id = @id`).run({ ...patch, updated_at: now, id });
  }

  /** Queued jobs ready to start, best first (priority, then FIFO). */
  nextQueued(now: number, limit: number): JobRow[] {
    return this.nextStmt.all(now, limit) as JobRow[];
  }

  byState(state: JobState): JobRow[] {
    return this.db.prepare('SELECT * FROM jobs WHERE state = ? ORDER BY id').all(state) as JobRow[];
  }

  countByState(): Partial<Record<JobState, number>> {
    const out: Partial<Record<JobState, number>> = {};
    for (const r of this.countsStmt.all() as { state: JobState; n: number }[]) out[r.state] = r.n;
    return out;
  }

  list(filter: JobFilter): { rows: JobRow[]; total: number } {
    const where: string[] = [];
    const args: Record<string, unknown> = {};
    if (filter.state?.length) {
      where.push(`state IN (${filter.state.map((_, i) => `@s${i}`).join(',')})`);
      filter.state.forEach((s, i) => (args[`s${i}`] = s));
    }
    if (filter.kind?.length) {
      where.push(`kind IN (${filter.kind.map((_, i) => `@k${i}`).join(',')})`);
      filter.kind.forEach((k, i) => (args[`k${i}`] = k));
    }
    if (filter.text?.trim()) {
      where.push(`(name LIKE @text ESCAPE '\\' OR CAST(id AS TEXT) = @exact)`);
      args.text = `%${filter.text.trim().replace(/[\\%_]/g, (c) => '\\' + c)}%`;
      args.exact = filter.text.trim().replace(/^#/, '');
    }
    const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const total = (this.db.prepare(`SELECT COUNT(*) AS n FROM jobs ${clause}`).get(args) as { n: number }).n;
    const rows = this.db
      .prepare(`SELECT * FROM jobs ${clause} ORDER BY id DESC LIMIT @limit OFFSET @offset`)
      .all({ ...args, limit: filter.limit, offset: filter.offset }) as JobRow[];
    return { rows, total };
  }

  delete(id: number): void {
    this.db.prepare('DELETE FROM jobs WHERE id = ?').run(id);
  }
}
