/** Which "new job" sheet is open (a download from a URL or an S3 bucket, a command, or none), and what it starts with. */
import type { StateCreator } from 'zustand';
import type { FerryState } from './store';

export type NewJobKind = 'download' | 's3download' | 'command';

/** A bucket download started from a completed upload: that dataset, from that destination. */
export interface DownloadBackPreset {
  sourceJobId: number;
  dataset: string;
  destinationId: string;
}

export interface NewJobSlice {
  newJob: { kind: NewJobKind | null; preset: DownloadBackPreset | null };
  setNewJobSheet(kind: NewJobKind | null, preset?: DownloadBackPreset): void;
}

export const createNewJobSlice: StateCreator<FerryState, [], [], NewJobSlice> = (set) => ({
  newJob: { kind: null, preset: null },
  setNewJobSheet: (kind, preset) => set({ newJob: { kind, preset: preset ?? null } }),
});
