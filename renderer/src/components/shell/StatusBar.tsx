/** A footer: whether the engine is connected, what is running and how fast, and the data folder's free space. */
import type { ReactElement } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { formatBytes, formatCount, formatPercent } from '../../../../shared/format';
import { plural } from '../../../../shared/plural';
import { showJobsIn } from '../../store/actions/navigation';
import { selectConnection } from '../../store/selectors';
import { useFerryStore } from '../../store/store';
import './StatusBar.css';

export function StatusBar(): ReactElement {
  const connection = useFerryStore((s) => selectConnection(s).state);
  const { running, queued, awaiting, bps, progress } = useFerryStore(
    useShallow((s) => ({
      running: s.stats.current?.running ?? 0,
      queued: s.stats.current?.counts.queued ?? 0,
      awaiting: s.stats.current?.counts.awaiting_approval ?? 0,
      bps: s.stats.current?.bytesPerSecond ?? 0,
      progress: s.stats.current?.activeProgress ?? null,
    })),
  );
  const online = connection === 'online';
  // Figures from before the connection dropped are stale: say so instead of showing them.
  if (!online) {
    return (
      <footer className="status-bar status-bar-offline" data-testid="status-bar">
        <span className="status-bar-conn" data-testid="connection-state" data-state={connection}>
          {connection === 'unauthorized' ? 'Not authorised' : 'Disconnected'}
        </span>
        <span className="status-bar-item">{connection === 'unauthorized' ? 'Open Ferry again from its own link.' : 'Controls are off until Ferry answers again.'}</span>
      </footer>
    );
  }
  return (
    <footer className="status-bar" data-testid="status-bar">
      <span className="status-bar-conn status-bar-conn-online" data-testid="connection-state" data-state={connection}>
        Connected
      </span>
      <span className="status-bar-item" data-testid="status-running">
        {running > 0 ? `${formatCount(running)} running${progress !== null ? ` · ${formatPercent(progress)}` : ''}` : awaiting > 0 ? '' : 'Idle'}
      </span>
      {awaiting > 0 ? (
        <button type="button" className="status-bar-item status-bar-attention" data-testid="status-awaiting" onClick={() => showJobsIn(['awaiting_approval'])}>
          {formatCount(awaiting)} {plural(awaiting, 'job')} waiting for your approval
        </button>
      ) : null}
      {queued > 0 ? <span className="status-bar-item">{formatCount(queued)} queued</span> : null}
      {/* A rate only while something runs: a paused or finished transfer moves nothing. */}
      {running > 0 && bps > 0 ? <span className="status-bar-item status-bar-rate">↑ {formatBytes(bps)}/s</span> : null}
    </footer>
  );
}
