/** The engine's settings as last loaded or saved, and the data directory from `health`. */
import type { StateCreator } from 'zustand';
import type { Health } from '../../../shared/contract';
import type { Settings } from '../../../shared/settings';
import type { FerryState } from './store';

export interface SettingsState {
  data: Settings | null;
  status: 'loading' | 'ready' | 'error';
  error: string | null;
  health: Health | null;
}

export interface SettingsSlice {
  settings: SettingsState;
  applySettings(settings: Settings): void;
  /**
   * Settings saved elsewhere (another window, a tab, the CLI) or the echo of this window's own
   * save; a copy equal to what the store holds changes nothing, so nothing re-renders.
   */
  receiveSettings(settings: Settings): void;
  failSettings(message: string): void;
  applyHealth(health: Health): void;
}

/** Both come from the engine's one schema, so their keys are in the same order. */
const sameSettings = (a: Settings, b: Settings): boolean => JSON.stringify(a) === JSON.stringify(b);

export const createSettingsSlice: StateCreator<FerryState, [], [], SettingsSlice> = (set) => ({
  settings: { data: null, status: 'loading', error: null, health: null },
  applySettings: (data) => set((s) => ({ settings: { ...s.settings, data, status: 'ready', error: null } })),
  receiveSettings: (data) =>
    set((s) => (s.settings.data && sameSettings(s.settings.data, data) ? s : { settings: { ...s.settings, data, status: 'ready', error: null } })),
  failSettings: (error) => set((s) => ({ settings: { ...s.settings, status: s.settings.data ? 'ready' : 'error', error } })),
  applyHealth: (health) => set((s) => ({ settings: { ...s.settings, health } })),
});
