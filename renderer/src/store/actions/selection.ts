/** Table selection the way desktop tables do it: click, Ctrl/Cmd-click, Shift-click, arrows. */
import { selectDisplayIds } from '../selectors';
import { useFerryStore } from '../store';
import { loadAllJobs, loadMoreJobs } from './jobs';

const store = useFerryStore.getState;

export interface ClickModifiers {
  /** Ctrl on Windows/Linux, Cmd on macOS. */
  toggle: boolean;
  range: boolean;
}

const rangeOf = (ids: number[], from: number, to: number): number[] => {
  const a = ids.indexOf(from);
  const b = ids.indexOf(to);
  if (a < 0 || b < 0) return [to];
  return ids.slice(Math.min(a, b), Math.max(a, b) + 1);
};

export function clickJob(id: number, mods: ClickModifiers): void {
  const s = store();
  const { anchorId, ids: selected } = s.selection;
  if (mods.range && anchorId !== null) {
    const range = rangeOf(selectDisplayIds(s), anchorId, id);
    const keep = mods.toggle ? Object.keys(selected).map(Number) : [];
    s.setSelection([...new Set([...keep, ...range])], id, anchorId);
  } else if (mods.toggle) {
    s.toggleSelected(id);
  } else {
    s.setSelection([id], id);
  }
}

/** Makes one job the active one and the whole selection (notifications, new jobs). */
export const showJob = (id: number): void => store().setSelection([id], id);

export const clearSelection = (): void => store().setSelection([], null);

/** Keeps the detail panel's job but forgets the rest of the selection. */
export function collapseSelection(): void {
  const { activeId } = store().selection;
  store().setSelection(activeId === null ? [] : [activeId], activeId);
}

/** Arrow keys: moves the active row by `delta` (or to an end); Shift extends from the anchor. */
export function moveActive(to: number | 'first' | 'last', extend = false): void {
  // End means the last job of the query, not of the pages loaded so far.
  if (to === 'last' && !store().jobs.view.complete) {
    void loadAllJobs().then(() => moveActive('last', extend));
    return;
  }
  const s = store();
  const ids = selectDisplayIds(s);
  if (ids.length === 0) return;
  const last = ids.length - 1;
  const current = s.selection.activeId === null ? -1 : ids.indexOf(s.selection.activeId);
  const index = to === 'first' ? 0 : to === 'last' ? last : current < 0 ? (to > 0 ? 0 : last) : Math.min(last, Math.max(0, current + to));
  const id = ids[index];
  if (id === undefined) return;
  if (extend && s.selection.anchorId !== null) s.setSelection(rangeOf(ids, s.selection.anchorId, id), id, s.selection.anchorId);
  else s.setSelection([id], id);
  // Walking off the loaded rows loads the next page.
  if (index >= last - 5) void loadMoreJobs();
}

/** Ctrl/Cmd+A: every job of the query (loading the rest first). */
export async function selectAllJobs(): Promise<void> {
  await loadAllJobs();
  const s = store();
  const ids = selectDisplayIds(s);
  s.setSelection(ids, s.selection.activeId ?? ids[0] ?? null, s.selection.anchorId);
}

/** The jobs an action applies to: the selection, or the active job alone. */
export function targetIds(): number[] {
  const { ids, activeId } = store().selection;
  const selected = Object.keys(ids).map(Number);
  if (selected.length > 0) return selected;
  return activeId === null ? [] : [activeId];
}
