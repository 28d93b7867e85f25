import type { JobSort } from '../../../shared/contract';
import type { JobKind, JobState, JobStateFilter, Priority } from '../../../shared/model';
import { ftsQuery, trigramQuery } from './ftsQuery';

export const PRIORITY_RANK: Record<Priority, number> = { high: 0, normal: 1, low: 2 };

/** What a job list or export selects; every field optional and combined with AND. */
export interface JobFilter {
  ids?: number[];
  /** Any of these states; `partial` is a completed job with failed items. */
  state?: JobStateFilter[];
  kind?: JobKind[];
  priority?: Priority[];
  destinationId?: string[];
  createdFrom?: number;
  createdTo?: number;
  finishedFrom?: number;
  finishedTo?: number;
  text?: string;
  /** `names`: only names and ids; `all` (default) also metadata and log lines. */
  textScope?: 'all' | 'names';
  sort?: JobSort;
  order?: 'asc' | 'desc';
}

export interface SqlParts {
  where: string;
  orderBy: string;
  args: Record<string, unknown>;
  /** The sort has an index that gives rows in order (a scan of it can stop after one page). */
  sortIndexed: boolean;
  /** The filter is by plain states alone (or nothing): its total is a sum of the kept per-state counts. */
  statesOnly: boolean;
}

/** Sorts that an index returns in order (see the schema); the others sort the filtered rows. */
const INDEXED_SORTS: ReadonlySet<JobSort> = new Set(['created', 'updated', 'finished', 'name', 'duration', 'state']);

/**
 * Sort keys; every one ends in the id so pages are stable. Most have an index (id, updated_at,
 * finished_at); name, progress and duration sort the filtered rows.
 */
function orderBy(sort: JobSort, order: 'asc' | 'desc'): string {
  const dir = order === 'asc' ? 'ASC' : 'DESC';
  switch (sort) {
    case 'created':
      return `id ${dir}`;
    case 'updated':
      return `updated_at ${dir}, id ${dir}`;
    case 'finished':
      return `finished_at ${dir}, id ${dir}`;
    case 'name':
      return `name COLLATE NOCASE ${dir}, id ${dir}`;
    case 'priority':
      // "desc" means most urgent first, which is the lowest rank.
      return `priority ${order === 'asc' ? 'DESC' : 'ASC'}, queue_order ASC`;
    case 'state':
      return `state ${dir}, id ${dir}`;
    case 'progress':
      return `(CASE WHEN total > 0 THEN done / total ELSE 0 END) ${dir}, id ${dir}`;
    case 'duration':
      return `run_ms ${dir}, id ${dir}`;
  }
}

const sortColumns: Record<JobSort, string> = {
  created: 'id',
  updated: 'updated_at',
  finished: 'finished_at',
  name: 'name',
  priority: 'priority',
  state: 'state',
  progress: 'done',
  duration: 'run_ms',
};

function inList(column: string, values: readonly (string | number)[], prefix: string, args: Record<string, unknown>): string {
  values.forEach((v, i) => (args[`${prefix}${i}`] = v));
  return `${column} IN (${values.map((_, i) => `@${prefix}${i}`).join(',')})`;
}

/**
 * The WHERE and ORDER BY of a job filter, with named arguments (no user text in the SQL).
 * `scanSortIndex` marks the filter columns with SQLite's unary `+`, which keeps their indexes out
 * of the plan: the planner then walks the sort's index and stops after a page, which beats
 * sorting every match when most rows match (the caller decides from the count).
 */
export function jobQuery(filter: JobFilter, scanSortIndex = false, orderTerms?: (terms: string[]) => string[]): SqlParts {
  const where: string[] = [];
  const args: Record<string, unknown> = {};
  const sort = filter.sort ?? 'created';
  const col = (name: string) => (scanSortIndex && name !== sortColumns[sort] ? `+${name}` : name);
  if (filter.ids) where.push(filter.ids.length ? inList(col('id'), filter.ids, 'i', args) : '0');
  const states = (filter.state ?? []).filter((s): s is JobState => s !== 'partial');
  const partial = filter.state?.includes('partial') ?? false;
  // A completed job with failed items, by the partial index jobs_partial.
  const partialClause = `(${col('state')} = 'completed' AND result = 'partial')`;
  if (partial) where.push(states.length ? `(${inList(col('state'), states, 's', args)} OR ${partialClause})` : partialClause);
  else if (states.length) where.push(inList(col('state'), states, 's', args));
  if (filter.kind?.length) where.push(inList(col('kind'), filter.kind, 'k', args));
  if (filter.priority?.length) where.push(inList(col('priority'), filter.priority.map((p) => PRIORITY_RANK[p]), 'p', args));
  if (filter.destinationId?.length) where.push(inList(col('destination_id'), filter.destinationId, 'd', args));
  const range = (column: string, from: number | undefined, to: number | undefined, name: string) => {
    column = col(column);
    if (from !== undefined) {
      where.push(`${column} >= @${name}From`);
      args[`${name}From`] = from;
    }
    if (to !== undefined) {
      where.push(`${column} < @${name}To`);
      args[`${name}To`] = to;
    }
  };
  range('created_at', filter.createdFrom, filter.createdTo, 'created');
  range('finished_at', filter.finishedFrom, filter.finishedTo, 'finished');
  const text = filter.text?.trim();
  if (text) where.push(textClause(text, filter.textScope ?? 'all', args, orderTerms));
  return {
    where: where.length ? `WHERE ${where.join(' AND ')}` : '',
    orderBy: `ORDER BY ${orderBy(sort, filter.order ?? 'desc')}`,
    args,
    sortIndexed: INDEXED_SORTS.has(sort),
    statesOnly: !partial && where.length === (states.length ? 1 : 0),
  };
}

/**
 * A job matches by id (`42` or `#42`), by parts of its name (and, scope `all`, of its metadata)
 * through the trigram index, or by words of its log lines. Words under three characters cannot
 * use trigrams: then the name is searched with LIKE, which reads every row.
 */
function textClause(text: string, scope: 'all' | 'names', args: Record<string, unknown>, orderTerms?: (terms: string[]) => string[]): string {
  const any: string[] = [];
  const id = /^#?(\d{1,15})$/.exec(text);
  if (id) {
    any.push('id = @exactId');
    args.exactId = Number(id[1]);
  }
  const tri = trigramQuery(text, orderTerms);
  if (tri) {
    any.push('id IN (SELECT rowid FROM jobs_fts WHERE jobs_fts MATCH @names)');
    args.names = scope === 'names' ? `name : (${tri})` : tri;
  } else {
    any.push(`name LIKE @like ESCAPE '\\'`);
    args.like = `%${text.replace(/[\\%_]/g, (c) => '\\' + c)}%`;
  }
  const fts = scope === 'all' ? ftsQuery(text) : null;
  if (fts) {
    any.push('id IN (SELECT b.job_id FROM log_fts JOIN log_blocks b ON b.id = log_fts.rowid WHERE log_fts MATCH @fts)');
    args.fts = fts;
  }
  return `(${any.join(' OR ')})`;
}

/**
 * The same filter over the kept tally of jobs (job_tally: jobs per state, kind, destination,
 * priority and partial completion), when it uses none but those columns: its total is then the
 * sum of a few rows. Null when the filter has ids, times or text.
 */
export function tallyQuery(filter: JobFilter): { where: string; args: Record<string, unknown> } | null {
  if (filter.ids || filter.text?.trim()) return null;
  if ([filter.createdFrom, filter.createdTo, filter.finishedFrom, filter.finishedTo].some((t) => t !== undefined)) return null;
  const where: string[] = [];
  const args: Record<string, unknown> = {};
  const states = (filter.state ?? []).filter((s): s is JobState => s !== 'partial');
  const partial = filter.state?.includes('partial') ?? false;
  if (partial) where.push(states.length ? `(${inList('state', states, 's', args)} OR partial = 1)` : 'partial = 1');
  else if (states.length) where.push(inList('state', states, 's', args));
  if (filter.kind?.length) where.push(inList('kind', filter.kind, 'k', args));
  if (filter.priority?.length) where.push(inList('priority', filter.priority.map((p) => PRIORITY_RANK[p]), 'p', args));
  if (filter.destinationId?.length) where.push(inList('destination', filter.destinationId, 'd', args));
  return { where: where.length ? `WHERE ${where.join(' AND ')}` : '', args };
}
