/**
 * Pause / Resume / Stop after current / Cancel / Retry. Each is enabled only when the transition
 * table allows it; a refusal from the engine still shows as a toast with its code.
 */
import { useState } from 'react';
import type { ReactElement } from 'react';
import type { JobView } from '../../../shared/model';
import { formatState } from '../../../shared/format';
import { isControlAllowed, JOB_CONTROLS } from '../jobControls';
import type { JobControl } from '../jobControls';
import { runJobControl } from '../store/actions';
import { CancelIcon, PauseIcon, PlayIcon, RetryIcon, StopAfterIcon } from './icons';

const ICONS: Record<JobControl, typeof PauseIcon> = {
  pause: PauseIcon,
  resume: PlayIcon,
  stopAfterCurrent: StopAfterIcon,
  cancel: CancelIcon,
  retry: RetryIcon,
};

interface JobControlsProps {
  job: Pick<JobView, 'id' | 'state' | 'stopAfterCurrent'>;
}

export function JobControls({ job }: JobControlsProps): ReactElement {
  const [pending, setPending] = useState<JobControl | null>(null);
  return (
    <div className="job-controls" role="toolbar" aria-label={`Controls for job ${job.id}`}>
      {JOB_CONTROLS.map((spec) => {
        const Icon = ICONS[spec.control];
        const allowed = isControlAllowed(spec, job);
        const why =
          spec.control === 'stopAfterCurrent' && job.stopAfterCurrent
            ? 'Already stopping after the current item'
            : `Not possible while ${formatState(job.state)}`;
        return (
          <button
            key={spec.control}
            type="button"
            className={`btn${spec.control === 'cancel' ? ' btn-danger' : ''}`}
            aria-label={`${spec.label} job ${job.id}`}
            title={allowed ? `${spec.label} job ${job.id}` : why}
            disabled={!allowed || pending !== null}
            aria-busy={pending === spec.control}
            data-control={spec.control}
            onClick={() => {
              setPending(spec.control);
              void runJobControl(spec, job.id).finally(() => setPending(null));
            }}
          >
            <Icon />
            {spec.label}
          </button>
        );
      })}
    </div>
  );
}
