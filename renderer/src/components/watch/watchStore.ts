/**
 * The store as the watch screen reads it. Until store.ts spreads createWatchSlice into
 * useFerryStore its type lacks the slice, so this one cast names it; once mounted the cast changes
 * nothing. Accessed lazily (never at module load) because store.ts imports the slice in turn.
 */
import type { StoreApi, UseBoundStore } from 'zustand';
import { useFerryStore } from '../../store/store';
import type { FerryState } from '../../store/store';
import type { WatchSlice } from '../../store/watchSlice';

type WithWatch = FerryState & WatchSlice;

const bound = (): UseBoundStore<StoreApi<WithWatch>> => useFerryStore as unknown as UseBoundStore<StoreApi<WithWatch>>;

/** Reads the watch slice (and anything else) with a selector, re-rendering when it changes. */
export function useWatch<T>(selector: (s: WithWatch) => T): T {
  return bound()(selector);
}

/** The current state, for actions. Throws if the slice was never mounted, naming the fix. */
export function watchState(): WithWatch {
  const s = bound().getState();
  if (!('watch' in s)) throw new Error('the watch slice is not mounted: spread createWatchSlice(...args) into useFerryStore in store.ts');
  return s;
}
