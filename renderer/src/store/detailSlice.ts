/**
 * What the detail panel shows of the active job beyond its row: the open tab, its events, a page of
 * its files and the metadata read from its log header.
 */
import type { StateCreator } from 'zustand';
import type { DatasetPlace, JobItemView } from '../../../shared/contract';
import type { JobEvent, StageTime } from '../../../shared/model';
import type { FerryState } from './store';

export const DETAIL_TABS = ['log', 'events', 'files', 'details'] as const;
export type DetailTab = (typeof DETAIL_TABS)[number];
export type ItemStateFilter = JobItemView['state'] | 'all';
export type LoadStatus = 'idle' | 'loading' | 'ready' | 'error';

export interface EventsState {
  jobId: number | null;
  list: JobEvent[];
  status: LoadStatus;
  error: string | null;
  /** Every event was delivered and the job is finished. */
  ended: boolean;
}

export interface ItemsState {
  jobId: number | null;
  offset: number;
  limit: number;
  filter: ItemStateFilter;
  items: JobItemView[];
  /** Files of the job (all states). */
  total: number;
  /** Files matching the filter, as far as known. */
  matching: number;
  status: LoadStatus;
  error: string | null;
}

/** The JSON header of a job's log: what it was created with. */
export interface JobHeader {
  jobId: number;
  params: Record<string, unknown> | null;
  status: LoadStatus;
  /** The stages of its runs with their times (getJob), once read. */
  stages?: StageTime[];
}

/** Where an upload's dataset lands, and the first of its failed files with their reasons. */
export interface Landing {
  jobId: number;
  place: DatasetPlace | null;
  failed: JobItemView[];
  status: LoadStatus;
}

export interface DetailState {
  tab: DetailTab;
  events: EventsState;
  items: ItemsState;
  header: JobHeader | null;
  landing: Landing | null;
}

export interface DetailSlice {
  detail: DetailState;
  setDetailTab(tab: DetailTab): void;
  resetEvents(jobId: number | null): void;
  addEvents(jobId: number, events: JobEvent[], ended: boolean): void;
  failEvents(jobId: number, message: string): void;
  setItemsQuery(jobId: number | null, offset: number, filter: ItemStateFilter): void;
  applyItems(jobId: number, offset: number, filter: ItemStateFilter, items: JobItemView[], total: number, matching: number): void;
  failItems(jobId: number, message: string): void;
  setHeader(header: JobHeader | null): void;
  setLanding(landing: Landing | null): void;
}

export const ITEMS_PAGE = 200;

const emptyItems = (jobId: number | null): ItemsState => ({
  jobId,
  offset: 0,
  limit: ITEMS_PAGE,
  filter: 'all',
  items: [],
  total: 0,
  matching: 0,
  status: jobId === null ? 'idle' : 'loading',
  error: null,
});

export const createDetailSlice: StateCreator<FerryState, [], [], DetailSlice> = (set) => ({
  detail: {
    tab: 'log',
    events: { jobId: null, list: [], status: 'idle', error: null, ended: false },
    items: emptyItems(null),
    header: null,
    landing: null,
  },
  setDetailTab: (tab) => set((s) => (s.detail.tab === tab ? s : { detail: { ...s.detail, tab } })),
  resetEvents: (jobId) =>
    set((s) => ({ detail: { ...s.detail, events: { jobId, list: [], status: jobId === null ? 'idle' : 'loading', error: null, ended: false } } })),
  addEvents: (jobId, events, ended) =>
    set((s) => {
      const current = s.detail.events;
      if (current.jobId !== jobId) return s;
      const lastSeq = current.list[current.list.length - 1]?.seq ?? 0;
      const fresh = events.filter((e) => e.seq > lastSeq && e.type !== 'heartbeat');
      if (fresh.length === 0 && current.status === 'ready' && current.ended === ended) return s;
      return {
        detail: { ...s.detail, events: { ...current, list: fresh.length ? current.list.concat(fresh) : current.list, status: 'ready', ended, error: null } },
      };
    }),
  failEvents: (jobId, message) =>
    set((s) => (s.detail.events.jobId !== jobId ? s : { detail: { ...s.detail, events: { ...s.detail.events, status: 'error', error: message } } })),
  setItemsQuery: (jobId, offset, filter) =>
    set((s) => {
      const current = s.detail.items;
      const base = current.jobId === jobId ? current : emptyItems(jobId);
      return { detail: { ...s.detail, items: { ...base, offset, filter, status: jobId === null ? 'idle' : 'loading', ...(filter !== current.filter ? { items: [] } : {}) } } };
    }),
  applyItems: (jobId, offset, filter, items, total, matching) =>
    set((s) => {
      const current = s.detail.items;
      if (current.jobId !== jobId || current.offset !== offset || current.filter !== filter) return s;
      return { detail: { ...s.detail, items: { ...current, items, total, matching, status: 'ready', error: null } } };
    }),
  failItems: (jobId, message) =>
    set((s) => (s.detail.items.jobId !== jobId ? s : { detail: { ...s.detail, items: { ...s.detail.items, status: 'error', error: message } } })),
  setHeader: (header) => set((s) => ({ detail: { ...s.detail, header } })),
  setLanding: (landing) => set((s) => ({ detail: { ...s.detail, landing } })),
});
