/**
 * Jobs: a cache of every row seen (by id) and the table's view of them: the rows of the current
 * query loaded so far, newest first, as listJobs pages and the `jobs.changed` stream deliver them.
 *
 * The view always holds exactly the matching jobs with an id at or above the oldest loaded one, so
 * the next page starts at `ids.length` even while live updates add and drop rows.
 */
import type { StateCreator } from 'zustand';
import type { JobView } from '../../../shared/model';
import { DEFAULT_SORT, EMPTY_QUERY, isDefaultSort, isServerSort, matchesFilters, matchesQuery } from '../lib/jobQuery';
import type { JobQuery, JobSort } from '../lib/jobQuery';
import type { FerryState } from './store';

export type ViewStatus = 'loading' | 'ready' | 'error';

export interface JobsViewState {
  query: JobQuery;
  sort: JobSort;
  /** The order the pages were loaded in (a client-side sort keeps the one before it). */
  loadedSort: JobSort;
  /** Loaded matches, newest first. */
  ids: number[];
  member: Record<number, true>;
  /** Matches the engine has, as the last page said and live updates since. */
  total: number;
  status: ViewStatus;
  error: string | null;
  loadingMore: boolean;
  /** Every match is loaded. */
  complete: boolean;
  /** Bumped by every new query, so pages of an older one are dropped. */
  generation: number;
  /** Ids the stream changed while the first page was on its way. */
  streamedDuringLoad: number[];
}

export interface JobsState {
  byId: Record<number, JobView>;
  view: JobsViewState;
}

export interface JobsSlice {
  jobs: JobsState;
  /** Starts a fresh view for a query, loaded in `loadedSort`; answers its generation. */
  resetJobView(query: JobQuery, loadedSort: JobSort): number;
  setJobSort(sort: JobSort): void;
  setLoadingMore(generation: number, loading: boolean): void;
  /** Merges one listJobs page of the view (`first` replaces what was there). */
  applyJobPage(generation: number, rows: JobView[], total: number, first: boolean): void;
  failJobPage(generation: number, message: string): void;
  /** Merges rows that changed (the stream, a command's answer, getJob). */
  upsertJobs(rows: JobView[]): void;
  removeJobs(ids: number[]): void;
}

const emptyView = (query: JobQuery, sort: JobSort, loadedSort: JobSort, generation: number): JobsViewState => ({
  query,
  sort,
  loadedSort,
  ids: [],
  member: {},
  total: 0,
  status: 'loading',
  error: null,
  loadingMore: false,
  complete: false,
  generation,
  streamedDuringLoad: [],
});

/** An older snapshot (a page fetched before a stream update) must not overwrite a newer one. */
const isStale = (incoming: JobView, current: JobView | undefined): boolean => current !== undefined && incoming.updatedAt < current.updatedAt;

function mergeRows(byId: Record<number, JobView>, rows: JobView[]): { byId: Record<number, JobView>; changed: JobView[] } {
  let next: Record<number, JobView> | null = null;
  const changed: JobView[] = [];
  for (const row of rows) {
    const current = (next ?? byId)[row.id];
    if (current === row || isStale(row, current)) continue;
    next ??= { ...byId };
    next[row.id] = row;
    changed.push(row);
  }
  return { byId: next ?? byId, changed };
}

/** Inserts ids into a newest-first list; the common case (new jobs) goes on top without a sort. */
function insertDesc(ids: number[], added: number[]): number[] {
  if (added.length === 0) return ids;
  added.sort((a, b) => b - a);
  const newest = ids[0];
  const oldestAdded = added[added.length - 1] ?? 0;
  if (newest === undefined || oldestAdded > newest) return [...added, ...ids];
  return [...ids, ...added].sort((a, b) => b - a);
}

/**
 * Applies the query to rows that changed: drops those that left its filters, and adds those that
 * joined it where their place is known (newest-first pages, or a fully loaded client-sorted view;
 * a view the engine sorted by another column shows them after a reload).
 */
function placeLive(view: JobsViewState, rows: JobView[]): JobsViewState {
  if (view.status === 'loading') {
    return rows.length ? { ...view, streamedDuringLoad: [...view.streamedDuringLoad, ...rows.map((r) => r.id)] } : view;
  }
  const newestFirst = isDefaultSort(view.loadedSort);
  const canAdd = newestFirst || (view.complete && !isServerSort(view.sort));
  const oldest = view.ids[view.ids.length - 1];
  const added: number[] = [];
  const dropped = new Set<number>();
  for (const row of rows) {
    const inView = view.member[row.id] === true;
    if (inView && !matchesFilters(row, view.query)) dropped.add(row.id);
    else if (!inView && canAdd && matchesQuery(row, view.query) && (view.complete || oldest === undefined || row.id > oldest)) added.push(row.id);
  }
  if (added.length === 0 && dropped.size === 0) return view;
  const member = { ...view.member };
  for (const id of dropped) delete member[id];
  for (const id of added) member[id] = true;
  const kept = dropped.size ? view.ids.filter((id) => !dropped.has(id)) : view.ids;
  const total = Math.max(0, view.total + added.length - dropped.size);
  const ids = newestFirst ? insertDesc(kept, added) : [...added.sort((a, b) => b - a), ...kept];
  return { ...view, ids, member, total };
}

export const createJobsSlice: StateCreator<FerryState, [], [], JobsSlice> = (set, get) => ({
  jobs: { byId: {}, view: emptyView(EMPTY_QUERY, DEFAULT_SORT, DEFAULT_SORT, 0) },
  resetJobView: (query, loadedSort) => {
    const generation = get().jobs.view.generation + 1;
    set((s) => ({ jobs: { ...s.jobs, view: emptyView(query, s.jobs.view.sort, loadedSort, generation) } }));
    return generation;
  },
  setJobSort: (sort) => set((s) => ({ jobs: { ...s.jobs, view: { ...s.jobs.view, sort } } })),
  setLoadingMore: (generation, loadingMore) =>
    set((s) => (s.jobs.view.generation !== generation ? s : { jobs: { ...s.jobs, view: { ...s.jobs.view, loadingMore } } })),
  applyJobPage: (generation, rows, total, first) =>
    set((s) => {
      if (s.jobs.view.generation !== generation) return s;
      const { byId } = mergeRows(s.jobs.byId, rows);
      const base = first ? { ...s.jobs.view, ids: [], member: {} } : s.jobs.view;
      const member = { ...base.member };
      const fresh: number[] = [];
      for (const row of rows) {
        const current = byId[row.id] ?? row;
        if (member[row.id] || !matchesFilters(current, base.query)) continue;
        member[row.id] = true;
        fresh.push(row.id);
      }
      let view: JobsViewState = {
        ...base,
        ids: [...base.ids, ...fresh],
        member,
        total,
        status: 'ready',
        error: null,
        loadingMore: false,
        streamedDuringLoad: [],
      };
      view.complete = rows.length === 0 || view.ids.length >= total;
      // Rows the stream changed while this first page travelled may be newer than the page.
      if (first && base.streamedDuringLoad.length) {
        const live = base.streamedDuringLoad.map((id) => byId[id]).filter((j): j is JobView => j !== undefined);
        view = placeLive(view, live);
      }
      return { jobs: { byId, view } };
    }),
  failJobPage: (generation, message) =>
    set((s) =>
      s.jobs.view.generation !== generation
        ? s
        : { jobs: { ...s.jobs, view: { ...s.jobs.view, status: s.jobs.view.ids.length ? 'ready' : 'error', error: message, loadingMore: false } } },
    ),
  upsertJobs: (rows) =>
    set((s) => {
      const { byId, changed } = mergeRows(s.jobs.byId, rows);
      if (changed.length === 0) return s;
      return { jobs: { byId, view: placeLive(s.jobs.view, changed) } };
    }),
  removeJobs: (ids) =>
    set((s) => {
      const gone = ids.filter((id) => s.jobs.byId[id] !== undefined || s.jobs.view.member[id]);
      if (gone.length === 0) return s;
      const byId = { ...s.jobs.byId };
      for (const id of gone) delete byId[id];
      const view = s.jobs.view;
      const inView = gone.filter((id) => view.member[id]);
      if (inView.length === 0) return { jobs: { byId, view } };
      const member = { ...view.member };
      for (const id of inView) delete member[id];
      const drop = new Set(inView);
      return {
        jobs: { byId, view: { ...view, ids: view.ids.filter((id) => !drop.has(id)), member, total: Math.max(0, view.total - inView.length) } },
      };
    }),
});
