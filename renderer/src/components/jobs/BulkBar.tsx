/** Shown while several jobs are selected: act on all of them at once. */
import type { ReactElement } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { formatCount } from '../../../../shared/format';
import { isControlAllowed, JOB_CONTROLS, OFFLINE_REASON } from '../../jobControls';
import type { JobControl } from '../../jobControls';
import { cancelOrDelete, runBulkControl } from '../../store/actions/jobs';
import { collapseSelection } from '../../store/actions/selection';
import { selectOnline, selectSelectedJobs } from '../../store/selectors';
import { useFerryStore } from '../../store/store';
import { CancelIcon, CloseIcon, PauseIcon, PlayIcon, RetryIcon } from '../common/icons';

const BULK: ReadonlyArray<{ control: JobControl; Icon: typeof PauseIcon }> = [
  { control: 'pause', Icon: PauseIcon },
  { control: 'resume', Icon: PlayIcon },
  { control: 'retry', Icon: RetryIcon },
];

export function BulkBar(): ReactElement | null {
  const jobs = useFerryStore(useShallow(selectSelectedJobs));
  const online = useFerryStore(selectOnline);
  if (jobs.length < 2) return null;
  const ids = jobs.map((j) => j.id);
  const cancelSpec = JOB_CONTROLS.find((c) => c.control === 'cancel');
  const canCancel = cancelSpec ? jobs.filter((j) => isControlAllowed(cancelSpec, j)).length : 0;
  return (
    <div className="bulk-bar" role="toolbar" aria-label="Selected jobs" data-testid="bulk-bar">
      <span className="bulk-bar-count">{formatCount(jobs.length)} selected</span>
      {BULK.map(({ control, Icon }) => {
        const spec = JOB_CONTROLS.find((c) => c.control === control);
        if (!spec) return null;
        const n = jobs.filter((j) => isControlAllowed(spec, j)).length;
        return (
          <button key={control} type="button" className="btn btn-small" disabled={!online || n === 0} title={online ? undefined : OFFLINE_REASON} onClick={() => void runBulkControl(control, ids)} aria-label={`${spec.label} ${n} selected jobs`}>
            <Icon />
            {spec.label}
            {n > 0 && n < jobs.length ? <span className="muted">({n})</span> : null}
          </button>
        );
      })}
      <button type="button" className="btn btn-small btn-danger" disabled={!online || canCancel === 0} title={online ? undefined : OFFLINE_REASON} onClick={() => void cancelOrDelete(ids)} aria-label={`Cancel ${canCancel} selected jobs`}>
        <CancelIcon />
        Cancel
        {canCancel > 0 && canCancel < jobs.length ? <span className="muted">({canCancel})</span> : null}
      </button>
      <button type="button" className="btn btn-small btn-ghost bulk-bar-clear" onClick={collapseSelection} aria-label="Clear selection">
        <CloseIcon />
        Clear
      </button>
    </div>
  );
}
