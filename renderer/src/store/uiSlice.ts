/** What the user is looking at and how the app is doing: selection, toasts, connection, theme. */
import type { StateCreator } from 'zustand';
import type { ErrorCode } from '../../../shared/errors';
import type { ConnectionStatus } from '../transport/connectionStatus';
import type { Theme } from '../theme';
import type { FerryState } from './store';

export type ToastKind = 'error' | 'info';

export interface Toast {
  id: number;
  kind: ToastKind;
  title: string;
  message: string;
  /** The stable error code, for errors. */
  code?: ErrorCode;
}

export interface UiState {
  selectedId: number | null;
  toasts: Toast[];
  connection: ConnectionStatus;
  theme: Theme;
}

export interface UiSlice {
  ui: UiState;
  selectJob(id: number | null): void;
  addToast(toast: Toast): void;
  dismissToast(id: number): void;
  setConnection(status: ConnectionStatus): void;
  setThemeState(theme: Theme): void;
}

/** Older toasts give way so a burst of failures cannot cover the window. */
const MAX_TOASTS = 4;

export const createUiSlice: StateCreator<FerryState, [], [], UiSlice> = (set) => ({
  ui: {
    selectedId: null,
    toasts: [],
    connection: { state: 'connecting', attempt: 0, retryAt: null },
    theme: 'system',
  },
  selectJob: (id) => set((s) => (s.ui.selectedId === id ? s : { ui: { ...s.ui, selectedId: id } })),
  addToast: (toast) => set((s) => ({ ui: { ...s.ui, toasts: [...s.ui.toasts, toast].slice(-MAX_TOASTS) } })),
  dismissToast: (id) =>
    set((s) => (s.ui.toasts.some((t) => t.id === id) ? { ui: { ...s.ui, toasts: s.ui.toasts.filter((t) => t.id !== id) } } : s)),
  setConnection: (connection) => set((s) => ({ ui: { ...s.ui, connection } })),
  setThemeState: (theme) => set((s) => (s.ui.theme === theme ? s : { ui: { ...s.ui, theme } })),
});
