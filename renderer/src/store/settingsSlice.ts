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
  failSettings(message: string): void;
  applyHealth(health: Health): void;
}

export const createSettingsSlice: StateCreator<FerryState, [], [], SettingsSlice> = (set) => ({
  settings: { data: null, status: 'loading', error: null, health: null },
  applySettings: (data) => set((s) => ({ settings: { ...s.settings, data, status: 'ready', error: null } })),
  failSettings: (error) => set((s) => ({ settings: { ...s.settings, status: s.settings.data ? 'ready' : 'error', error } })),
  applyHealth: (health) => set((s) => ({ settings: { ...s.settings, health } })),
});
