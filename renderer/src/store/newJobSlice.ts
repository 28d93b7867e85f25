/** Which "new job" sheet is open: a download, a command, or none. */
import type { StateCreator } from 'zustand';
import type { FerryState } from './store';

export type NewJobKind = 'download' | 'command';

export interface NewJobSlice {
  newJob: { kind: NewJobKind | null };
  setNewJobSheet(kind: NewJobKind | null): void;
}

export const createNewJobSlice: StateCreator<FerryState, [], [], NewJobSlice> = (set) => ({
  newJob: { kind: null },
  setNewJobSheet: (kind) => set({ newJob: { kind } }),
});
