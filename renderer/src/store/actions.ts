/**
 * What the user can do, as plain functions components call. They talk to the engine through the
 * typed API and put its answers in the store, so no component holds engine logic.
 */
import { FerryError, fromWireError } from '../../../shared/errors';
import type { JobControlSpec } from '../jobControls';
import { applyTheme, saveTheme } from '../theme';
import type { Theme } from '../theme';
import { ferry } from '../transport';
import { formatBytes } from '../../../shared/format';
import { useFerryStore } from './store';
import type { ToastKind } from './uiSlice';

export { reconnectNow } from '../transport';

/** What "New demo job" starts. */
export const DEMO_JOB = { items: 120, failRate: 0.1, itemDelayMs: 120 } as const;

const TOAST_MS: Record<ToastKind, number> = { info: 4000, error: 10_000 };
const READ_CHUNK = 4 * 1024 * 1024;
let toastSeq = 0;

const store = useFerryStore.getState;

export function showToast(kind: ToastKind, title: string, message: string, error?: FerryError): void {
  const id = ++toastSeq;
  store().addToast({ id, kind, title, message, ...(error ? { code: error.code } : {}) });
  window.setTimeout(() => store().dismissToast(id), TOAST_MS[kind]);
}

/** Shows a failure with its stable code; anything not a FerryError becomes INTERNAL. */
export function showError(title: string, err: unknown): void {
  const error = err instanceof FerryError ? err : fromWireError({ code: 'INTERNAL', message: err instanceof Error ? err.message : String(err) });
  showToast('error', title, error.message, error);
}

export const dismissToast = (id: number): void => store().dismissToast(id);

export const selectJob = (id: number | null): void => store().selectJob(id);

/** Moves the selection through the list (arrow keys): by `delta` rows, or to either end. */
export function moveSelection(to: number | 'first' | 'last'): void {
  const { jobs, ui } = store();
  if (jobs.ids.length === 0) return;
  const last = jobs.ids.length - 1;
  const current = ui.selectedId === null ? -1 : jobs.ids.indexOf(ui.selectedId);
  const index =
    to === 'first' ? 0 : to === 'last' ? last : current < 0 ? (to > 0 ? 0 : last) : Math.min(last, Math.max(0, current + to));
  store().selectJob(jobs.ids[index] ?? null);
}

export async function createDemoJob(): Promise<void> {
  try {
    const job = await ferry.createDemoJob({ ...DEMO_JOB });
    store().upsertJobs([job]);
    store().selectJob(job.id);
  } catch (err) {
    showError('Could not create a demo job', err);
  }
}

/** Sends a control (pause, resume, ...) and shows the job as the engine answered. */
export async function runJobControl(spec: JobControlSpec, id: number): Promise<void> {
  try {
    const job = await ferry[spec.command]({ id });
    store().upsertJobs([job]);
  } catch (err) {
    showError(`Could not ${spec.label.toLowerCase()} job ${id}`, err);
  }
}

export function setTheme(theme: Theme): void {
  saveTheme(theme);
  applyTheme(theme);
  store().setThemeState(theme);
}

/** Reads the whole log (the tail keeps only its end) and hands it to the browser as a download. */
export async function saveFullLog(id: number): Promise<void> {
  try {
    const parts: string[] = [];
    let offset = 0;
    let bytes = 0;
    for (;;) {
      const chunk = await ferry.readLog({ id, offset, maxBytes: READ_CHUNK });
      parts.push(chunk.text);
      bytes += chunk.nextOffset - offset;
      if (chunk.eof || chunk.nextOffset <= offset) break;
      offset = chunk.nextOffset;
    }
    const url = URL.createObjectURL(new Blob(parts, { type: 'text/plain;charset=utf-8' }));
    const link = document.createElement('a');
    link.href = url;
    link.download = `ferry-job-${id}.log`;
    link.click();
    window.setTimeout(() => URL.revokeObjectURL(url), 60_000);
    showToast('info', `Full log of job ${id}`, `Saved ${formatBytes(bytes)} as ${link.download}`);
  } catch (err) {
    showError(`Could not read the full log of job ${id}`, err);
  }
}
