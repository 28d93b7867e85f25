/**
 * Watched-folder rules and their live statuses, kept from the `watch.changed` stream (its first
 * message is a full snapshot, later ones what changed), and which rule the editor has open.
 */
import type { StateCreator } from 'zustand';
import type { WatchChanged, WatchRule, WatchRuleStatus } from '../../../shared/watch';
import type { FerryState } from './store';

/** `new` opens an empty editor; an id edits that rule. */
export type WatchEditorTarget = { mode: 'new' } | { mode: 'edit'; id: string };

export interface WatchState {
  rules: Record<string, WatchRule>;
  /** Rule ids by name, as the list shows them. */
  order: string[];
  statuses: Record<string, WatchRuleStatus>;
  status: 'loading' | 'ready' | 'error';
  error: string | null;
  editor: WatchEditorTarget | null;
}

export interface WatchSlice {
  watch: WatchState;
  /** Replaces everything (a stream's first message, or a reload). */
  applyWatchSnapshot(rules: WatchRule[], statuses: WatchRuleStatus[]): void;
  /** Merges one `watch.changed` batch (or a command's answer). */
  applyWatchChanges(changes: WatchChanged): void;
  failWatch(message: string): void;
  setWatchEditor(target: WatchEditorTarget | null): void;
}

const byName = (rules: Record<string, WatchRule>): string[] =>
  Object.values(rules)
    .sort((a, b) => a.name.localeCompare(b.name, undefined, { sensitivity: 'base' }) || (a.id < b.id ? -1 : 1))
    .map((r) => r.id);

export const createWatchSlice: StateCreator<FerryState, [], [], WatchSlice> = (set) => ({
  watch: { rules: {}, order: [], statuses: {}, status: 'loading', error: null, editor: null },
  applyWatchSnapshot: (list, statusList) =>
    set((s) => {
      const rules = Object.fromEntries(list.map((r) => [r.id, r]));
      const statuses = Object.fromEntries(statusList.map((st) => [st.id, st]));
      return { watch: { ...s.watch, rules, statuses, order: byName(rules), status: 'ready', error: null } };
    }),
  applyWatchChanges: ({ rules: saved, statuses: moved, removed }) =>
    set((s) => {
      if (saved.length + moved.length + removed.length === 0) return s;
      const rules = saved.length || removed.length ? { ...s.watch.rules } : s.watch.rules;
      const statuses = moved.length || removed.length ? { ...s.watch.statuses } : s.watch.statuses;
      for (const r of saved) rules[r.id] = r;
      for (const st of moved) if (rules[st.id]) statuses[st.id] = st;
      for (const id of removed) {
        delete rules[id];
        delete statuses[id];
      }
      const order = rules === s.watch.rules ? s.watch.order : byName(rules);
      const editor = s.watch.editor?.mode === 'edit' && removed.includes(s.watch.editor.id) ? null : s.watch.editor;
      return { watch: { ...s.watch, rules, statuses, order, editor } };
    }),
  failWatch: (error) => set((s) => ({ watch: { ...s.watch, status: s.watch.order.length ? 'ready' : 'error', error } })),
  setWatchEditor: (editor) => set((s) => ({ watch: { ...s.watch, editor } })),
});
