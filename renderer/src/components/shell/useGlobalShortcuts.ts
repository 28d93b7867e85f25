/**
 * Window-wide keyboard shortcuts (see ShortcutsSheet). Keys typed into a field stay the field's;
 * widgets with their own arrow keys handle them first (React's handlers run before the window's).
 */
import { useEffect } from 'react';
import { closeContextMenu, openShortcuts } from '../../store/actions/dialogs';
import { cancelOrDelete, togglePause } from '../../store/actions/jobs';
import { focusSearch } from '../../store/actions/navigation';
import { clearSelection, collapseSelection, moveActive, selectAllJobs, targetIds } from '../../store/actions/selection';
import { openNewUpload } from '../../store/actions/upload';
import { useFerryStore } from '../../store/store';

const isTyping = (target: EventTarget | null): boolean =>
  target instanceof HTMLElement && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));

/** Space and Enter belong to a focused button, link, tab or menu item. */
const isPressable = (target: EventTarget | null): boolean =>
  target instanceof HTMLElement && !!target.closest('button, a[href], [role="tab"], [role="menuitem"], summary, [role="checkbox"]');

function onKey(event: KeyboardEvent): void {
  if (event.defaultPrevented || event.isComposing) return;
  const s = useFerryStore.getState();
  const mod = event.metaKey || event.ctrlKey;
  const key = event.key.length === 1 ? event.key.toLowerCase() : event.key;
  const modalOpen = document.querySelector('dialog[open]') !== null;

  if (mod && !event.altKey && key === 'o') {
    event.preventDefault();
    if (!s.upload.submitting) openNewUpload();
    return;
  }
  if (modalOpen) return;
  if (mod && !event.altKey && key === 'f') {
    event.preventDefault();
    focusSearch();
    return;
  }
  if (isTyping(event.target)) return;
  if (key === '?' && !mod) {
    event.preventDefault();
    openShortcuts();
    return;
  }
  if (s.ui.view !== 'jobs') return;
  if (key === 'Escape') {
    // Esc steps back: the menu, then a multiple selection, then the detail panel.
    if (s.ui.contextMenu) closeContextMenu();
    else if (s.selection.count > 1) collapseSelection();
    else clearSelection();
    return;
  }
  if (mod && key === 'a') {
    event.preventDefault();
    void selectAllJobs();
    return;
  }
  if (mod || event.altKey) return;
  if (key === ' ' && !isPressable(event.target)) {
    event.preventDefault();
    const ids = targetIds();
    if (ids.length) void togglePause(ids);
  } else if (key === 'Delete' || key === 'Backspace') {
    event.preventDefault();
    const ids = targetIds();
    if (ids.length) void cancelOrDelete(ids);
  } else if (key === 'ArrowDown' || key === 'ArrowUp') {
    event.preventDefault();
    moveActive(key === 'ArrowDown' ? 1 : -1, event.shiftKey);
  }
}

export function useGlobalShortcuts(): void {
  useEffect(() => {
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
}
