/**
 * Jobs by id plus their display order (newest first, i.e. by descending id: ids are a global
 * sequence). Filled page by page from listJobs and then kept live from the `jobs.changed` stream.
 */
import type { StateCreator } from 'zustand';
import type { JobView } from '../../../shared/model';
import type { FerryState } from './store';

export type JobsStatus = 'loading' | 'ready' | 'error';

export interface JobsState {
  byId: Record<number, JobView>;
  /** Newest first. Only replaced when membership changes, so the list re-renders rarely. */
  ids: number[];
  status: JobsStatus;
  /** Jobs the engine has, as the last page said (the list may still be loading). */
  total: number;
  error: string | null;
}

export interface JobsSlice {
  jobs: JobsState;
  /** Starts a (re)load; keeps what is shown until pages arrive. */
  beginJobsLoad(): void;
  /** Merges one listJobs page; `complete` once the last page arrived. */
  applyJobPage(page: JobView[], total: number, complete: boolean): void;
  /** Merges rows that changed (from the stream or a command's answer). */
  upsertJobs(rows: JobView[]): void;
  /** Drops rows the engine removed. */
  removeJobs(ids: number[]): void;
  /** Drops rows a finished reload did not return (removed while we were away). */
  retainJobs(keep: ReadonlySet<number>): void;
  failJobsLoad(message: string): void;
}

/** An older snapshot (a page fetched before a stream update) must not overwrite a newer one. */
const isStale = (incoming: JobView, current: JobView | undefined): boolean =>
  current !== undefined && incoming.updatedAt < current.updatedAt;

function merge(jobs: JobsState, rows: JobView[]): JobsState {
  let byId: Record<number, JobView> | null = null;
  const added: number[] = [];
  for (const row of rows) {
    const current = (byId ?? jobs.byId)[row.id];
    if (isStale(row, current) || current === row) continue;
    byId ??= { ...jobs.byId };
    if (current === undefined) added.push(row.id);
    byId[row.id] = row;
  }
  if (!byId) return jobs;
  if (added.length === 0) return { ...jobs, byId };
  added.sort((a, b) => b - a);
  const newest = jobs.ids[0];
  const oldestAdded = added[added.length - 1] ?? 0;
  // The common case, a new job, goes on top without re-sorting thousands of ids.
  const ids =
    newest === undefined || oldestAdded > newest ? [...added, ...jobs.ids] : [...jobs.ids, ...added].sort((a, b) => b - a);
  return { ...jobs, byId, ids };
}

function without(jobs: JobsState, drop: (id: number) => boolean): JobsState {
  const ids = jobs.ids.filter((id) => !drop(id));
  if (ids.length === jobs.ids.length) return jobs;
  const byId: Record<number, JobView> = {};
  for (const id of ids) {
    const row = jobs.byId[id];
    if (row) byId[id] = row;
  }
  return { ...jobs, byId, ids };
}

export const createJobsSlice: StateCreator<FerryState, [], [], JobsSlice> = (set) => ({
  jobs: { byId: {}, ids: [], status: 'loading', total: 0, error: null },
  beginJobsLoad: () => set((s) => ({ jobs: { ...s.jobs, status: s.jobs.status === 'ready' ? 'ready' : 'loading', error: null } })),
  applyJobPage: (page, total, complete) =>
    set((s) => {
      const merged = merge(s.jobs, page);
      return { jobs: { ...merged, total: Math.max(total, merged.ids.length), status: complete ? 'ready' : merged.status } };
    }),
  upsertJobs: (rows) =>
    set((s) => {
      const merged = merge(s.jobs, rows);
      if (merged === s.jobs) return s;
      return { jobs: { ...merged, total: Math.max(merged.total, merged.ids.length) } };
    }),
  removeJobs: (ids) =>
    set((s) => {
      const gone = new Set(ids);
      const next = without(s.jobs, (id) => gone.has(id));
      if (next === s.jobs) return s;
      return { jobs: { ...next, total: Math.max(0, next.total - (s.jobs.ids.length - next.ids.length)) } };
    }),
  retainJobs: (keep) =>
    set((s) => {
      const next = without(s.jobs, (id) => !keep.has(id));
      return next === s.jobs ? s : { jobs: next };
    }),
  failJobsLoad: (message) => set((s) => ({ jobs: { ...s.jobs, status: 'error', error: message } })),
});
