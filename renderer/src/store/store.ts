/** The renderer's one store: a slice per domain (zustand slices pattern). */
import { create } from 'zustand';
import { createJobsSlice } from './jobsSlice';
import type { JobsSlice } from './jobsSlice';
import { createLogSlice } from './logSlice';
import type { LogSlice } from './logSlice';
import { createUiSlice } from './uiSlice';
import type { UiSlice } from './uiSlice';

export type FerryState = JobsSlice & LogSlice & UiSlice;

export const useFerryStore = create<FerryState>()((...args) => ({
  ...createJobsSlice(...args),
  ...createLogSlice(...args),
  ...createUiSlice(...args),
}));
