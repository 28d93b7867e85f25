/**
 * Every read of the store goes through a selector here. Selectors that build a new object are
 * used with `useShallow`, so components re-render only when a field they show changed; the costly
 * ones (sorted ids, destination names) are memoized on the references they read.
 */
import type { DestinationView } from '../../../shared/destinations';
import { JOB_STATES } from '../../../shared/model';
import type { JobState, JobView } from '../../../shared/model';
import { isServerSort, sortJobIds } from '../lib/jobQuery';
import type { FerryState } from './store';

export const selectActiveId = (s: FerryState): number | null => s.selection.activeId;
export const selectActiveJob = (s: FerryState): JobView | undefined =>
  s.selection.activeId === null ? undefined : s.jobs.byId[s.selection.activeId];
export const selectToasts = (s: FerryState) => s.ui.toasts;
export const selectConnection = (s: FerryState) => s.ui.connection;
/** Whether the engine answers now: job controls are off (and say why) while it does not. */
export const selectOnline = (s: FerryState): boolean => s.ui.connection.state === 'online';
export const selectTheme = (s: FerryState) => s.ui.theme;
export const selectView = (s: FerryState) => s.ui.view;
export const selectCapabilities = (s: FerryState) => s.ui.capabilities;
export const selectJobQuery = (s: FerryState) => s.jobs.view.query;
export const selectJobSort = (s: FerryState) => s.jobs.view.sort;
export const selectDetailTab = (s: FerryState) => s.detail.tab;
export const selectSettings = (s: FerryState) => s.settings.data;
export const selectStats = (s: FerryState) => s.stats.current;
export const selectSamples = (s: FerryState) => s.stats.samples;

/** For useShallow: everything a table row shows, in one subscription (rows mount by the dozen while scrolling). */
export const selectJobRow = (id: number) => (s: FerryState) => {
  const job = s.jobs.byId[id];
  const destinationId = job?.destinationId ?? null;
  return {
    job,
    selected: s.selection.ids[id] === true,
    active: s.selection.activeId === id,
    destination: destinationId === null ? null : (s.destinations.list.find((d) => d.id === destinationId)?.name ?? destinationId),
  };
};

/** For useShallow: how the table is doing. */
export const selectViewStatus = (s: FerryState) => ({
  status: s.jobs.view.status,
  loaded: s.jobs.view.ids.length,
  total: s.jobs.view.total,
  complete: s.jobs.view.complete,
  loadingMore: s.jobs.view.loadingMore,
  error: s.jobs.view.error,
});

let namesFor: DestinationView[] | null = null;
let names: Map<string, string> = new Map();
/** Destination names by id (memoized on the list). */
export const selectDestinationNames = (s: FerryState): Map<string, string> => {
  if (namesFor !== s.destinations.list) {
    namesFor = s.destinations.list;
    names = new Map(s.destinations.list.map((d) => [d.id, d.name]));
  }
  return names;
};

let sortedFor: { ids: number[]; byId: Record<number, JobView>; sort: unknown; names: unknown } | null = null;
let sorted: number[] = [];
/** The table's rows in display order: listJobs' order, or a column sort of the loaded rows. */
export const selectDisplayIds = (s: FerryState): number[] => {
  const { ids, sort } = s.jobs.view;
  if (isServerSort(sort)) return ids;
  const destNames = selectDestinationNames(s);
  const byId = s.jobs.byId;
  if (sortedFor && sortedFor.ids === ids && sortedFor.byId === byId && sortedFor.sort === sort && sortedFor.names === destNames) return sorted;
  const next = sortJobIds(ids, byId, sort, (id) => (id === null ? '' : (destNames.get(id) ?? id)));
  // Live progress re-sorts often; keep the old array when the order did not change.
  const same = next.length === sorted.length && next.every((id, i) => sorted[i] === id);
  sortedFor = { ids, byId, sort, names: destNames };
  if (!same) sorted = next;
  return sorted;
};

export type StateCounts = Record<JobState, number>;
const ZERO_COUNTS = Object.fromEntries(JOB_STATES.map((state) => [state, 0])) as StateCounts;
/** Jobs per state across the engine (the `stats` stream), zeros until it has spoken. */
export const selectStateCounts = (s: FerryState): StateCounts => s.stats.current?.counts ?? ZERO_COUNTS;

/** For useShallow: what the log view renders. */
export const selectLogView = (s: FerryState) => ({
  jobId: s.log.jobId,
  text: s.log.text,
  eof: s.log.eof,
  waiting: s.log.waiting,
  error: s.log.error,
});

/** For useShallow: the selected jobs as rows (bulk bar, context menu). */
export const selectSelectedJobs = (s: FerryState): JobView[] =>
  Object.keys(s.selection.ids)
    .map((id) => s.jobs.byId[Number(id)])
    .filter((j): j is JobView => j !== undefined);
