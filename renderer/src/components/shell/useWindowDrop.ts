/**
 * The whole window is a drop target for files and folders: dragging shows the overlay, dropping
 * opens the new-upload sheet with what was dropped. Listeners sit on `window` so a drop anywhere
 * (even outside React's root) counts.
 */
import { useEffect } from 'react';
import { handleDrop } from '../../store/actions/upload';
import { carriesFiles } from '../../lib/webDrop';
import { useFerryStore } from '../../store/store';

export function useWindowDrop(): void {
  useEffect(() => {
    let depth = 0;
    const setDragging = (on: boolean) => useFerryStore.getState().setDragging(on);
    const busy = () => useFerryStore.getState().upload.submitting;

    const onEnter = (event: DragEvent) => {
      if (!carriesFiles(event.dataTransfer)) return;
      event.preventDefault();
      depth += 1;
      if (!busy()) setDragging(true);
    };
    const onOver = (event: DragEvent) => {
      if (!carriesFiles(event.dataTransfer)) return;
      event.preventDefault();
      if (event.dataTransfer) event.dataTransfer.dropEffect = busy() ? 'none' : 'copy';
    };
    const onLeave = (event: DragEvent) => {
      if (!carriesFiles(event.dataTransfer)) return;
      // dragenter on the next element comes before dragleave on the last: only the window's edge reaches 0.
      depth = Math.max(0, depth - 1);
      if (depth === 0) setDragging(false);
    };
    const onDrop = (event: DragEvent) => {
      depth = 0;
      setDragging(false);
      if (!carriesFiles(event.dataTransfer) || !event.dataTransfer) return;
      event.preventDefault();
      if (busy()) return;
      handleDrop(event.dataTransfer);
    };
    window.addEventListener('dragenter', onEnter);
    window.addEventListener('dragover', onOver);
    window.addEventListener('dragleave', onLeave);
    window.addEventListener('drop', onDrop);
    return () => {
      window.removeEventListener('dragenter', onEnter);
      window.removeEventListener('dragover', onOver);
      window.removeEventListener('dragleave', onLeave);
      window.removeEventListener('drop', onDrop);
    };
  }, []);
}
