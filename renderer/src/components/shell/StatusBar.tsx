/** A footer: whether the engine is connected, what is running and how fast, and the data folder's free space. */
import type { ReactElement } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { formatBytes, formatCount, formatPercent } from '../../../../shared/format';
import { selectConnection } from '../../store/selectors';
import { useFerryStore } from '../../store/store';
import './StatusBar.css';

export function StatusBar(): ReactElement {
  const connection = useFerryStore((s) => selectConnection(s).state);
  const { running, queued, bps, progress } = useFerryStore(
    useShallow((s) => ({
      running: s.stats.current?.running ?? 0,
      queued: s.stats.current?.counts.queued ?? 0,
      bps: s.stats.current?.bytesPerSecond ?? 0,
      progress: s.stats.current?.activeProgress ?? null,
    })),
  );
  const online = connection === 'online';
  return (
    <footer className="status-bar" data-testid="status-bar">
      <span className={`status-bar-conn${online ? ' status-bar-conn-online' : ''}`} data-testid="connection-state" data-state={connection}>
        {online ? 'Connected' : connection === 'unauthorized' ? 'Not authorised' : 'Offline'}
      </span>
      <span className="status-bar-item" data-testid="status-running">
        {running > 0 ? `${formatCount(running)} running${progress !== null ? ` · ${formatPercent(progress)}` : ''}` : 'Idle'}
      </span>
      {queued > 0 ? <span className="status-bar-item">{formatCount(queued)} queued</span> : null}
      {bps > 0 ? <span className="status-bar-item status-bar-rate">↑ {formatBytes(bps)}/s</span> : null}
    </footer>
  );
}
