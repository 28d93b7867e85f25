/** The renderer's one store: a slice per domain (zustand slices pattern). */
import { create } from 'zustand';
import { createBrowseSlice } from './browseSlice';
import type { BrowseSlice } from './browseSlice';
import { createDestinationsSlice } from './destinationsSlice';
import type { DestinationsSlice } from './destinationsSlice';
import { createDetailSlice } from './detailSlice';
import type { DetailSlice } from './detailSlice';
import { createJobsSlice } from './jobsSlice';
import type { JobsSlice } from './jobsSlice';
import { createLogSlice } from './logSlice';
import type { LogSlice } from './logSlice';
import { createNewJobSlice } from './newJobSlice';
import type { NewJobSlice } from './newJobSlice';
import { createSelectionSlice } from './selectionSlice';
import type { SelectionSlice } from './selectionSlice';
import { createSettingsSlice } from './settingsSlice';
import type { SettingsSlice } from './settingsSlice';
import { createStatsSlice } from './statsSlice';
import type { StatsSlice } from './statsSlice';
import { createUiSlice } from './uiSlice';
import type { UiSlice } from './uiSlice';
import { createUploadSlice } from './uploadSlice';
import type { UploadSlice } from './uploadSlice';
import { createWatchSlice } from './watchSlice';
import type { WatchSlice } from './watchSlice';
import { createWebhooksSlice } from './webhooksSlice';
import type { WebhooksSlice } from './webhooksSlice';

export type FerryState = JobsSlice &
  WatchSlice &
  SelectionSlice &
  LogSlice &
  DetailSlice &
  DestinationsSlice &
  BrowseSlice &
  SettingsSlice &
  StatsSlice &
  UploadSlice &
  WebhooksSlice &
  NewJobSlice &
  UiSlice;

export const useFerryStore = create<FerryState>()((...args) => ({
  ...createJobsSlice(...args),
  ...createSelectionSlice(...args),
  ...createLogSlice(...args),
  ...createDetailSlice(...args),
  ...createDestinationsSlice(...args),
  ...createBrowseSlice(...args),
  ...createSettingsSlice(...args),
  ...createStatsSlice(...args),
  ...createUploadSlice(...args),
  ...createWatchSlice(...args),
  ...createWebhooksSlice(...args),
  ...createNewJobSlice(...args),
  ...createUiSlice(...args),
}));
