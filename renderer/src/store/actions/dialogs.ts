/** Modal questions and sheets the shell shows: confirmations, the shortcuts sheet, the context menu. */
import { useFerryStore } from '../store';
import type { ConfirmRequest, ContextMenuRequest } from '../uiSlice';

const store = useFerryStore.getState;
let pending: ((answer: { ok: boolean; checked: boolean }) => void) | null = null;

/** Asks the user; resolves true when they confirm. A newer question dismisses an older one. */
export async function confirmAction(request: ConfirmRequest): Promise<boolean> {
  return (await confirmChoice(request)).ok;
}

/** Asks the user a question with a checkbox; `checked` is the checkbox's state when they confirmed. */
export function confirmChoice(request: ConfirmRequest): Promise<{ ok: boolean; checked: boolean }> {
  pending?.({ ok: false, checked: false });
  store().setConfirm(request);
  return new Promise((resolve) => {
    pending = resolve;
  });
}

/** Ticks or clears the checkbox of the question shown. */
export function setConfirmOption(checked: boolean): void {
  const request = store().ui.confirm;
  if (request?.option) store().setConfirm({ ...request, option: { ...request.option, checked } });
}

export function answerConfirm(ok: boolean): void {
  const resolve = pending;
  const checked = store().ui.confirm?.option?.checked === true;
  pending = null;
  store().setConfirm(null);
  resolve?.({ ok, checked: ok && checked });
}

export const openShortcuts = (): void => store().setShortcutsOpen(true);
export const closeShortcuts = (): void => store().setShortcutsOpen(false);
export const openContextMenu = (menu: ContextMenuRequest): void => store().setContextMenu(menu);
export const closeContextMenu = (): void => store().setContextMenu(null);
