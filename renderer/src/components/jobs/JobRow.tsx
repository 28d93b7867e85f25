/** One row of the jobs table. It reads its own job from the store, so only changed rows re-render. */
import { memo, useMemo } from 'react';
import type { MouseEvent, ReactElement } from 'react';
import {
  formatBytes,
  formatEta,
  formatPercent,
  formatRate,
  formatState,
  formatTimestamp,
  progressFraction,
} from '../../../../shared/format';
import type { JobView } from '../../../../shared/model';
import { cachedCount, cachedFullTimestamp } from '../../lib/formatCache';
import { openContextMenu } from '../../store/actions/dialogs';
import { clickJob, targetIds } from '../../store/actions/selection';
import { useShallow } from 'zustand/react/shallow';
import { selectJobRow, selectOnline } from '../../store/selectors';
import { useFerryStore } from '../../store/store';
import { ProgressBar } from '../common/ProgressBar';
import { LinkIcon } from '../common/icons';
import { StateBadge } from '../common/StateBadge';
import { jobTone } from '../../lib/jobTone';
import { plural } from '../../../../shared/plural';

interface JobRowProps {
  id: number;
  /** Offset from the top of the list, from the virtualizer. */
  top: number;
  /** 1-based position for aria-rowindex (the header is row 1). */
  index: number;
}

export const jobRowDomId = (id: number): string => `job-row-${id}`;

/** How the table says a job belongs to a pipeline. */
function pipelineNote(job: JobView): string {
  if (!job.inPipeline) return '';
  return job.previousStepId ? `pipeline step after job ${job.previousStepId}` : 'first step of a pipeline';
}

function sizeOf(job: JobView): string {
  if (job.unit === 'bytes') return job.total > 0 ? formatBytes(job.total) : '—';
  return job.total > 0 ? `${cachedCount(job.total)} ${plural(job.total, 'item')}` : '—';
}

function onContextMenu(event: MouseEvent, id: number): void {
  event.preventDefault();
  const s = useFerryStore.getState();
  if (!s.selection.ids[id]) s.setSelection([id], id);
  openContextMenu({ x: event.clientX, y: event.clientY, jobIds: targetIds() });
}

export const JobRow = memo(function JobRow({ id, top, index }: JobRowProps): ReactElement | null {
  const { job, selected, active, destination } = useFerryStore(useShallow(useMemo(() => selectJobRow(id), [id])));
  // Offline, a speed and an ETA are figures from before the connection dropped: none is shown.
  const online = useFerryStore(selectOnline);
  if (!job) return null;
  const fraction = job.state === 'completed' ? 1 : progressFraction(job.done, job.total);
  const running = job.state === 'running' && online;
  return (
    <div
      id={jobRowDomId(id)}
      role="row"
      aria-rowindex={index}
      aria-selected={selected}
      aria-label={`Job ${id}: ${job.name}, ${formatState(job.state)}, ${formatPercent(fraction)}${job.inPipeline ? `, ${pipelineNote(job)}` : ''}`}
      data-testid={`job-row-${id}`}
      data-state={job.state}
      className={`job-row${selected ? ' job-row-selected' : ''}${active ? ' job-row-active' : ''}`}
      style={{ transform: `translateY(${top}px)` }}
      onClick={(event) => clickJob(id, { toggle: event.metaKey || event.ctrlKey, range: event.shiftKey })}
      onContextMenu={(event) => onContextMenu(event, id)}
    >
      <span role="gridcell" className="job-cell job-cell-id">
        {id}
      </span>
      <span role="gridcell" className="job-cell job-cell-name" title={pipelineNote(job) ? `${job.name} (${pipelineNote(job)})` : job.name}>
        {job.inPipeline ? (
          <span className="job-pipeline-mark" data-testid="pipeline-mark" aria-hidden="true">
            <LinkIcon />
          </span>
        ) : null}
        {job.name}
      </span>
      <span role="gridcell" className="job-cell job-cell-kind">
        {job.kind}
      </span>
      <span role="gridcell" className="job-cell job-cell-destination" title={destination ?? undefined}>
        {destination ?? '—'}
      </span>
      <span role="gridcell" className="job-cell job-cell-state">
        <StateBadge state={job.state} result={job.result} />
      </span>
      <span role="gridcell" className="job-cell job-cell-progress">
        <ProgressBar fraction={fraction} state={jobTone(job)} label={`Progress of job ${id}`} />
      </span>
      <span role="gridcell" className="job-cell job-cell-speed">
        {running ? formatRate(job.rate, job.unit) : '—'}
      </span>
      <span role="gridcell" className="job-cell job-cell-eta">
        {running ? formatEta(job.etaMs) : '—'}
      </span>
      <span role="gridcell" className="job-cell job-cell-size">
        {sizeOf(job)}
      </span>
      <span role="gridcell" className="job-cell job-cell-created" title={cachedFullTimestamp(job.createdAt)}>
        {formatTimestamp(job.createdAt)}
      </span>
    </div>
  );
});

/** A row not loaded yet: the same height, quietly shimmering. */
export function PlaceholderRow({ top }: { top: number }): ReactElement {
  return (
    <div className="job-row job-row-placeholder" aria-hidden="true" style={{ transform: `translateY(${top}px)` }}>
      <span className="job-cell job-cell-id">
        <span className="skeleton" />
      </span>
      <span className="job-cell job-cell-name">
        <span className="skeleton skeleton-wide" />
      </span>
    </div>
  );
}
