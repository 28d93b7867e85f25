/** Destinations (the default first), connection-test results, and the editor's target. */
import type { StateCreator } from 'zustand';
import type { DestinationTest, DestinationView } from '../../../shared/destinations';
import type { FerryState } from './store';

export type TestResult = { status: 'testing' } | { status: 'done'; result: DestinationTest; at: number } | { status: 'error'; message: string; code: string };

/** `new` opens an empty editor; an id edits that destination. */
export type EditorTarget = { mode: 'new' } | { mode: 'edit'; id: string };

export interface DestinationsState {
  list: DestinationView[];
  status: 'loading' | 'ready' | 'error';
  error: string | null;
  tests: Record<string, TestResult>;
  editor: EditorTarget | null;
}

export interface DestinationsSlice {
  destinations: DestinationsState;
  applyDestinations(list: DestinationView[]): void;
  failDestinations(message: string): void;
  setDestinationTest(id: string, result: TestResult | null): void;
  setDestinationEditor(target: EditorTarget | null): void;
}

export const createDestinationsSlice: StateCreator<FerryState, [], [], DestinationsSlice> = (set) => ({
  destinations: { list: [], status: 'loading', error: null, tests: {}, editor: null },
  applyDestinations: (list) => set((s) => ({ destinations: { ...s.destinations, list, status: 'ready', error: null } })),
  failDestinations: (error) =>
    set((s) => ({ destinations: { ...s.destinations, status: s.destinations.list.length ? 'ready' : 'error', error } })),
  setDestinationTest: (id, result) =>
    set((s) => {
      const tests = { ...s.destinations.tests };
      if (result) tests[id] = result;
      else delete tests[id];
      return { destinations: { ...s.destinations, tests } };
    }),
  setDestinationEditor: (editor) => set((s) => ({ destinations: { ...s.destinations, editor } })),
});
