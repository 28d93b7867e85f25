/**
 * What the jobs table shows: the filter (sent to listJobs and mirrored here so live updates can be
 * placed without a round trip) and the client-side sort.
 */
import type { JobSort as ServerSort } from '../../../shared/contract';
import type { JobKind, JobState, JobStateFilter, JobView } from '../../../shared/model';
import { jobTone } from './jobTone';
import { progressFraction } from '../../../shared/format';

export interface JobQuery {
  /** Any of these states; `partial` is a completed job with failed items. */
  states: JobStateFilter[];
  kinds: JobKind[];
  text: string;
}

export const SORT_KEYS = ['id', 'name', 'kind', 'destination', 'state', 'progress', 'speed', 'eta', 'size', 'created'] as const;
export type SortKey = (typeof SORT_KEYS)[number];
export type SortDir = 'asc' | 'desc';
export interface JobSort {
  key: SortKey;
  dir: SortDir;
}

export const EMPTY_QUERY: JobQuery = { states: [], kinds: [], text: '' };
/** listJobs' own order: the only sort that needs no client-side work. */
export const DEFAULT_SORT: JobSort = { key: 'id', dir: 'desc' };

/** Newest first, by id or by creation time (the same order: ids are a sequence). */
export const isDefaultSort = (sort: JobSort): boolean => (sort.key === 'id' || sort.key === 'created') && sort.dir === 'desc';

/** Columns listJobs can sort by itself; the others are sorted here over every loaded row. */
const SERVER_SORTS: Partial<Record<SortKey, ServerSort>> = { id: 'created', created: 'created', name: 'name', state: 'state', progress: 'progress' };

export const isServerSort = (sort: JobSort): boolean => SERVER_SORTS[sort.key] !== undefined;

/** The listJobs input for a query and the sort it was loaded in (empty parts left out). */
export function listInput(
  query: JobQuery,
  sort: JobSort,
): { state?: JobStateFilter[]; kind?: JobKind[]; text?: string; sort?: ServerSort; order?: 'asc' | 'desc' } {
  const text = query.text.trim();
  const server = SERVER_SORTS[sort.key];
  return {
    ...(query.states.length ? { state: query.states } : {}),
    ...(query.kinds.length ? { kind: query.kinds } : {}),
    ...(text ? { text } : {}),
    ...(server && !isDefaultSort(sort) ? { sort: server, order: sort.dir } : {}),
  };
}

/** The state and kind filters: a row that fails them leaves the table at once. */
export function matchesFilters(job: JobView, query: JobQuery): boolean {
  if (query.states.length && !query.states.includes(job.state) && !(query.states.includes('partial') && jobTone(job) === 'partial')) return false;
  return !(query.kinds.length && !query.kinds.includes(job.kind));
}

/**
 * Whether a job new to the table belongs in it. The engine's text search also looks at metadata
 * and logs; here only the name and id can be checked, so a live row is added on those alone.
 */
export function matchesQuery(job: JobView, query: JobQuery): boolean {
  if (!matchesFilters(job, query)) return false;
  const text = query.text.trim();
  if (!text) return true;
  return job.name.toLowerCase().includes(text.toLowerCase()) || String(job.id) === text.replace(/^#/, '');
}

const STATE_ORDER: Record<JobState, number> = {
  running: 0,
  queued: 1,
  paused: 2,
  awaiting_approval: 3,
  failed: 4,
  canceled: 5,
  completed: 6,
};

type Getter = (job: JobView, destinationName: (id: string | null) => string) => number | string;

const GETTERS: Record<SortKey, Getter> = {
  id: (j) => j.id,
  name: (j) => j.name.toLowerCase(),
  kind: (j) => j.kind,
  destination: (j, name) => name(j.destinationId).toLowerCase(),
  state: (j) => STATE_ORDER[j.state],
  progress: (j) => (j.state === 'completed' ? 1 : progressFraction(j.done, j.total)),
  speed: (j) => (j.state === 'running' ? j.rate : -1),
  // Unknown ETAs sort last in either direction of "soonest first".
  eta: (j) => (j.state === 'running' && j.etaMs !== null ? j.etaMs : Number.MAX_SAFE_INTEGER),
  size: (j) => (j.unit === 'bytes' ? j.total : -1),
  created: (j) => j.createdAt,
};

/** Sorts ids by a column; ties fall back to newest first so the order is stable. */
export function sortJobIds(
  ids: readonly number[],
  byId: Record<number, JobView>,
  sort: JobSort,
  destinationName: (id: string | null) => string,
): number[] {
  const get = GETTERS[sort.key];
  const sign = sort.dir === 'asc' ? 1 : -1;
  const keyed = ids.map((id) => {
    const job = byId[id];
    return { id, key: job ? get(job, destinationName) : '' };
  });
  keyed.sort((a, b) => {
    if (a.key < b.key) return -sign;
    if (a.key > b.key) return sign;
    return b.id - a.id;
  });
  return keyed.map((k) => k.id);
}
