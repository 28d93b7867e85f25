/**
 * Watched folders: every rule with its live state (followed from `watch.changed` while this
 * screen is open), and the editor to add or change one.
 */
import { useEffect } from 'react';
import type { ReactElement } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { formatCount } from '../../../../shared/format';
import { EmptyState, LoadFailed } from '../common/EmptyState';
import { FolderIcon, PlusIcon } from '../common/icons';
import { followWatch, openWatchEditor, reloadWatch } from '../../store/actions/watch';
import { useFerryStore } from '../../store/store';
import { WatchRuleCard } from './WatchRuleCard';
import { WatchRuleEditor } from './WatchRuleEditor';
import '../common/StateBadge.css';
import './WatchScreen.css';

export function WatchScreen(): ReactElement {
  const { order, status, error } = useFerryStore(useShallow((s) => ({ order: s.watch.order, status: s.watch.status, error: s.watch.error })));
  const rules = useFerryStore((s) => s.watch.rules);
  const active = useFerryStore((s) => Object.values(s.watch.statuses).filter((st) => st.state === 'watching' || st.state === 'polling').length);
  useEffect(() => followWatch(), []);

  let body: ReactElement;
  if (status === 'error') {
    body = (
      <LoadFailed what="the watched folders" error={error} retry={reloadWatch} />
    );
  } else if (status === 'ready' && order.length === 0) {
    body = (
      <EmptyState
        glyph={<FolderIcon />}
        title="No watched folders yet"
        hint="Point Ferry at the folder an instrument writes to: new files, or each new acquisition folder, are uploaded on their own."
        actions={
          <button type="button" className="btn btn-primary" onClick={() => openWatchEditor({ mode: 'new' })}>
            <PlusIcon /> Watch a folder
          </button>
        }
        testId="watch-empty"
      />
    );
  } else {
    body = (
      <>
        <p className="watch-intro">
          Each file is sent once and again only when it changes; Ferry remembers what it sent across restarts. Network folders are polled.
        </p>
        <ul className="card-list" aria-label="Watched folders" aria-busy={status === 'loading'}>
          {order.map((id) => {
            const rule = rules[id];
            return rule ? <WatchRuleCard key={id} rule={rule} /> : null;
          })}
        </ul>
      </>
    );
  }

  return (
    <div className="screen" data-testid="watch-screen">
      <header className="screen-header">
        <h1 className="screen-title">Watched folders</h1>
        <span className="screen-meta">{status === 'ready' && order.length > 0 ? `${formatCount(active)} of ${formatCount(order.length)} active` : ''}</span>
        <div className="screen-actions">
          <button type="button" className="btn btn-primary" onClick={() => openWatchEditor({ mode: 'new' })}>
            <PlusIcon />
            Watch a folder
          </button>
        </div>
      </header>
      <div className="screen-body">
        <div className="screen-body-narrow">{body}</div>
      </div>
      <WatchRuleEditor />
    </div>
  );
}
