/** Toasts: short confirmations, and errors with their stable code and details. */
import { FerryError, fromWireError } from '../../../../shared/errors';
import { copyText } from '../../lib/clipboard';
import { useFerryStore } from '../store';
import type { ToastKind } from '../uiSlice';

const TOAST_MS: Record<ToastKind, number> = { info: 4000, success: 4000, error: 12_000 };
let toastSeq = 0;
const store = useFerryStore.getState;

/** Any thrown value as a FerryError (unknown failures become INTERNAL). */
export function asFerryError(err: unknown): FerryError {
  return err instanceof FerryError ? err : fromWireError({ code: 'INTERNAL', message: err instanceof Error ? err.message : String(err) });
}

/** `CODE: message`, for places with room for one line. */
export const describeError = (err: unknown): string => {
  const e = asFerryError(err);
  return `${e.code}: ${e.message}`;
};

function detailsText(details: unknown): string | undefined {
  if (details === undefined || details === null) return undefined;
  try {
    return typeof details === 'string' ? details : JSON.stringify(details, null, 2);
  } catch {
    return String(details);
  }
}

export function showToast(kind: ToastKind, title: string, message: string, error?: FerryError): void {
  const id = ++toastSeq;
  const details = error ? detailsText(error.details) : undefined;
  store().addToast({ id, kind, title, message, ...(error ? { code: error.code } : {}), ...(details ? { details } : {}) });
  window.setTimeout(() => store().dismissToast(id), TOAST_MS[kind]);
}

/** Shows a failure with its stable code and details. */
export function showError(title: string, err: unknown): void {
  const error = asFerryError(err);
  showToast('error', title, error.message, error);
}

export const dismissToast = (id: number): void => store().dismissToast(id);

/** Copies `text` and says so in a toast (`copied`, with `detail`), or why it could not (`failed`). */
export async function copyAndTell(text: string, copied: string, detail: string, failed = 'Could not copy'): Promise<void> {
  try {
    await copyText(text);
    showToast('success', copied, detail);
  } catch (err) {
    showError(failed, err);
  }
}
