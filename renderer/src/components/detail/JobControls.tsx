/**
 * Pause / Resume / Stop after current / Cancel / Retry, and Delete for a job that is not running.
 * Each is enabled only when the transition table allows it; a refusal still shows as a toast.
 */
import { useState } from 'react';
import type { ReactElement } from 'react';
import { formatState } from '../../../../shared/format';
import type { JobView } from '../../../../shared/model';
import { isControlAllowed, JOB_CONTROLS, OFFLINE_REASON } from '../../jobControls';
import type { JobControl } from '../../jobControls';
import { deleteJobs, runJobControl } from '../../store/actions/jobs';
import { createVerify, openDownloadBack } from '../../store/actions/newJobs';
import { selectOnline } from '../../store/selectors';
import { useFerryStore } from '../../store/store';
import { CancelIcon, CheckIcon, CloseIcon, DownloadIcon, PauseIcon, PlayIcon, RetryIcon, StopAfterIcon, TrashIcon } from '../common/icons';

const ICONS: Record<JobControl, typeof PauseIcon> = {
  pause: PauseIcon,
  resume: PlayIcon,
  stopAfterCurrent: StopAfterIcon,
  cancel: CancelIcon,
  retry: RetryIcon,
  approve: CheckIcon,
  reject: CloseIcon,
};

interface JobControlsProps {
  job: Pick<JobView, 'id' | 'state' | 'stopAfterCurrent' | 'name' | 'kind' | 'destinationId'>;
}

export function JobControls({ job }: JobControlsProps): ReactElement {
  const [pending, setPending] = useState<JobControl | null>(null);
  const online = useFerryStore(selectOnline);
  // Only a dataset in an S3 bucket can be downloaded back; elsewhere the button is not offered.
  const fromS3 = useFerryStore((s) => job.destinationId !== null && s.destinations.list.some((d) => d.id === job.destinationId && d.kind === 's3'));
  return (
    <div className="job-controls" role="toolbar" aria-label={`Controls for job ${job.id}`} data-offline={online ? undefined : 'true'}>
      {JOB_CONTROLS.map((spec) => {
        const Icon = ICONS[spec.control];
        const allowed = isControlAllowed(spec, job);
        if (spec.contextual && !allowed) return null;
        const why = spec.control === 'stopAfterCurrent' && job.stopAfterCurrent ? 'Already stopping after the current item' : `Not possible while ${formatState(job.state)}`;
        return (
          <button
            key={spec.control}
            type="button"
            className={`btn btn-small${spec.control === 'cancel' || spec.control === 'reject' ? ' btn-danger' : spec.control === 'approve' ? ' btn-primary' : ''}`}
            aria-label={`${spec.label} job ${job.id}`}
            title={!online ? OFFLINE_REASON : allowed ? (spec.explains ?? `${spec.label} job ${job.id}`) : why}
            disabled={!online || !allowed || pending !== null}
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
      {job.kind === 'upload' && job.state === 'completed' ? (
        <button
          type="button"
          className="btn btn-small"
          title={online ? "Compare what the destination holds with this dataset's manifest (size and SHA-256), as a new job" : OFFLINE_REASON}
          disabled={!online || pending !== null}
          onClick={() => void createVerify(job.id)}
        >
          <CheckIcon />
          Verify
        </button>
      ) : null}
      {job.kind === 'upload' && job.state === 'completed' && fromS3 ? (
        <button
          type="button"
          className="btn btn-small"
          title={online ? 'Download this dataset from its bucket to a folder on this computer, as a new job' : OFFLINE_REASON}
          disabled={!online || pending !== null}
          onClick={() => openDownloadBack({ sourceJobId: job.id, dataset: job.name, destinationId: job.destinationId! })}
        >
          <DownloadIcon />
          Download back
        </button>
      ) : null}
      {online ? null : (
        <span className="job-controls-offline" data-testid="controls-offline">
          {OFFLINE_REASON}: controls are off until it answers.
        </span>
      )}
      <button
        type="button"
        className="btn btn-small btn-icon btn-ghost btn-danger job-controls-delete"
        aria-label={`Delete job ${job.id}`}
        title={!online ? OFFLINE_REASON : job.state === 'running' ? 'Cancel the job before deleting it' : `Delete job ${job.id} and its log`}
        disabled={!online || job.state === 'running' || pending !== null}
        onClick={() => void deleteJobs([job.id], `job #${job.id} (${job.name})`)}
      >
        <TrashIcon />
      </button>
    </div>
  );
}
