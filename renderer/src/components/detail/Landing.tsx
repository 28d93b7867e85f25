/**
 * What an upload did with its files, at a glance: where the dataset landed (copy it; on the
 * desktop, show it in the file manager) and, when some files failed, which and why, with a way
 * to send them again.
 */
import type { ReactElement } from 'react';
import type { DatasetPlace } from '../../../../shared/contract';
import type { JobView } from '../../../../shared/model';
import { failureReason } from '../../lib/failureReason';
import { jobTone } from '../../lib/jobTone';
import { plural } from '../../../../shared/plural';
import { showFailedFiles } from '../../store/actions/detail';
import { copyLocation, resendFailedFiles, revealLanded } from '../../store/actions/landing';
import { useFerryStore } from '../../store/store';
import { AlertIcon, CopyIcon, FolderIcon, RetryIcon } from '../common/icons';

const PLACE_LABEL: Record<DatasetPlace['kind'], string> = {
  receiver: 'Received in',
  folder: 'Copied to',
  s3: 'Stored in',
  tus: 'Sent to',
};

/** Copy, and on the desktop Reveal, of one location. */
export function LocationActions({ jobId, seq, where, what, local }: { jobId: number; seq?: number; where: string; what: string; local: boolean }): ReactElement {
  const reveal = useFerryStore((s) => s.ui.capabilities?.reveal ?? false);
  return (
    <span className="location-actions">
      <button type="button" className="btn btn-icon btn-ghost btn-tiny" aria-label={`Copy the location of ${what}`} title="Copy the location" onClick={() => void copyLocation(where, what)}>
        <CopyIcon />
      </button>
      {reveal && local ? (
        <button type="button" className="btn btn-icon btn-ghost btn-tiny" aria-label={`Show ${what} in the file manager`} title="Show in the file manager" onClick={() => void revealLanded(jobId, seq)}>
          <FolderIcon />
        </button>
      ) : null}
    </span>
  );
}

/** Where the dataset goes (or went): its folder, URL or bucket and prefix. */
export function DatasetLocation({ job }: { job: JobView }): ReactElement | null {
  const landing = useFerryStore((s) => (s.detail.landing?.jobId === job.id ? s.detail.landing : null));
  const place = landing?.place;
  if (job.kind !== 'upload' || !place) return null;
  const landed = job.counts.processed > 0;
  return (
    <div className="job-detail-location" data-testid="dataset-location">
      <span className="job-detail-location-label" title={place.destination}>
        {landed ? PLACE_LABEL[place.kind] : 'Goes to'}
      </span>
      <code className="job-detail-location-where" title={place.where}>
        {/* The container runs right to left so that a long path loses its start, not the dataset's name. */}
        <span dir="ltr" data-testid="dataset-where">
          {place.where}
        </span>
      </code>
      <LocationActions jobId={job.id} where={place.where} what="the dataset" local={place.local && landed} />
    </div>
  );
}

/** A job that completed with failures says so above everything else, lists the failures, and offers to send them again. */
export function FailedNotice({ job }: { job: JobView }): ReactElement | null {
  const landing = useFerryStore((s) => (s.detail.landing?.jobId === job.id ? s.detail.landing : null));
  if (jobTone(job) !== 'partial') return null;
  const failed = job.counts.failed;
  const upload = job.kind === 'upload';
  const listed = upload ? (landing?.failed ?? []) : [];
  return (
    <div className="job-detail-failed" role="note" data-testid="failed-notice">
      <div className="job-detail-failed-head">
        <AlertIcon aria-hidden="true" />
        <span>
          <strong>
            {failed} {plural(failed, upload ? 'file' : 'item')} failed.
          </strong>{' '}
          The others completed.
        </span>
        {upload ? (
          <span className="job-detail-failed-actions">
            <button type="button" className="btn btn-small" onClick={() => showFailedFiles(job.id)}>
              {failed > listed.length ? `Show all ${failed}` : 'Show in Files'}
            </button>
            <button type="button" className="btn btn-small btn-primary" data-testid="resend-failed" onClick={() => void resendFailedFiles(job.id)}>
              <RetryIcon />
              Re-send failed files
            </button>
          </span>
        ) : null}
      </div>
      {listed.length > 0 ? (
        <ul className="job-detail-failed-list" aria-label="Failed files" data-testid="failed-files">
          {listed.map((item) => (
            <li key={item.seq} data-testid="failed-file">
              <span className="job-detail-failed-path" title={item.relativePath}>
                {item.relativePath}
              </span>
              <span className="job-detail-failed-reason" title={item.error ?? undefined} data-testid="failed-reason">
                {item.error ? failureReason(item.error) : 'No reason was recorded'}
              </span>
            </li>
          ))}
          {failed > listed.length ? <li className="muted">and {failed - listed.length} more</li> : null}
        </ul>
      ) : null}
    </div>
  );
}
