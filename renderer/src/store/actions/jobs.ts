/**
 * Job actions: loading the table's query page by page, filters and sort, creating demo jobs and
 * every control, one job or many (the engine has single-job commands; a selection loops them).
 */
import { isFinished } from '../../../../shared/model';
import type { BulkAction } from '../../../../shared/contract';
import type { JobKind, JobStateFilter, JobView, Priority } from '../../../../shared/model';
import { isControlAllowed, JOB_CONTROLS, OFFLINE_REASON } from '../../jobControls';
import type { JobControl, JobControlSpec } from '../../jobControls';
import { DEFAULT_SORT, isServerSort, listInput } from '../../lib/jobQuery';
import type { JobQuery, JobSort, SortKey } from '../../lib/jobQuery';
import { ferry } from '../../transport';
import { useFerryStore } from '../store';
import { confirmAction, confirmChoice } from './dialogs';
import { copyAndTell, describeError, showError, showToast } from './toasts';

/** What "New demo job" starts. */
export const DEMO_JOB = { items: 120, failRate: 0.1, itemDelayMs: 120 } as const;
/** listJobs' largest page. */
export const JOB_PAGE = 500;
/** The table stops loading beyond this; the count still says how many match. */
export const MAX_LOADED = 100_000;
/** Commands in flight at once when a selection is acted on. */
const BULK_PARALLEL = 8;

const store = useFerryStore.getState;
const skipAhead = new Map<number, number>();

/** The order pages are loaded in: the sort itself when the engine can sort by it, else newest first. */
const loadOrder = (sort: JobSort): JobSort => (isServerSort(sort) ? sort : DEFAULT_SORT);

export async function loadJobView(query: JobQuery = store().jobs.view.query): Promise<void> {
  const sort = store().jobs.view.sort;
  const loadedSort = loadOrder(sort);
  const generation = store().resetJobView(query, loadedSort);
  skipAhead.clear();
  try {
    const page = await ferry.listJobs({ ...listInput(query, loadedSort), limit: JOB_PAGE, offset: 0 });
    store().applyJobPage(generation, page.jobs, page.total, true);
    if (!isServerSort(sort)) await loadAllJobs();
  } catch (err) {
    store().failJobPage(generation, describeError(err));
  }
}

/** Loads the next page of the query, if any (the table calls this as its end comes into view). */
export async function loadMoreJobs(): Promise<boolean> {
  const view = store().jobs.view;
  if (view.complete || view.loadingMore || view.status !== 'ready' || view.ids.length >= MAX_LOADED) return false;
  const generation = view.generation;
  const before = view.ids.length;
  const skip = skipAhead.get(generation) ?? 0;
  store().setLoadingMore(generation, true);
  try {
    const page = await ferry.listJobs({ ...listInput(view.query, view.loadedSort), limit: JOB_PAGE, offset: before + skip });
    store().applyJobPage(generation, page.jobs, page.total, false);
    // A page of rows already shown (live updates moved the boundary): step over them next time.
    if (page.jobs.length > 0 && store().jobs.view.ids.length === before) skipAhead.set(generation, skip + page.jobs.length);
    return store().jobs.view.generation === generation;
  } catch (err) {
    store().failJobPage(generation, describeError(err));
    return false;
  }
}

/** Loads every page of the query (a column sort or "select all" needs them all). */
export async function loadAllJobs(): Promise<void> {
  const generation = store().jobs.view.generation;
  for (;;) {
    const view = store().jobs.view;
    if (view.generation !== generation || view.complete || view.ids.length >= MAX_LOADED || view.status !== 'ready') return;
    if (view.loadingMore) {
      await new Promise((resolve) => window.setTimeout(resolve, 50));
      continue;
    }
    if (!(await loadMoreJobs())) return;
  }
}

export function setJobQuery(patch: Partial<JobQuery>): void {
  const current = store().jobs.view.query;
  const query = { ...current, ...patch };
  if (query.text === current.text && sameSet(query.states, current.states) && sameSet(query.kinds, current.kinds)) return;
  const { activeId } = store().selection;
  store().setSelection(activeId === null ? [] : [activeId], activeId);
  void loadJobView(query);
}

const sameSet = <T>(a: readonly T[], b: readonly T[]): boolean => a.length === b.length && a.every((x) => b.includes(x));

export function toggleStateFilter(state: JobStateFilter): void {
  const states = store().jobs.view.query.states;
  setJobQuery({ states: states.includes(state) ? states.filter((s) => s !== state) : [...states, state] });
}

export function toggleKindFilter(kind: JobKind): void {
  const kinds = store().jobs.view.query.kinds;
  setJobQuery({ kinds: kinds.includes(kind) ? kinds.filter((k) => k !== kind) : [...kinds, kind] });
}

/** Text and number columns start in the direction people expect (A→Z, biggest first). */
const ASCENDING_FIRST: readonly SortKey[] = ['name', 'kind', 'destination', 'state', 'eta'];

/** Sorts the table: the engine sorts what it can (pages then load in that order), the rest sorts here. */
export function sortBy(key: SortKey): void {
  const view = store().jobs.view;
  const current = view.sort;
  const sort: JobSort =
    current.key === key ? { key, dir: current.dir === 'asc' ? 'desc' : 'asc' } : { key, dir: ASCENDING_FIRST.includes(key) ? 'asc' : 'desc' };
  store().setJobSort(sort);
  const order = loadOrder(sort);
  if (order.key !== view.loadedSort.key || order.dir !== view.loadedSort.dir) void loadJobView();
  else if (!isServerSort(sort)) void loadAllJobs();
}

export async function createDemoJob(input: { items?: number; itemDelayMs?: number; linesPerItem?: number; failRate?: number } = {}): Promise<void> {
  try {
    const job = await ferry.createDemoJob({ ...DEMO_JOB, ...input });
    store().upsertJobs([job]);
    store().setSelection([job.id], job.id);
  } catch (err) {
    showError('Could not create a demo job', err);
  }
}

/** Makes sure a job is in the cache (a notification may name one the table has not loaded). */
export async function ensureJob(id: number): Promise<JobView | undefined> {
  const cached = store().jobs.byId[id];
  if (cached) return cached;
  try {
    const job = await ferry.getJob({ id });
    store().upsertJobs([job]);
    return job;
  } catch (err) {
    showError(`Could not open job ${id}`, err);
    return undefined;
  }
}

/**
 * While the engine does not answer, a control is refused at once with a word, never held until
 * the connection returns (a Pause applied minutes later, unasked, is worse than none).
 */
function refusedWhileOffline(what: string): boolean {
  if (store().ui.connection.state === 'online') return false;
  showToast('error', OFFLINE_REASON, `Nothing was sent: ${what} again once Ferry answers.`);
  return true;
}

/** Sends a control (pause, resume, ...) and shows the job as the engine answered. */
export async function runJobControl(spec: JobControlSpec, id: number): Promise<boolean> {
  if (refusedWhileOffline(`${spec.label.toLowerCase()} job ${id}`)) return false;
  try {
    const job = await ferry[spec.command]({ id });
    store().upsertJobs([job]);
    return true;
  } catch (err) {
    showError(`Could not ${spec.label.toLowerCase()} job ${id}`, err);
    return false;
  }
}

const specOf = (control: JobControl): JobControlSpec => JOB_CONTROLS.find((c) => c.control === control) as JobControlSpec;

/** The engine's one-call bulk actions, by control. */
const BULK: Partial<Record<JobControl, BulkAction>> = { pause: 'pause', resume: 'resume', cancel: 'cancel', retry: 'retry' };

/** Runs a control on many jobs, skipping those it does not apply to, and says how it went. */
export async function runBulkControl(control: JobControl, ids: number[]): Promise<void> {
  const spec = specOf(control);
  if (refusedWhileOffline(`${spec.label.toLowerCase()} ${ids.length === 1 ? `job ${ids[0]}` : `the ${ids.length} jobs`}`)) return;
  const jobs = ids.map((id) => store().jobs.byId[id]).filter((j): j is JobView => j !== undefined);
  const targets = jobs.filter((j) => isControlAllowed(spec, j));
  if (targets.length === 0) {
    showToast('info', `Nothing to ${spec.label.toLowerCase()}`, `None of the ${jobs.length} selected jobs can be ${spec.done.split(' ')[0]} now.`);
    return;
  }
  if (targets.length === 1 && ids.length === 1) {
    await runJobControl(spec, (targets[0] as JobView).id);
    return;
  }
  const bulk = BULK[control];
  if (bulk) {
    await runBulkAction(bulk, spec.label, spec.done, targets.map((j) => j.id), jobs.length - targets.length);
    return;
  }
  const failures: string[] = [];
  let done = 0;
  const queue = targets.map((j) => j.id);
  const worker = async (): Promise<void> => {
    for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
      try {
        store().upsertJobs([await ferry[spec.command]({ id })]);
        done += 1;
      } catch (err) {
        failures.push(`#${id}: ${describeError(err)}`);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(BULK_PARALLEL, queue.length) }, worker));
  const skipped = jobs.length - targets.length;
  const tail = skipped > 0 ? ` (${skipped} skipped: not possible in their state)` : '';
  if (failures.length === 0) showToast('success', `${spec.label}: ${done} ${done === 1 ? 'job' : 'jobs'}`, `${done} ${spec.done}${tail}.`);
  else showToast('error', `${spec.label}: ${failures.length} of ${targets.length} failed`, failures.slice(0, 3).join('\n') + (failures.length > 3 ? `\n…and ${failures.length - 3} more` : ''));
}

const noun = (n: number): string => (n === 1 ? 'job' : 'jobs');

/** One bulkAction call; the rows update through the `jobs.changed` stream. */
async function runBulkAction(action: BulkAction, label: string, done: string, ids: number[], notApplicable: number): Promise<number[]> {
  try {
    const result = await ferry.bulkAction({ action, ids });
    const skipped = result.skipped.length + notApplicable;
    const tail = skipped > 0 ? ` (${skipped} skipped)` : '';
    if (result.skipped.length === 0) showToast('success', `${label}: ${result.affected.length} ${noun(result.affected.length)}`, `${result.affected.length} ${done}${tail}.`);
    else
      showToast(
        'error',
        `${label}: ${result.skipped.length} of ${ids.length} not done`,
        result.skipped
          .slice(0, 3)
          .map((s) => `#${s.id}: ${s.reason}`)
          .join('\n'),
      );
    return result.affected;
  } catch (err) {
    showError(`Could not ${label.toLowerCase()} ${ids.length} jobs`, err);
    return [];
  }
}

/** Space: pauses what can pause among the jobs, or else resumes what can resume. */
export async function togglePause(ids: number[]): Promise<void> {
  const jobs = ids.map((id) => store().jobs.byId[id]).filter((j): j is JobView => j !== undefined);
  const canPause = jobs.some((j) => isControlAllowed(specOf('pause'), j));
  await runBulkControl(canPause ? 'pause' : 'resume', ids);
}

/** Delete/Backspace: cancels unfinished jobs, or deletes finished ones (each after asking). */
export async function cancelOrDelete(ids: number[]): Promise<void> {
  const jobs = ids.map((id) => store().jobs.byId[id]).filter((j): j is JobView => j !== undefined);
  if (jobs.length === 0) return;
  if (refusedWhileOffline(ids.length === 1 ? `cancel or delete job ${ids[0]}` : `cancel or delete the ${ids.length} jobs`)) return;
  const unfinished = jobs.filter((j) => !isFinished(j.state));
  const first = jobs[0] as JobView;
  if (unfinished.length > 0) {
    const one = unfinished[0] as JobView;
    const single = unfinished.length === 1;
    const ok = await confirmAction({
      title: single ? `Cancel “${one.name}”?` : `Cancel ${unfinished.length} jobs?`,
      message: single
        ? `Job #${one.id} stops at once. It keeps its log and can be retried later.`
        : 'They stop at once. Each keeps its log and can be retried later.',
      confirmLabel: `Cancel ${noun(unfinished.length)}`,
      danger: true,
    });
    if (ok) await runBulkControl('cancel', unfinished.map((j) => j.id));
    return;
  }
  await deleteJobs(jobs.map((j) => j.id), jobs.length === 1 ? `job #${first.id} (${first.name})` : `${jobs.length} jobs`);
}

/**
 * Deletes jobs with their logs, after asking; running jobs must be canceled first. For uploads
 * the question offers to delete what they put at their destinations too (unticked at first).
 */
export async function deleteJobs(ids: number[], label = ids.length === 1 ? `job #${ids[0]}` : `${ids.length} jobs`): Promise<void> {
  if (refusedWhileOffline(`delete ${label}`)) return;
  const uploads = ids.map((id) => store().jobs.byId[id]).filter((j): j is JobView => j?.kind === 'upload');
  const where = [...new Set(uploads.map((j) => destinationName(j.destinationId)))];
  const answer = await confirmChoice({
    title: `Delete ${ids.length} ${noun(ids.length)}?`,
    message: `This removes ${label} with ${ids.length === 1 ? 'its log' : 'their logs'} for good.`,
    confirmLabel: `Delete ${noun(ids.length)}`,
    danger: true,
    ...(uploads.length > 0
      ? {
          option: {
            label: `Also delete the uploaded files at ${where.length === 1 ? where[0] : 'their destinations'}`,
            hint: 'Every file the upload sent, its manifest and dataset.json. Some servers do not allow it; then nothing is deleted.',
            checked: false,
          },
        }
      : {}),
  });
  if (!answer.ok) return;
  const deleteFiles = answer.checked;
  let removed: number[] = [];
  if (ids.length === 1 || deleteFiles) {
    let filesDeleted = 0;
    for (const id of ids) {
      try {
        const result = await ferry.deleteJob({ id, ...(deleteFiles ? { deleteFiles: true } : {}) });
        filesDeleted += result.filesDeleted;
        removed.push(id);
      } catch (err) {
        showError(`Could not delete job ${id}`, err);
      }
    }
    if (removed.length > 0) {
      const files = deleteFiles ? ` and ${filesDeleted} uploaded ${filesDeleted === 1 ? 'file' : 'files'}` : '';
      showToast('success', removed.length === 1 ? 'Job deleted' : `${removed.length} jobs deleted`, `${removed.length === 1 ? label : `${removed.length} jobs`}${files}`);
    }
  } else removed = await runBulkAction('delete', 'Delete', 'deleted', ids, 0);
  store().removeJobs(removed);
  store().dropSelected(removed);
}

function destinationName(id: string | null | undefined): string {
  const dest = store().destinations.list.find((d) => d.id === id);
  return dest ? `“${dest.name}”` : 'the built-in receiver';
}

export async function setPriority(id: number, priority: Priority): Promise<void> {
  try {
    store().upsertJobs([await ferry.setPriority({ id, priority })]);
  } catch (err) {
    showError(`Could not change the priority of job ${id}`, err);
  }
}

export async function copyJobIds(ids: number[]): Promise<void> {
  const text = ids.join(', ');
  await copyAndTell(text, ids.length === 1 ? 'Job id copied' : 'Job ids copied', text.length > 80 ? `${ids.length} ids` : text);
}

export async function revealJobLog(id: number): Promise<void> {
  try {
    await ferry.revealPath({ id, what: 'log' });
  } catch (err) {
    showError(`Could not show the log file of job ${id}`, err);
  }
}
