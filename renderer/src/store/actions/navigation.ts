/** Moving around the app: screens, the job search, and requests from the host (app.navigate). */
import type { NavigateRequest } from '../../../../shared/contract';
import type { JobStateFilter } from '../../../../shared/model';
import { useFerryStore } from '../store';
import type { View } from '../uiSlice';
import { ensureJob, setJobQuery } from './jobs';
import { showJob } from './selection';
import { openNewUpload } from './upload';

const store = useFerryStore.getState;

export const JOB_SEARCH_ID = 'job-search';
export const LOG_SEARCH_ID = 'log-search';

export const goTo = (view: View): void => store().setView(view);

/** The jobs screen filtered to some states (none: all jobs). */
export function showJobsIn(states: JobStateFilter[]): void {
  goTo('jobs');
  setJobQuery({ states });
}

/** Focuses an input once the screen that holds it has rendered. */
function focusSoon(id: string): void {
  const attempt = (left: number) => {
    const el = document.getElementById(id) as HTMLInputElement | null;
    if (el) {
      el.focus();
      el.select();
    } else if (left > 0) window.requestAnimationFrame(() => attempt(left - 1));
  };
  attempt(10);
}

/** Ctrl/Cmd+F: the log's search when the log has focus, else the job search. */
export function focusSearch(): void {
  const active = document.activeElement;
  if (active instanceof HTMLElement && active.closest('[data-log-region]') && store().detail.tab === 'log') {
    focusSoon(LOG_SEARCH_ID);
    return;
  }
  goTo('jobs');
  focusSoon(JOB_SEARCH_ID);
}

/** A notification or menu item of the host asked to show something. */
export async function handleNavigate(request: NavigateRequest): Promise<void> {
  if (request.view === 'settings') {
    goTo('settings');
  } else if (request.view === 'newUpload') {
    openNewUpload();
  } else {
    goTo('jobs');
    const job = await ensureJob(request.jobId);
    if (job) showJob(job.id);
  }
}
