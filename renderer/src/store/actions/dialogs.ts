/** Modal questions and sheets the shell shows: confirmations, the shortcuts sheet, the context menu. */
import { useFerryStore } from '../store';
import type { ConfirmRequest, ContextMenuRequest } from '../uiSlice';

const store = useFerryStore.getState;
let pending: ((ok: boolean) => void) | null = null;

/** Asks the user; resolves true when they confirm. A newer question dismisses an older one. */
export function confirmAction(request: ConfirmRequest): Promise<boolean> {
  pending?.(false);
  store().setConfirm(request);
  return new Promise((resolve) => {
    pending = resolve;
  });
}

export function answerConfirm(ok: boolean): void {
  const resolve = pending;
  pending = null;
  store().setConfirm(null);
  resolve?.(ok);
}

export const openShortcuts = (): void => store().setShortcutsOpen(true);
export const closeShortcuts = (): void => store().setShortcutsOpen(false);
export const openContextMenu = (menu: ContextMenuRequest): void => store().setContextMenu(menu);
export const closeContextMenu = (): void => store().setContextMenu(null);
