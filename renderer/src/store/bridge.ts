/**
 * Connects the store to the engine: follows the connection state, opens the `jobs.changed` stream,
 * loads the job list page by page (again after every reconnect, to catch what changed meanwhile),
 * and keeps a `job.log` stream open for the selected job.
 */
import { FerryError } from '../../../shared/errors';
import { isFinished } from '../../../shared/model';
import { ferry, onConnectionChange } from '../transport';
import { showError } from './actions';
import { useFerryStore } from './store';
import type { FerryState } from './store';

/** listJobs' largest page. */
const PAGE = 500;
/** Beyond this the list shows the newest jobs only; the status bar says how many exist. */
const MAX_LISTED = 200_000;
const RESUBSCRIBE_MS = 2000;

const store = useFerryStore.getState;
const describe = (err: unknown): string =>
  err instanceof FerryError ? `${err.code}: ${err.message}` : err instanceof Error ? err.message : String(err);

export function startBridge(): () => void {
  const stops: Array<() => void> = [];
  let stopped = false;
  let loadSeq = 0;
  let connectedBefore = false;
  // Ids the stream reported while a load ran: its pages may be older than the stream.
  const streamedDuringLoad = new Set<number>();
  const removedDuringLoad = new Set<number>();
  let loading = false;

  async function loadJobs(): Promise<void> {
    const seq = ++loadSeq;
    const reload = store().jobs.ids.length > 0;
    loading = true;
    streamedDuringLoad.clear();
    removedDuringLoad.clear();
    store().beginJobsLoad();
    const seen = new Set<number>();
    let offset = 0;
    try {
      for (;;) {
        const page = await ferry.listJobs({ limit: PAGE, offset });
        if (seq !== loadSeq || stopped) return;
        const rows = page.jobs.filter((job) => !removedDuringLoad.has(job.id));
        for (const job of rows) seen.add(job.id);
        offset += page.jobs.length;
        const complete = page.jobs.length < PAGE || offset >= page.total || offset >= MAX_LISTED;
        store().applyJobPage(rows, page.total, complete);
        if (complete) break;
      }
      // After a reconnect, rows the engine no longer has were removed while we were away.
      if (reload && offset < MAX_LISTED) {
        for (const id of streamedDuringLoad) seen.add(id);
        store().retainJobs(seen);
      }
    } catch (err) {
      if (seq !== loadSeq || stopped) return;
      store().failJobsLoad(describe(err));
    } finally {
      if (seq === loadSeq) loading = false;
    }
  }

  function followJobs(): void {
    const stop = ferry.subscribe(
      'jobs.changed',
      {},
      ({ upserts, removed }) => {
        if (loading) {
          for (const job of upserts) streamedDuringLoad.add(job.id);
          for (const id of removed) removedDuringLoad.add(id);
        }
        const s = store();
        if (upserts.length > 0) s.upsertJobs(upserts);
        if (removed.length > 0) {
          s.removeJobs(removed);
          if (s.ui.selectedId !== null && removed.includes(s.ui.selectedId)) s.selectJob(null);
        }
      },
      (err) => {
        showError('Live job updates stopped', err);
        window.setTimeout(() => {
          if (!stopped) followJobs();
        }, RESUBSCRIBE_MS);
      },
    );
    stops.push(stop);
  }

  let stopLog: (() => void) | null = null;
  function followLog(id: number, offset: number): void {
    stopLog?.();
    stopLog = ferry.subscribe(
      'job.log',
      { id, offset },
      (chunk) => store().appendLog(chunk),
      (err) => store().failLog(id, describe(err)),
    );
  }

  function onStoreChange(s: FerryState, prev: FerryState): void {
    const id = s.ui.selectedId;
    if (id !== prev.ui.selectedId) {
      stopLog?.();
      stopLog = null;
      s.resetLog(id);
      if (id !== null) followLog(id, 0);
      return;
    }
    // A finished log stream ended; a retried job writes on, so pick up where the tail stopped.
    if (id !== null && s.log.eof && s.jobs.byId !== prev.jobs.byId) {
      const job = s.jobs.byId[id];
      if (job && !isFinished(job.state)) {
        s.reopenLog(id);
        followLog(id, s.log.nextOffset);
      }
    }
  }

  stops.push(
    onConnectionChange((status) => {
      store().setConnection(status);
      if (status.state !== 'online') return;
      // The streams re-open by themselves; a fresh list catches changes made while we were away.
      if (connectedBefore || store().jobs.status !== 'ready') void loadJobs();
      connectedBefore = true;
    }),
  );
  followJobs();
  stops.push(useFerryStore.subscribe(onStoreChange));
  stops.push(() => stopLog?.());

  return () => {
    stopped = true;
    for (const stop of stops.splice(0)) stop();
  };
}
