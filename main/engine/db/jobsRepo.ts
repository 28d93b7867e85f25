import type { Statement } from 'better-sqlite3';
import { isFinished, JOB_STATES, type JobKind, type JobResult, type JobState, type Priority } from '../../../shared/model';
import type { Db } from './database';
import { jobQuery, PRIORITY_RANK, tallyQuery, type JobFilter } from './jobQuery';

export { PRIORITY_RANK };
export type { JobFilter };
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
  queue_order: number;
  run_ms: number;
  last_progress_at: number | null;
  sealed: number;
  log_indexed: number;
  /** The stages of its runs with their times, as JSON (jobs/stageTimes.ts). */
  stages: string | null;
  /** The source and the pipeline steps still to come after this job, as JSON (pipelines/pipelineService.ts). */
  pipeline: string | null;
  /** The job whose pipeline created this one. */
  parent_id: number | null;
  /** The approval gate this job waits behind, as JSON. */
  gate: string | null;
  /** When an unanswered gate decides by its timeout rule. */
  gate_deadline: number | null;
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
  /** A pipeline step behind an approval gate starts in `awaiting_approval`. */
  state?: 'queued' | 'awaiting_approval';
}

/** The columns only pipelines read and write, through their own methods. */
type PipelineColumn = 'pipeline' | 'parent_id' | 'gate' | 'gate_deadline';

export type JobPatch = Partial<Omit<JobRow, 'id' | 'kind' | 'created_at' | PipelineColumn>>;

/**
 * What a list needs of a row: everything but the large JSON columns (params, resume state) and the
 * pipeline's own, of which only the link to the step before and whether there is a pipeline at all.
 */
export type JobSummaryRow = Omit<JobRow, 'params' | 'resume_state' | 'stages' | PipelineColumn> & {
  parent_id: number | null;
  /** 1 when the job is a step of a pipeline (it carries the steps still to come), else 0. */
  in_pipeline: number;
};
const SUMMARY_COLUMNS = `id, kind, name, state, priority, metadata, destination_id, stage, done, total, unit, processed, failed, result, error,
  attempts, max_attempts, not_before, stop_after_current, created_at, started_at, finished_at, updated_at, queue_order, run_ms,
  last_progress_at, sealed, log_indexed, parent_id, (pipeline IS NOT NULL) AS in_pipeline`;

/** A full row as a summary (one read by id has every column); `in_pipeline` by the rule SUMMARY_COLUMNS spells in SQL. */
export function summaryOf(row: JobRow): JobSummaryRow {
  return { ...row, in_pipeline: row.pipeline !== null ? 1 : 0 };
}

/** Kinds and destinations whose limit is reached: the scheduler's query skips their jobs. */
export interface QueueExclusions {
  kinds: readonly string[];
  destinations: readonly string[];
}

/** What a pipeline records on the job its step created. */
export interface PipelineLink {
  /** The source and the steps still to come after the new job, as JSON. */
  pipeline: string;
  parentId: number;
  /** The approval gate as JSON, null when the step runs at once. */
  gate: string | null;
  gateDeadline: number | null;
}

/** One finished job as the stats need it. */
export interface FinishedRow {
  kind: JobKind;
  state: JobState;
  /** How it ended (`partial`: completed with failed items). */
  result: JobResult | null;
  /** Running time; falls back to wall time for jobs from before it was measured. */
  durationMs: number;
  finishedAt: number;
  bytes: number;
}

/**
 * Every operation on the jobs table (with the per-state counts and the name index that its
 * triggers keep): the only place their SQL is written.
 */
export interface JobsTable {
  /** The next place at the back of the queue. */
  nextQueueOrder(): number;
  insert(job: NewJob, now?: number): JobRow;
  get(id: number): JobRow | undefined;
  update(id: number, patch: JobPatch, now?: number): void;
  /** Runs `fn` in one transaction (one fsync-free WAL commit for many statements). */
  transaction<T>(fn: () => T): T;
  /** Queued jobs ready to start, best first (priority, then queue order), skipping saturated limits. */
  nextQueued(now: number, limit: number, exclude?: QueueExclusions): JobRow[];
  /** The earliest moment a queued job waiting out a backoff may start, or null. */
  nextNotBefore(): number | null;
  byState(state: JobState): JobRow[];
  /** Ids only, for bulk actions over many jobs. */
  idsByState(states: readonly JobState[]): number[];
  countByState(): Partial<Record<JobState, number>>;
  /** Completed jobs with failed items (by the partial index jobs_partial). */
  countPartial(): number;
  /** Jobs not yet finished that still point at a destination. */
  unfinishedFor(destinationId: string): number;
  /** Jobs whose logs may still need indexing: unfinished ones and those finished since `since`. */
  idsToIndex(since: number): number[];
  /** Records how far a job's log is in the full-text index of logs. */
  setLogIndexed(id: number, offset: number): void;
  /** Jobs whose name or metadata match an FTS5 query of the trigram index, newest first. */
  matchNames(query: string, limit: number): Pick<JobRow, 'id' | 'name' | 'state'>[];
  /** Jobs in a final state whose log footer may not be on disk yet (see `sealed`). */
  unsealed(): JobRow[];
  /** A page of a filtered, sorted list with the number of jobs that match. */
  list(filter: JobFilter & { limit: number; offset: number }): { rows: JobSummaryRow[]; total: number };
  /** One page of a filtered list by offset, for streaming an export in bounded memory. */
  page(filter: JobFilter, limit: number, offset: number): JobSummaryRow[];
  /** Number of jobs. */
  count(): number;
  /** Finished jobs to delete by retention, oldest first. */
  expired(finishedBefore: number | null, keepNewest: number | null, limit: number): number[];
  /** Visits every job that finished in [from, to) without holding them all in memory. */
  eachFinished(from: number, to: number, visit: (row: FinishedRow) => void): void;
  /** Jobs that finished in [from, to), oldest first, after the (finished_at, id) pair `after` (paging). */
  finishedIds(from: number, to: number, after: { at: number; id: number } | null, limit: number): { id: number; finished_at: number }[];
  delete(id: number): void;
  /** Stores the pipeline steps to run after a job. */
  setPipeline(id: number, pipeline: string): void;
  /** Links the job a pipeline step created to the job before it, with what is left of the pipeline. */
  linkStep(id: number, link: PipelineLink): void;
  pipelineOf(id: number): Pick<JobRow, 'pipeline' | 'priority'> | undefined;
  /** The job a pipeline step created after this one, if any. */
  nextStepOf(id: number): number | undefined;
  gateOf(id: number): Pick<JobRow, 'state' | 'gate'> | undefined;
  /** Jobs waiting for an approval that times out, with their deadlines. */
  gateDeadlines(): { id: number; gate_deadline: number }[];
}

const FINISHED_SQL = `state IN ('completed', 'failed', 'canceled')`;
/** The states not yet final, spelled out so that the state indexes answer (a `NOT IN` reads every row). */
const UNFINISHED_SQL = `state IN (${JOB_STATES.filter((s) => !isFinished(s))
  .map((s) => `'${s}'`)
  .join(', ')})`;
/**
 * A filter that matches at least this share of all jobs is cheaper to apply while walking the sort
 * index; so is one whose walk to the end of the page (about (offset + limit) × all ÷ matches
 * entries, when matches are spread over the sort order) reads fewer entries than it matches.
 */
const SCAN_SORT_INDEX_FRACTION = 0.05;
/** Matches of each word read to tell rare words of a text search from common ones (rarestFirst). */
const PROBE = 200;
const walkSortIndex = (total: number, all: number, offset: number, limit: number): boolean =>
  total >= SCAN_SORT_INDEX_FRACTION * all || total * total >= (offset + limit) * all;

/** The jobs table behind typed methods; statements are prepared once (dynamic ones by shape). */
export class JobsRepo implements JobsTable {
  private readonly insertStmt;
  private readonly getStmt;
  private readonly countsStmt;
  private readonly statements = new Map<string, Statement<unknown[]>>();
  private queueOrder: number;

  constructor(private readonly db: Db) {
    this.insertStmt = db.prepare(
      `INSERT INTO jobs (kind, name, state, priority, params, metadata, destination_id, total, unit, max_attempts, queue_order, created_at, updated_at)
       VALUES (@kind, @name, @state, @priority, @params, @metadata, @destination_id, @total, @unit, @max_attempts, @queue_order, @now, @now)`,
    );
    this.getStmt = db.prepare('SELECT * FROM jobs WHERE id = ?');
    this.countsStmt = db.prepare('SELECT state, n FROM job_counts WHERE n > 0');
    this.queueOrder = (db.prepare('SELECT COALESCE(MAX(queue_order), 0) AS n FROM jobs').get() as { n: number }).n;
  }

  /** A statement prepared once per distinct SQL text. */
  private stmt(sql: string): Statement<unknown[]> {
    let s = this.statements.get(sql);
    if (!s) {
      s = this.db.prepare<unknown[]>(sql);
      this.statements.set(sql, s);
    }
    return s;
  }

  /** The next place at the back of the queue. */
  nextQueueOrder(): number {
    return ++this.queueOrder;
  }

  insert(job: NewJob, now = Date.now()): JobRow {
    const info = this.insertStmt.run({
      kind: job.kind,
      name: job.name,
      state: job.state ?? 'queued',
      priority: PRIORITY_RANK[job.priority],
      params: JSON.stringify(job.params ?? {}),
      metadata: JSON.stringify(job.metadata ?? {}),
      destination_id: job.destinationId ?? null,
      total: job.total ?? 0,
      unit: job.unit ?? 'items',
      max_attempts: job.maxAttempts ?? 3,
      queue_order: this.nextQueueOrder(),
      now,
    });
    return this.get(Number(info.lastInsertRowid))!;
  }

  get(id: number): JobRow | undefined {
    return this.getStmt.get(id) as JobRow | undefined;
  }

  update(id: number, patch: JobPatch, now = Date.now()): void {
    const keys = Object.keys(patch).sort() as (keyof JobPatch)[];
    const sets = keys.map((k) => `${k} = @${k}`).concat('updated_at = @updated_at');
    this.stmt(`UPDATE jobs SET ${sets.join(', ')} WHERE id = @id`).run({ ...patch, updated_at: now, id });
  }

  /** Runs `fn` in one transaction (one fsync-free WAL commit for many statements). */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  /** Queued jobs ready to start, best first (priority, then queue order), skipping saturated limits. */
  nextQueued(now: number, limit: number, exclude: QueueExclusions = { kinds: [], destinations: [] }): JobRow[] {
    const args: unknown[] = [now];
    let extra = '';
    if (exclude.kinds.length) {
      extra += ` AND kind NOT IN (${exclude.kinds.map(() => '?').join(',')})`;
      args.push(...exclude.kinds);
    }
    if (exclude.destinations.length) {
      extra += ` AND (destination_id IS NULL OR destination_id NOT IN (${exclude.destinations.map(() => '?').join(',')}))`;
      args.push(...exclude.destinations);
    }
    args.push(limit);
    return this.stmt(
      `SELECT * FROM jobs WHERE state = 'queued' AND (not_before IS NULL OR not_before <= ?)${extra}
       ORDER BY priority, queue_order LIMIT ?`,
    ).all(...args) as JobRow[];
  }

  /** The earliest moment a queued job waiting out a backoff may start, or null. */
  nextNotBefore(): number | null {
    return (this.stmt(`SELECT MIN(not_before) AS t FROM jobs WHERE state = 'queued' AND not_before IS NOT NULL`).get() as { t: number | null }).t;
  }

  byState(state: JobState): JobRow[] {
    return this.stmt('SELECT * FROM jobs WHERE state = ? ORDER BY id').all(state) as JobRow[];
  }

  /** Ids only, for bulk actions over many jobs. */
  idsByState(states: readonly JobState[]): number[] {
    if (states.length === 0) return [];
    return (this.stmt(`SELECT id FROM jobs WHERE state IN (${states.map(() => '?').join(',')}) ORDER BY id`).all(...states) as { id: number }[]).map(
      (r) => r.id,
    );
  }

  countByState(): Partial<Record<JobState, number>> {
    const out: Partial<Record<JobState, number>> = {};
    for (const r of this.countsStmt.all() as { state: JobState; n: number }[]) out[r.state] = r.n;
    return out;
  }

  countPartial(): number {
    return (this.stmt(`SELECT COUNT(*) AS n FROM jobs WHERE state = 'completed' AND result = 'partial'`).get() as { n: number }).n;
  }

  unfinishedFor(destinationId: string): number {
    return (this.stmt(`SELECT COUNT(*) AS n FROM jobs WHERE destination_id = ? AND state NOT IN ('completed', 'failed', 'canceled')`).get(destinationId) as { n: number }).n;
  }

  /** Jobs whose logs may still need indexing: unfinished ones and those finished since `since`. */
  idsToIndex(since: number): number[] {
    // Two index searches merged here: as one UNION, SQLite walked the whole table to merge in id order.
    const ids = new Set((this.stmt(`SELECT id FROM jobs WHERE ${UNFINISHED_SQL}`).all() as { id: number }[]).map((r) => r.id));
    for (const r of this.stmt('SELECT id FROM jobs WHERE finished_at >= ?').all(since) as { id: number }[]) ids.add(r.id);
    return [...ids].sort((a, b) => a - b);
  }

  setLogIndexed(id: number, offset: number): void {
    this.stmt('UPDATE jobs SET log_indexed = ? WHERE id = ?').run(offset, id);
  }

  matchNames(query: string, limit: number): Pick<JobRow, 'id' | 'name' | 'state'>[] {
    return this.stmt(
      `SELECT j.id, j.name, j.state FROM jobs_fts JOIN jobs j ON j.id = jobs_fts.rowid
       WHERE jobs_fts MATCH ? ORDER BY j.id DESC LIMIT ?`,
    ).all(query, limit) as Pick<JobRow, 'id' | 'name' | 'state'>[];
  }

  /** Jobs in a final state whose log footer may not be on disk yet (see `sealed`). */
  unsealed(): JobRow[] {
    // `+state`: by the small partial index of unsealed rows, not the state index (every finished job).
    return this.stmt(`SELECT * FROM jobs WHERE sealed = 0 AND +${FINISHED_SQL} ORDER BY id`).all() as JobRow[];
  }

  /** A page of a filtered, sorted list with the number of jobs that match. */
  list(filter: JobFilter & { limit: number; offset: number }): { rows: JobSummaryRow[]; total: number } {
    const q = this.query(filter);
    const total = this.total(filter, q);
    return { rows: this.pageOf(filter, q, total, filter.limit, filter.offset), total };
  }

  /** The SQL of a filter, the words of its text search put rarest first for the trigram index. */
  private query(filter: JobFilter, scanSortIndex = false): ReturnType<typeof jobQuery> {
    return jobQuery(filter, scanSortIndex, (terms) => this.rarestFirst(terms, filter.textScope ?? 'all'));
  }

  /**
   * The words of a text search, rarest first: FTS5 walks an AND of words in the order given, and
   * a word in every name first (`dataset`) reads a million entries where a rare one reads a few.
   * How rare is estimated from where the index finds a word's PROBE-th match (matches come in
   * job order): PROBE ÷ that job's id is about the share of jobs holding the word, and a word with
   * fewer matches is rarer still. Each probe reads at most PROBE matches.
   */
  private rarestFirst(terms: string[], scope: 'all' | 'names'): string[] {
    if (terms.length < 2) return terms;
    const share = new Map<string, number>();
    for (const t of terms) {
      const hit = this.stmt(`SELECT rowid AS id FROM jobs_fts WHERE jobs_fts MATCH ? LIMIT 1 OFFSET ${PROBE - 1}`).get(scope === 'names' ? `name : "${t}"` : `"${t}"`) as
        | { id: number }
        | undefined;
      share.set(t, hit ? PROBE / hit.id : 0);
    }
    return [...terms].sort((a, b) => share.get(a)! - share.get(b)!);
  }

  /**
   * The number of jobs a filter matches: from the kept per-state counts, else from the kept tally
   * when the filter uses only its columns, else counted (by an index where one serves).
   */
  private total(filter: JobFilter, q: ReturnType<typeof jobQuery>): number {
    if (q.statesOnly) return this.countStates(filter.state as JobState[] | undefined);
    const tally = tallyQuery(filter);
    if (tally) return (this.stmt(`SELECT COALESCE(SUM(n), 0) AS n FROM job_tally ${tally.where}`).get(tally.args) as { n: number }).n;
    return (this.stmt(`SELECT COUNT(*) AS n FROM jobs ${q.where}`).get(q.args) as { n: number }).n;
  }

  /** One page of a filtered list by offset, for streaming an export in bounded memory. */
  page(filter: JobFilter, limit: number, offset: number): JobSummaryRow[] {
    return this.pageOf(filter, this.query(filter), null, limit, offset);
  }

  /**
   * Ids first, rows second: the sort works on (key, id) pairs, not whole rows, and only one page
   * of rows is read. When many jobs match and the sort has an index, the filter's own indexes are
   * set aside so that SQLite walks the sort index and stops after the page (see jobQuery).
   */
  private pageOf(filter: JobFilter, q: ReturnType<typeof jobQuery>, total: number | null, limit: number, offset: number): JobSummaryRow[] {
    let idQuery = q;
    if (q.sortIndexed && q.where && total !== null && walkSortIndex(total, this.count(), offset, limit)) idQuery = this.query(filter, true);
    const ids = (this.stmt(`SELECT id FROM jobs ${idQuery.where} ${idQuery.orderBy} LIMIT @limit OFFSET @offset`).all({ ...idQuery.args, limit, offset }) as { id: number }[]).map(
      (r) => r.id,
    );
    if (ids.length === 0) return [];
    const rows = this.stmt(`SELECT ${SUMMARY_COLUMNS} FROM jobs WHERE id IN (${ids.map(() => '?').join(',')})`).all(...ids) as JobSummaryRow[];
    const byId = new Map(rows.map((r) => [r.id, r]));
    return ids.map((id) => byId.get(id)).filter((r): r is JobSummaryRow => r !== undefined);
  }

  /** Number of jobs. */
  count(): number {
    return this.countStates();
  }

  /** Jobs in the given states (all states when none are given), from the kept counts. */
  private countStates(states?: readonly JobState[]): number {
    const counts = this.countByState();
    return [...new Set(states?.length ? states : (Object.keys(counts) as JobState[]))].reduce((n, s) => n + (counts[s] ?? 0), 0);
  }

  /**
   * Finished jobs to delete by retention: finished before `finishedBefore`, or beyond the newest
   * `keepNewest` finished jobs. Oldest first, at most `limit`.
   */
  finishedIds(from: number, to: number, after: { at: number; id: number } | null, limit: number): { id: number; finished_at: number }[] {
    const a = after ?? { at: from, id: 0 };
    return this.stmt(
      `SELECT id, finished_at FROM jobs WHERE finished_at >= @from AND finished_at < @to AND (finished_at > @at OR (finished_at = @at AND id > @id))
       ORDER BY finished_at, id LIMIT @limit`,
    ).all({ from, to, at: a.at, id: a.id, limit }) as { id: number; finished_at: number }[];
  }

  expired(finishedBefore: number | null, keepNewest: number | null, limit: number): number[] {
    const ids = new Set<number>();
    if (finishedBefore !== null) {
      const rows = this.stmt(`SELECT id FROM jobs WHERE finished_at < ? AND ${FINISHED_SQL} ORDER BY finished_at LIMIT ?`).all(finishedBefore, limit) as {
        id: number;
      }[];
      for (const r of rows) ids.add(r.id);
    }
    if (keepNewest !== null && ids.size < limit) {
      const rows = this.stmt(`SELECT id FROM jobs WHERE ${FINISHED_SQL} ORDER BY finished_at DESC, id DESC LIMIT ? OFFSET ?`).all(
        limit - ids.size,
        keepNewest,
      ) as { id: number }[];
      for (const r of rows) ids.add(r.id);
    }
    return [...ids].sort((a, b) => a - b);
  }

  eachFinished(from: number, to: number, visit: (row: FinishedRow) => void): void {
    const rows = this.stmt(
      `SELECT kind, state, result,
              CASE WHEN run_ms > 0 THEN run_ms ELSE MAX(0, COALESCE(finished_at - started_at, 0)) END AS durationMs,
              finished_at AS finishedAt,
              CASE WHEN unit = 'bytes' THEN done ELSE 0 END AS bytes
       FROM jobs
       WHERE finished_at >= ? AND finished_at < ? AND +state IN ('completed', 'failed', 'canceled')`,
    ).iterate(from, to) as IterableIterator<FinishedRow>;
    for (const row of rows) visit(row);
  }

  delete(id: number): void {
    this.stmt('DELETE FROM jobs WHERE id = ?').run(id);
  }

  setPipeline(id: number, pipeline: string): void {
    this.stmt('UPDATE jobs SET pipeline = ? WHERE id = ?').run(pipeline, id);
  }

  linkStep(id: number, link: PipelineLink): void {
    this.stmt('UPDATE jobs SET pipeline = ?, parent_id = ?, gate = ?, gate_deadline = ? WHERE id = ?').run(link.pipeline, link.parentId, link.gate, link.gateDeadline, id);
  }

  nextStepOf(id: number): number | undefined {
    // Pipelines are short and rare: a scan of parent ids is cheaper than an index kept on every insert.
    return (this.stmt('SELECT id FROM jobs WHERE parent_id = ? ORDER BY id LIMIT 1').get(id) as { id: number } | undefined)?.id;
  }

  pipelineOf(id: number): Pick<JobRow, 'pipeline' | 'priority'> | undefined {
    return this.stmt('SELECT pipeline, priority FROM jobs WHERE id = ?').get(id) as Pick<JobRow, 'pipeline' | 'priority'> | undefined;
  }

  gateOf(id: number): Pick<JobRow, 'state' | 'gate'> | undefined {
    return this.stmt('SELECT state, gate FROM jobs WHERE id = ?').get(id) as Pick<JobRow, 'state' | 'gate'> | undefined;
  }

  gateDeadlines(): { id: number; gate_deadline: number }[] {
    return this.stmt(`SELECT id, gate_deadline FROM jobs WHERE state = 'awaiting_approval' AND gate_deadline IS NOT NULL`).all() as { id: number; gate_deadline: number }[];
  }
}
