/** A footer with jobs per state and whether the engine is connected. */
import type { ReactElement } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { JobState } from '../../../shared/model';
import { formatCount, formatState } from '../../../shared/format';
import { selectConnection, selectStateCounts } from '../store/selectors';
import { useFerryStore } from '../store/store';
import '../styles/states.css';
import './StatusBar.css';

const SHOWN: readonly JobState[] = ['running', 'queued', 'paused', 'completed', 'failed', 'canceled'];

export function StatusBar(): ReactElement {
  const counts = useFerryStore(useShallow(selectStateCounts));
  const connection = useFerryStore((s) => selectConnection(s).state);
  const online = connection === 'online';
  return (
    <footer className="status-bar" data-testid="status-bar">
      <span className={`status-bar-conn${online ? ' status-bar-conn-online' : ''}`} data-testid="connection-state" data-state={connection}>
        {online ? 'Connected' : connection === 'unauthorized' ? 'Not authorised' : 'Offline'}
      </span>
      <span className="status-bar-counts">
        {SHOWN.map((state) =>
          counts[state] > 0 ? (
            <span key={state} className={`status-bar-count state-${state}`} data-state={state}>
              {formatCount(counts[state])} {formatState(state)}
            </span>
          ) : null,
        )}
      </span>
    </footer>
  );
}
