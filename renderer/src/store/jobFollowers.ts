/**
 * The active job's own data, opened and closed as the selection and the detail tab change: its log
 * stream (always), its events (Events tab: listEvents, then the `job.events` stream), its files
 * (Files tab: listJobItems polled every second while it runs) and its log header (Details tab).
 */
import { parseJobLogHeader } from '../../../shared/jobLog';
import { isFinished } from '../../../shared/model';
import { ferry } from '../transport';
import { describeError } from './actions/toasts';
import { batchLogChunks } from './logBatcher';
import type { ItemStateFilter } from './detailSlice';
import { useFerryStore } from './store';
import type { FerryState } from './store';

const store = useFerryStore.getState;
const EVENTS_PAGE = 1000;
const ITEMS_POLL_MS = 1000;
const HEADER_BYTES = 64 * 1024;
/** Failed files listed in the detail's notice (the Files tab has them all). */
export const FAILED_SHOWN = 5;

export function followActiveJob(): () => void {
  let stopLog: (() => void) | null = null;
  let stopEvents: (() => void) | null = null;
  let itemsTimer: number | undefined;
  let itemsSeq = 0;

  function followLog(id: number, offset: number, epoch: number | null): void {
    stopLog?.();
    const batch = batchLogChunks((chunk) => store().appendLog(chunk));
    const stop = ferry.subscribe(
      'job.log',
      { id, offset, ...(epoch === null ? {} : { epoch }) },
      (chunk) => batch.push(chunk),
      (err) => store().failLog(id, describeError(err)),
    );
    stopLog = () => {
      batch.cancel();
      stop();
    };
  }

  async function followEvents(id: number): Promise<void> {
    stopEvents?.();
    stopEvents = null;
    store().resetEvents(id);
    let since = 0;
    try {
      for (;;) {
        const page = await ferry.listEvents({ id, since, limit: EVENTS_PAGE });
        if (store().detail.events.jobId !== id) return;
        store().addEvents(id, page.events, false);
        since = page.nextSince;
        if (page.events.length < EVENTS_PAGE) break;
      }
    } catch (err) {
      store().failEvents(id, describeError(err));
      return;
    }
    if (store().detail.events.jobId !== id || store().detail.tab !== 'events') return;
    stopEvents = ferry.subscribe(
      'job.events',
      { id, since },
      (batch) => {
        if (batch.heartbeat && batch.events.length === 0) return;
        store().addEvents(id, batch.events, batch.end);
      },
      (err) => store().failEvents(id, describeError(err)),
    );
  }

  async function pollItems(id: number, offset: number, filter: ItemStateFilter): Promise<void> {
    const seq = ++itemsSeq;
    window.clearTimeout(itemsTimer);
    try {
      const limit = store().detail.items.limit;
      const page = await ferry.listJobItems({ id, offset, limit, ...(filter === 'all' ? {} : { state: filter }) });
      if (seq !== itemsSeq) return;
      // listJobItems counts all of a job's files; with a filter, a short page tells where it ends.
      const matching = filter === 'all' ? page.total : page.items.length < limit ? offset + page.items.length : -1;
      store().applyItems(id, offset, filter, page.items, page.total, matching);
    } catch (err) {
      if (seq === itemsSeq) store().failItems(id, describeError(err));
    }
    if (seq !== itemsSeq) return;
    const job = store().jobs.byId[id];
    if (job && !isFinished(job.state)) itemsTimer = window.setTimeout(() => void pollItems(id, offset, filter), ITEMS_POLL_MS);
  }

  async function loadHeader(id: number): Promise<void> {
    store().setHeader({ jobId: id, params: null, status: 'loading' });
    try {
      const chunk = await ferry.readLog({ id, offset: 0, maxBytes: HEADER_BYTES });
      const header = parseJobLogHeader(chunk.text);
      if (store().selection.activeId === id) store().setHeader({ jobId: id, params: header?.params ?? null, status: 'ready' });
      void loadStages(id);
    } catch {
      if (store().selection.activeId === id) store().setHeader({ jobId: id, params: null, status: 'error' });
    }
  }

  /** The stage times (getJob has them; the list's rows do not), read again as the stage or state changes. */
  async function loadStages(id: number): Promise<void> {
    try {
      const job = await ferry.getJob({ id });
      const header = store().detail.header;
      if (header?.jobId === id) store().setHeader({ ...header, stages: job.stages ?? [] });
    } catch {
      // The Details tab then shows no stage times; the job's other facts are still there.
    }
  }

  async function loadLanding(id: number): Promise<void> {
    store().setLanding({ jobId: id, place: store().detail.landing?.jobId === id ? store().detail.landing!.place : null, failed: [], status: 'loading' });
    try {
      const page = await ferry.listJobItems({ id, offset: 0, limit: FAILED_SHOWN, state: 'failed' });
      if (store().selection.activeId === id) store().setLanding({ jobId: id, place: page.place ?? null, failed: page.items, status: 'ready' });
    } catch {
      if (store().selection.activeId === id) store().setLanding({ jobId: id, place: null, failed: [], status: 'error' });
    }
  }

  function sync(s: FerryState, prev: FerryState | null): void {
    const id = s.selection.activeId;
    const jobChanged = !prev || id !== prev.selection.activeId;
    const tab = s.detail.tab;
    const tabChanged = !prev || tab !== prev.detail.tab;

    if (jobChanged) {
      stopLog?.();
      stopLog = null;
      s.resetLog(id);
      if (id !== null) followLog(id, 0, null);
    } else if (id !== null && s.log.eof && prev && s.jobs.byId !== prev.jobs.byId) {
      // A finished log stream ended; a retried job writes on, so pick up where the tail stopped.
      const job = s.jobs.byId[id];
      if (job && !isFinished(job.state)) {
        s.reopenLog(id);
        followLog(id, s.log.nextOffset, s.log.epoch);
      }
    }

    if (jobChanged || tabChanged) {
      if (id !== null && tab === 'events') void followEvents(id);
      else if (stopEvents || jobChanged) {
        stopEvents?.();
        stopEvents = null;
        if (jobChanged) s.resetEvents(null);
      }
      if (id !== null && tab === 'details' && (jobChanged || s.detail.header?.jobId !== id)) void loadHeader(id);
    } else if (id !== null && tab === 'details' && prev && s.detail.header?.jobId === id) {
      const now = s.jobs.byId[id];
      const then = prev.jobs.byId[id];
      if (now && then && (now.stage !== then.stage || now.state !== then.state)) void loadStages(id);
    }

    // An upload's place and failed files: on opening it, and again when it ends (a re-send, say).
    const job = id === null ? undefined : s.jobs.byId[id];
    const before = id === null || !prev ? undefined : prev.jobs.byId[id];
    if (id !== null && job?.kind === 'upload') {
      const ended = before !== undefined && (before.state !== job.state || before.result !== job.result) && isFinished(job.state);
      if (jobChanged || s.detail.landing?.jobId !== id || ended) void loadLanding(id);
    } else if (jobChanged && s.detail.landing) s.setLanding(null);

    const items = s.detail.items;
    const itemsChanged = !prev || items.offset !== prev.detail.items.offset || items.filter !== prev.detail.items.filter;
    if (id !== null && tab === 'files' && (jobChanged || tabChanged || itemsChanged || items.jobId !== id)) {
      const sameJob = items.jobId === id;
      if (!sameJob) s.setItemsQuery(id, 0, 'all');
      void pollItems(id, sameJob ? items.offset : 0, sameJob ? items.filter : 'all');
    } else if ((tabChanged && tab !== 'files') || (jobChanged && tab !== 'files')) {
      itemsSeq++;
      window.clearTimeout(itemsTimer);
    }
    // A finished job gets one last look at its files.
    if (id !== null && tab === 'files' && prev && !jobChanged) {
      const job = s.jobs.byId[id];
      const before = prev.jobs.byId[id];
      if (job && before && isFinished(job.state) && !isFinished(before.state)) void pollItems(id, items.offset, items.filter);
    }
  }

  sync(store(), null);
  const unsubscribe = useFerryStore.subscribe((s, prev) => sync(s, prev));
  return () => {
    unsubscribe();
    stopLog?.();
    stopEvents?.();
    itemsSeq++;
    window.clearTimeout(itemsTimer);
  };
}
