/** One rule: its folder, live state and figures, and its switch, edit and delete. */
import type { ReactElement } from 'react';
import { formatCount, formatTimestamp } from '../../../../shared/format';
import type { WatchRule, WatchRuleStatus, WatchState } from '../../../../shared/watch';
import { AlertIcon, EditIcon, FolderIcon, TrashIcon } from '../common/icons';
import { deleteWatchRule, openWatchEditor, setWatchRuleEnabled } from '../../store/actions/watch';
import { useFerryStore } from '../../store/store';

const STATE_LABEL: Record<WatchState, string> = {
  disabled: 'Paused',
  starting: 'Scanning',
  watching: 'Watching',
  polling: 'Polling',
  error: 'Error',
};

function Figure({ label, value, tone }: { label: string; value: number; tone?: 'bad' }): ReactElement {
  return (
    <div className="watch-figure">
      <dt>{label}</dt>
      <dd className={tone === 'bad' && value > 0 ? 'watch-figure-bad' : undefined}>{formatCount(value)}</dd>
    </div>
  );
}

function describeWhen(rule: WatchRule): string {
  const s = (ms: number) => `${ms / 1000} s`;
  if (rule.mode === 'dataset') {
    const marker = rule.markerFile ? ` or when ${rule.markerFile} appears` : '';
    return `Each new folder is one dataset, sent after ${s(rule.datasetQuietMs)} without changes${marker}`;
  }
  return `Files are sent once stable for ${s(rule.stabilityMs)}, collected ${s(rule.batchMs)} per job`;
}

export function WatchRuleCard({ rule }: { rule: WatchRule }): ReactElement {
  const status: WatchRuleStatus | undefined = useFerryStore((s) => s.watch.statuses[rule.id]);
  const state: WatchState = status?.state ?? (rule.enabled ? 'starting' : 'disabled');
  const fs = status?.fsType ? `${status.network ? 'network · ' : ''}${status.fsType}` : null;
  return (
    <li className="card watch-card" data-testid="watch-rule" data-name={rule.name} data-state={state} aria-label={rule.name}>
      <div className="watch-main">
        <span className={`card-icon watch-icon${rule.enabled ? '' : ' watch-icon-off'}`} aria-hidden="true">
          <FolderIcon />
        </span>
        <div className="watch-text">
          <div className="watch-title-row">
            <h2 className="watch-name">{rule.name}</h2>
            <span className="watch-mode">{rule.mode === 'dataset' ? 'Datasets' : 'Files'}</span>
            <span className={`state-badge watch-state watch-state-${state}`} data-testid="watch-state">
              <span className="state-badge-dot" aria-hidden="true" />
              {STATE_LABEL[state]}
            </span>
            {fs ? <span className="watch-fs">{fs}</span> : null}
          </div>
          <p className="watch-path" title={rule.path}>
            {rule.path}
          </p>
          <p className="watch-when">{describeWhen(rule)}</p>
        </div>
        <div className="watch-actions">
          <label className="watch-switch" title={rule.enabled ? 'Pause this rule' : 'Start watching again'}>
            <input type="checkbox" className="checkbox" checked={rule.enabled} onChange={(e) => void setWatchRuleEnabled(rule, e.target.checked)} aria-label={`Watch ${rule.name}`} />
            <span>{rule.enabled ? 'On' : 'Off'}</span>
          </label>
          <button type="button" className="btn btn-icon btn-ghost" aria-label={`Edit ${rule.name}`} title="Edit" onClick={() => openWatchEditor({ mode: 'edit', id: rule.id })}>
            <EditIcon />
          </button>
          <button type="button" className="btn btn-icon btn-ghost btn-danger" aria-label={`Delete ${rule.name}`} title="Delete" onClick={() => void deleteWatchRule(rule)}>
            <TrashIcon />
          </button>
        </div>
      </div>
      {status && rule.enabled ? (
        <dl className="watch-figures" aria-label={`${rule.name} figures`}>
          <Figure label="Files seen" value={status.filesSeen} />
          <Figure label="Waiting" value={status.waiting} />
          <Figure label="In jobs" value={status.pending} />
          <Figure label="Uploaded" value={status.uploaded} />
          <Figure label="Not sent" value={status.failed} tone="bad" />
          <div className="watch-figure">
            <dt>Last activity</dt>
            <dd title={status.lastJobId ? `Last job #${status.lastJobId}` : undefined}>{status.lastActivity ? formatTimestamp(status.lastActivity) : '—'}</dd>
          </div>
        </dl>
      ) : null}
      {status?.lastError ? (
        <p className="watch-problem" role="status" data-testid="watch-error">
          <AlertIcon /> {status.lastError}
        </p>
      ) : null}
    </li>
  );
}
