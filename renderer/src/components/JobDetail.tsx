/** The selected job: header, controls, progress and facts, and its live log. */
import type { ReactElement, ReactNode } from 'react';
import type { JobView } from '../../../shared/model';
import {
  formatAmount,
  formatCount,
  formatDuration,
  formatEta,
  formatFullTimestamp,
  formatRate,
  formatTimestamp,
  progressFraction,
} from '../../../shared/format';
import { selectSelectedId, selectSelectedJob } from '../store/selectors';
import { useFerryStore } from '../store/store';
import { EmptyState } from './EmptyState';
import { JobControls } from './JobControls';
import { LogTail } from './LogTail';
import { ProgressBar } from './ProgressBar';
import { StateBadge } from './StateBadge';
import './JobDetail.css';

function Fact({ label, children, testId, title }: { label: string; children: ReactNode; testId?: string; title?: string }): ReactElement {
  return (
    <div className="job-fact">
      <dt>{label}</dt>
      <dd data-testid={testId} title={title}>
        {children}
      </dd>
    </div>
  );
}

function elapsed(job: JobView): string {
  if (job.startedAt === null) return '—';
  return formatDuration((job.finishedAt ?? job.updatedAt) - job.startedAt);
}

function JobSummary({ job }: { job: JobView }): ReactElement {
  const fraction = job.state === 'completed' ? 1 : progressFraction(job.done, job.total);
  const running = job.state === 'running';
  return (
    <>
      <div className="job-detail-progress">
        <ProgressBar fraction={fraction} state={job.state} label={`Progress of job ${job.id}`} size="large" />
        <div className="job-detail-progress-meta">
          <span>
            {formatAmount(job.done, job.total, job.unit)} {job.unit === 'items' ? 'items' : ''}
          </span>
          {running ? (
            <span className="muted">
              {formatRate(job.rate, job.unit)} · ETA {formatEta(job.etaMs)}
            </span>
          ) : null}
        </div>
      </div>
      <dl className="job-facts">
        <Fact label="Processed" testId="job-processed">
          {formatCount(job.counts.processed)}
        </Fact>
        <Fact label="Failed" testId="job-failed">
          <span className={job.counts.failed > 0 ? 'job-fact-bad' : undefined}>{formatCount(job.counts.failed)}</span>
        </Fact>
        <Fact label="Result" testId="job-result">
          {job.result ? <span className={`job-result job-result-${job.result}`}>{job.result}</span> : '—'}
        </Fact>
        <Fact label="Stage">{job.stage ?? '—'}</Fact>
        <Fact label="Created" title={formatFullTimestamp(job.createdAt)}>
          {formatTimestamp(job.createdAt)}
        </Fact>
        <Fact label={job.finishedAt === null ? 'Elapsed' : 'Took'}>{elapsed(job)}</Fact>
        <Fact label="Attempts">
          {job.attempts} of {job.maxAttempts}
        </Fact>
        <Fact label="Priority">{job.priority}</Fact>
      </dl>
    </>
  );
}

export function JobDetail(): ReactElement {
  const selectedId = useFerryStore(selectSelectedId);
  const job = useFerryStore(selectSelectedJob);

  if (selectedId === null) {
    return (
      <EmptyState
        title="No job selected"
        hint="Select a job in the list to see its progress, controls and live log."
        testId="job-detail-empty"
      />
    );
  }
  if (!job) {
    return <EmptyState title={`Job #${selectedId} is not in the list`} hint="It may have been removed." testId="job-detail-empty" />;
  }
  return (
    <div className="job-detail" data-testid="job-detail" data-state={job.state} data-job-id={job.id}>
      <header className="job-detail-header">
        <div className="job-detail-title-row">
          <h2 className="job-detail-title" title={job.name}>
            {job.name}
          </h2>
          <StateBadge state={job.state} />
        </div>
        <div className="job-detail-subtitle">
          <span>#{job.id}</span>
          <span>{job.kind}</span>
          {job.stopAfterCurrent && job.state === 'running' ? <span className="job-detail-flag">stopping after current item</span> : null}
        </div>
      </header>
      <JobControls key={`controls-${job.id}`} job={job} />
      <JobSummary job={job} />
      {job.error ? (
        <div className="job-detail-error" role="note" data-testid="job-error">
          {job.error}
        </div>
      ) : null}
      <LogTail key={`log-${job.id}`} jobId={job.id} />
    </div>
  );
}
