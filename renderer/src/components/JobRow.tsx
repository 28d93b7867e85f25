/** One row of the job list. It reads its own job from the store, so only changed rows re-render. */
import { memo, useMemo } from 'react';
import type { ReactElement } from 'react';
import { formatEta, formatFullTimestamp, formatPercent, formatRate, formatState, formatTimestamp, progressFraction } from '../../../shared/format';
import { selectJob } from '../store/actions';
import { selectIsSelected, selectJobById } from '../store/selectors';
import { useFerryStore } from '../store/store';
import { ProgressBar } from './ProgressBar';
import { StateBadge } from './StateBadge';

interface JobRowProps {
  id: number;
  /** Offset from the top of the list, from the virtualizer. */
  top: number;
}

export const jobRowDomId = (id: number): string => `job-row-${id}`;

export const JobRow = memo(function JobRow({ id, top }: JobRowProps): ReactElement | null {
  const job = useFerryStore(useMemo(() => selectJobById(id), [id]));
  const selected = useFerryStore(useMemo(() => selectIsSelected(id), [id]));
  if (!job) return null;
  const fraction = job.state === 'completed' ? 1 : progressFraction(job.done, job.total);
  const running = job.state === 'running';
  return (
    <div
      id={jobRowDomId(id)}
      role="option"
      aria-selected={selected}
      aria-label={`Job ${id}: ${job.name}, ${formatState(job.state)}, ${formatPercent(fraction)}`}
      data-testid={`job-row-${id}`}
      data-state={job.state}
      className={selected ? 'job-row job-row-selected' : 'job-row'}
      style={{ transform: `translateY(${top}px)` }}
      onClick={() => selectJob(id)}
    >
      <span className="job-cell job-cell-id">#{id}</span>
      <span className="job-cell job-cell-name" title={job.name}>
        {job.name}
      </span>
      <span className="job-cell job-cell-kind">{job.kind}</span>
      <span className="job-cell job-cell-state">
        <StateBadge state={job.state} />
      </span>
      <span className="job-cell job-cell-progress">
        <ProgressBar fraction={fraction} state={job.state} label={`Progress of job ${id}`} />
      </span>
      <span className="job-cell job-cell-rate">{running ? formatRate(job.rate, job.unit) : '—'}</span>
      <span className="job-cell job-cell-eta">{running ? formatEta(job.etaMs) : '—'}</span>
      <span className="job-cell job-cell-created" title={formatFullTimestamp(job.createdAt)}>
        {formatTimestamp(job.createdAt)}
      </span>
    </div>
  );
});
