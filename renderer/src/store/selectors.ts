/**
 * Every read of the store goes through a selector here. Selectors that build a new object are
 * used with `useShallow`, so components re-render only when a field they show changed.
 */
import type { JobState, JobView } from '../../../shared/model';
import { JOB_STATES } from '../../../shared/model';
import type { FerryState } from './store';

export const selectJobIds = (s: FerryState): number[] => s.jobs.ids;
export const selectJobById =
  (id: number) =>
  (s: FerryState): JobView | undefined =>
    s.jobs.byId[id];
export const selectIsSelected =
  (id: number) =>
  (s: FerryState): boolean =>
    s.ui.selectedId === id;
export const selectSelectedId = (s: FerryState): number | null => s.ui.selectedId;
export const selectSelectedJob = (s: FerryState): JobView | undefined =>
  s.ui.selectedId === null ? undefined : s.jobs.byId[s.ui.selectedId];
export const selectToasts = (s: FerryState) => s.ui.toasts;
export const selectConnection = (s: FerryState) => s.ui.connection;
export const selectTheme = (s: FerryState) => s.ui.theme;

/** For useShallow: how the list is doing. */
export const selectListStatus = (s: FerryState) => ({
  status: s.jobs.status,
  count: s.jobs.ids.length,
  total: s.jobs.total,
  error: s.jobs.error,
});

/** For useShallow: what the log tail renders. */
export const selectLogView = (s: FerryState) => ({
  jobId: s.log.jobId,
  pieces: s.log.buffer.pieces,
  trimmed: s.log.buffer.trimmed,
  eof: s.log.eof,
  waiting: s.log.waiting,
  error: s.log.error,
});

export type StateCounts = Record<JobState, number>;

let countsFor: Record<number, JobView> | null = null;
let counts: StateCounts | null = null;

/** Jobs per state; recounted only when some job changed (the store replaces `byId` then). */
export const selectStateCounts = (s: FerryState): StateCounts => {
  if (counts && countsFor === s.jobs.byId) return counts;
  const next = Object.fromEntries(JOB_STATES.map((state) => [state, 0])) as StateCounts;
  for (const id of s.jobs.ids) {
    const job = s.jobs.byId[id];
    if (job) next[job.state] += 1;
  }
  countsFor = s.jobs.byId;
  counts = next;
  return next;
};
