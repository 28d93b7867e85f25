/**
 * The local file browser: places, the open folder's listing, the selection, and folder summaries
 * counted lazily (per path, so going back shows them at once).
 */
import type { StateCreator } from 'zustand';
import type { DirectoryListing, FolderSummary, Place } from '../../../shared/files';
import type { FerryState } from './store';

export type SummaryState = { status: 'pending' } | { status: 'ready'; summary: FolderSummary } | { status: 'error' };

export interface BrowseState {
  places: Place[];
  path: string | null;
  listing: DirectoryListing | null;
  status: 'idle' | 'loading' | 'ready' | 'error';
  error: string | null;
  showHidden: boolean;
  selected: Record<string, true>;
  anchor: string | null;
  summaries: Record<string, SummaryState>;
}

export interface BrowseSlice {
  browse: BrowseState;
  setPlaces(places: Place[]): void;
  beginListing(path: string): void;
  applyListing(listing: DirectoryListing): void;
  failListing(path: string, message: string): void;
  setShowHidden(show: boolean): void;
  setBrowseSelection(paths: string[], anchor: string | null): void;
  setSummary(path: string, summary: SummaryState): void;
}

export const createBrowseSlice: StateCreator<FerryState, [], [], BrowseSlice> = (set) => ({
  browse: { places: [], path: null, listing: null, status: 'idle', error: null, showHidden: false, selected: {}, anchor: null, summaries: {} },
  setPlaces: (places) => set((s) => ({ browse: { ...s.browse, places } })),
  beginListing: (path) => set((s) => ({ browse: { ...s.browse, path, status: 'loading', error: null } })),
  applyListing: (listing) =>
    set((s) => {
      const changedFolder = s.browse.listing?.path !== listing.path;
      return {
        browse: { ...s.browse, path: listing.path, listing, status: 'ready', error: null, ...(changedFolder ? { selected: {}, anchor: null } : {}) },
      };
    }),
  failListing: (path, error) => set((s) => (s.browse.path !== path ? s : { browse: { ...s.browse, status: 'error', error } })),
  setShowHidden: (showHidden) => set((s) => ({ browse: { ...s.browse, showHidden } })),
  setBrowseSelection: (paths, anchor) =>
    set((s) => {
      const selected: Record<string, true> = {};
      for (const p of paths) selected[p] = true;
      return { browse: { ...s.browse, selected, anchor } };
    }),
  setSummary: (path, summary) => set((s) => ({ browse: { ...s.browse, summaries: { ...s.browse.summaries, [path]: summary } } })),
});
