/**
 * Which jobs are selected in the table (for bulk actions) and which one is active (shown in the
 * detail panel). Ctrl/Cmd toggles, Shift extends from the anchor, a plain click selects one.
 */
import type { StateCreator } from 'zustand';
import type { FerryState } from './store';

export interface SelectionState {
  ids: Record<number, true>;
  count: number;
  /** Where a Shift range starts. */
  anchorId: number | null;
  /** The job in the detail panel. */
  activeId: number | null;
}

export interface SelectionSlice {
  selection: SelectionState;
  /** Selects exactly these ids (or none); `active` becomes the detail panel's job. */
  setSelection(ids: number[], active: number | null, anchor?: number | null): void;
  /** Adds or removes one id, making it active. */
  toggleSelected(id: number): void;
  /** Forgets ids that are gone. */
  dropSelected(ids: number[]): void;
}

const toRecord = (ids: number[]): Record<number, true> => {
  const out: Record<number, true> = {};
  for (const id of ids) out[id] = true;
  return out;
};

export const createSelectionSlice: StateCreator<FerryState, [], [], SelectionSlice> = (set) => ({
  selection: { ids: {}, count: 0, anchorId: null, activeId: null },
  setSelection: (ids, active, anchor) =>
    set((s) => {
      const record = toRecord(ids);
      const count = Object.keys(record).length;
      const prev = s.selection;
      const anchorId = anchor === undefined ? active : anchor;
      if (prev.activeId === active && prev.anchorId === anchorId && prev.count === count && ids.every((id) => prev.ids[id])) return s;
      return { selection: { ids: record, count, anchorId, activeId: active } };
    }),
  toggleSelected: (id) =>
    set((s) => {
      const ids = { ...s.selection.ids };
      if (ids[id]) delete ids[id];
      else ids[id] = true;
      const count = Object.keys(ids).length;
      return { selection: { ids, count, anchorId: id, activeId: ids[id] ? id : s.selection.activeId === id ? null : s.selection.activeId } };
    }),
  dropSelected: (gone) =>
    set((s) => {
      if (!gone.some((id) => s.selection.ids[id] || s.selection.activeId === id)) return s;
      const ids = { ...s.selection.ids };
      for (const id of gone) delete ids[id];
      const activeId = s.selection.activeId !== null && gone.includes(s.selection.activeId) ? null : s.selection.activeId;
      return { selection: { ids, count: Object.keys(ids).length, anchorId: s.selection.anchorId, activeId } };
    }),
});
