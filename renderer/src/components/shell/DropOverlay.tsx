/** Shown while files are dragged over the window: dropping them anywhere starts a new upload. */
import type { ReactElement } from 'react';
import { useFerryStore } from '../../store/store';
import { UploadIcon } from '../common/icons';
import './DropOverlay.css';

export function DropOverlay(): ReactElement | null {
  const dragging = useFerryStore((s) => s.ui.dragging);
  const destination = useFerryStore((s) => s.destinations.list.find((d) => d.isDefault)?.name ?? null);
  if (!dragging) return null;
  return (
    <div className="drop-overlay" data-testid="drop-overlay" aria-hidden="true">
      <div className="drop-overlay-card">
        <span className="drop-overlay-icon">
          <UploadIcon />
        </span>
        <p className="drop-overlay-title">Drop files or folders to upload</p>
        {destination ? <p className="drop-overlay-hint">to {destination} — you can change it next</p> : null}
      </div>
    </div>
  );
}
