/** The job's bottom line: counts, how it ended, how long it took, and its error. */
import type { ReactElement } from 'react';
import { formatBytes, formatCount, formatDuration } from '../../../../shared/format';
import type { JobView } from '../../../../shared/model';
import { plural } from '../../../../shared/plural';

export function ResultFooter({ job }: { job: JobView }): ReactElement {
  const took = job.startedAt !== null && job.finishedAt !== null ? formatDuration(job.finishedAt - job.startedAt) : null;
  const unit = job.unit === 'bytes' ? 'file' : 'item';
  return (
    <footer className="result-footer" data-testid="result-footer" aria-label="Result">
      <div className="result-footer-row">
        <span className="result-footer-item">
          Result{' '}
          <strong data-testid="job-result" className={job.result ? `job-result-${job.result}` : undefined}>
            {job.result === 'partial' ? 'completed with failures' : (job.result ?? (job.state === 'running' ? 'in progress' : '—'))}
          </strong>
        </span>
        <span className="result-footer-item">
          Processed <strong data-testid="job-processed">{formatCount(job.counts.processed)}</strong> {plural(job.counts.processed, unit)}
        </span>
        <span className="result-footer-item">
          Failed{' '}
          <strong data-testid="job-failed" className={job.counts.failed > 0 ? 'fact-bad' : undefined}>
            {formatCount(job.counts.failed)}
          </strong>
        </span>
        {job.unit === 'bytes' && job.total > 0 ? (
          <span className="result-footer-item">
            {job.kind === 'verify' ? 'Verified' : 'Sent'} <strong>{formatBytes(job.done)}</strong>
          </span>
        ) : null}
        {took ? (
          <span className="result-footer-item">
            Took <strong>{took}</strong>
          </span>
        ) : null}
      </div>
      {job.error ? (
        <div className="result-footer-error" role="note" data-testid="job-error">
          {job.error}
        </div>
      ) : null}
    </footer>
  );
}
