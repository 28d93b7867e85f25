/**
 * The shell: which screen is open, toasts, dialogs (confirm, shortcuts, context menu), the
 * connection, and what the host can do.
 */
import type { StateCreator } from 'zustand';
import type { Capabilities } from '../../../shared/contract';
import type { ErrorCode } from '../../../shared/errors';
import type { ConnectionStatus } from '../transport/connectionStatus';
import type { Theme } from '../theme';
import type { FerryState } from './store';

export const VIEWS = ['jobs', 'browse', 'destinations', 'watch', 'webhooks', 'stats', 'settings'] as const;
export type View = (typeof VIEWS)[number];

export type ToastKind = 'error' | 'info' | 'success';

export interface Toast {
  id: number;
  kind: ToastKind;
  title: string;
  message: string;
  /** The stable error code, for errors. */
  code?: ErrorCode;
  /** Extra facts the engine gave (shown on request). */
  details?: string;
}

export interface ConfirmRequest {
  title: string;
  message: string;
  confirmLabel: string;
  danger: boolean;
  /** A checkbox that goes with the answer (unchecked at first: the less destructive choice). */
  option?: { label: string; hint?: string; checked: boolean };
}

export interface ContextMenuRequest {
  x: number;
  y: number;
  /** The jobs the menu acts on (the selection, or the row right-clicked). */
  jobIds: number[];
}

export interface UiState {
  view: View;
  toasts: Toast[];
  connection: ConnectionStatus;
  theme: Theme;
  capabilities: Capabilities | null;
  confirm: ConfirmRequest | null;
  shortcutsOpen: boolean;
  contextMenu: ContextMenuRequest | null;
  /** The files being dragged over the window. */
  dragging: boolean;
}

export interface UiSlice {
  ui: UiState;
  setView(view: View): void;
  addToast(toast: Toast): void;
  dismissToast(id: number): void;
  setConnection(status: ConnectionStatus): void;
  setThemeState(theme: Theme): void;
  setCapabilities(capabilities: Capabilities): void;
  setConfirm(request: ConfirmRequest | null): void;
  setShortcutsOpen(open: boolean): void;
  setContextMenu(menu: ContextMenuRequest | null): void;
  setDragging(dragging: boolean): void;
}

/** Older toasts give way so a burst of failures cannot cover the window. */
const MAX_TOASTS = 4;

export const createUiSlice: StateCreator<FerryState, [], [], UiSlice> = (set) => {
  const patch = <K extends keyof UiState>(key: K, value: UiState[K]) =>
    set((s) => (s.ui[key] === value ? s : { ui: { ...s.ui, [key]: value } }));
  return {
    ui: {
      view: 'jobs',
      toasts: [],
      connection: { state: 'connecting', attempt: 0, retryAt: null },
      theme: 'system',
      capabilities: null,
      confirm: null,
      shortcutsOpen: false,
      contextMenu: null,
      dragging: false,
    },
    setView: (view) => patch('view', view),
    addToast: (toast) => set((s) => ({ ui: { ...s.ui, toasts: [...s.ui.toasts, toast].slice(-MAX_TOASTS) } })),
    dismissToast: (id) =>
      set((s) => (s.ui.toasts.some((t) => t.id === id) ? { ui: { ...s.ui, toasts: s.ui.toasts.filter((t) => t.id !== id) } } : s)),
    setConnection: (connection) => patch('connection', connection),
    setThemeState: (theme) => patch('theme', theme),
    setCapabilities: (capabilities) => patch('capabilities', capabilities),
    setConfirm: (confirm) => patch('confirm', confirm),
    setShortcutsOpen: (open) => patch('shortcutsOpen', open),
    setContextMenu: (menu) => patch('contextMenu', menu),
    setDragging: (dragging) => patch('dragging', dragging),
  };
};
