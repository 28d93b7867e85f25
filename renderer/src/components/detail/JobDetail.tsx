/** The active job: header, controls, progress, tabs (log, events, files, details) and its result. */
import type { ReactElement } from 'react';
import { formatAmount, formatEta, formatRate, progressFraction } from '../../../../shared/format';
import type { JobView } from '../../../../shared/model';
import { jobTone } from '../../lib/jobTone';
import { setDetailTab } from '../../store/actions/detail';
import { clearSelection } from '../../store/actions/selection';
import type { DetailTab } from '../../store/detailSlice';
import { selectActiveId, selectActiveJob, selectDetailTab, selectOnline } from '../../store/selectors';
import { useFerryStore } from '../../store/store';
import { EmptyState } from '../common/EmptyState';
import { CloseIcon } from '../common/icons';
import { ProgressBar } from '../common/ProgressBar';
import { StateBadge } from '../common/StateBadge';
import { DetailsTab } from './DetailsTab';
import { EventsTab } from './EventsTab';
import { FilesTab } from './FilesTab';
import { JobControls } from './JobControls';
import { DatasetLocation, FailedNotice } from './Landing';
import { LogTail } from './LogTail';
import { PipelineSteps } from './PipelineSteps';
import { PrioritySelect } from './PrioritySelect';
import { ResultFooter } from './ResultFooter';
import './JobDetail.css';

/** Jobs with per-file items: uploads, and downloads of an S3 prefix. */
const hasFiles = (job: Pick<JobView, 'kind'>) => job.kind === 'upload' || job.kind === 's3download';

const TABS: ReadonlyArray<{ tab: DetailTab; label: string; datasetsOnly?: boolean }> = [
  { tab: 'log', label: 'Log' },
  { tab: 'events', label: 'Events' },
  { tab: 'files', label: 'Files', datasetsOnly: true },
  { tab: 'details', label: 'Details' },
];

function Progress({ job }: { job: JobView }): ReactElement {
  const online = useFerryStore(selectOnline);
  const fraction = job.state === 'completed' ? 1 : progressFraction(job.done, job.total);
  return (
    <div className="job-detail-progress">
      <ProgressBar fraction={fraction} state={jobTone(job)} label={`Progress of job ${job.id}`} size="large" />
      <div className="job-detail-progress-meta">
        <span data-testid="job-amount">
          {formatAmount(job.done, job.total, job.unit)}
          {job.unit === 'items' ? ' items' : ''}
        </span>
        {job.state === 'running' && !online ? (
          <span className="muted" data-testid="job-rate">
            Speed unknown while Ferry is not reachable
          </span>
        ) : job.state === 'running' ? (
          <span className="muted" data-testid="job-rate">
            {formatRate(job.rate, job.unit)} · ETA {formatEta(job.etaMs)}
          </span>
        ) : job.stage ? (
          <span className="muted">{job.stage}</span>
        ) : null}
      </div>
      {job.state === 'running' && job.current ? (
        <div className="job-detail-current muted" data-testid="job-current" title={job.current}>
          Now: {job.current}
        </div>
      ) : null}
    </div>
  );
}

function Tabs({ job, tab }: { job: JobView; tab: DetailTab }): ReactElement {
  const tabs = TABS.filter((t) => !t.datasetsOnly || hasFiles(job));
  return (
    <div className="detail-tabs" role="tablist" aria-label={`Views of job ${job.id}`}>
      {tabs.map((t) => (
        <button
          key={t.tab}
          type="button"
          role="tab"
          id={`detail-tab-${t.tab}`}
          aria-selected={tab === t.tab}
          aria-controls={`detail-panel-${t.tab}`}
          tabIndex={tab === t.tab ? 0 : -1}
          className="detail-tab"
          onClick={() => setDetailTab(t.tab)}
          onKeyDown={(event) => {
            if (event.key !== 'ArrowRight' && event.key !== 'ArrowLeft') return;
            event.preventDefault();
            const i = tabs.findIndex((x) => x.tab === tab);
            const next = tabs[(i + (event.key === 'ArrowRight' ? 1 : tabs.length - 1)) % tabs.length];
            if (next) {
              setDetailTab(next.tab);
              document.getElementById(`detail-tab-${next.tab}`)?.focus();
            }
          }}
        >
          {t.label}
        </button>
      ))}
    </div>
  );
}

export function JobDetail(): ReactElement {
  const activeId = useFerryStore(selectActiveId);
  const job = useFerryStore(selectActiveJob);
  const storedTab = useFerryStore(selectDetailTab);
  if (activeId === null) return <EmptyState title="No job selected" hint="Select a job to see its progress, log and files." testId="job-detail-empty" />;
  if (!job) return <EmptyState title={`Job #${activeId} is not loaded`} hint="It may have been removed." testId="job-detail-empty" />;
  const tab = storedTab === 'files' && !hasFiles(job) ? 'log' : storedTab;
  return (
    <div className="job-detail" data-testid="job-detail" data-state={job.state} data-job-id={job.id}>
      <header className="job-detail-header">
        <div className="job-detail-title-row">
          <h2 className="job-detail-title" title={job.name}>
            {job.name}
          </h2>
          <StateBadge state={job.state} result={job.result} />
          <button type="button" className="btn btn-icon btn-ghost job-detail-close" aria-label="Close job detail" title="Close (Esc)" onClick={clearSelection}>
            <CloseIcon />
          </button>
        </div>
        <div className="job-detail-subtitle">
          <span>#{job.id}</span>
          <span>{job.kind}</span>
          {job.attempts > 1 ? <span>attempt {job.attempts} of {job.maxAttempts}</span> : null}
          {job.stopAfterCurrent && job.state === 'running' ? <span className="job-detail-flag">stopping after the files in flight</span> : null}
          {job.stalled ? <span className="job-detail-flag">stalled: no progress lately</span> : null}
          <PrioritySelect job={job} />
        </div>
        <PipelineSteps job={job} />
      </header>
      <JobControls key={`controls-${job.id}`} job={job} />
      <Progress job={job} />
      <DatasetLocation job={job} />
      <FailedNotice job={job} />
      <Tabs job={job} tab={tab} />
      <div className="detail-tab-panel" role="tabpanel" id={`detail-panel-${tab}`} aria-labelledby={`detail-tab-${tab}`}>
        {tab === 'log' ? <LogTail key={`log-${job.id}`} jobId={job.id} /> : null}
        {tab === 'events' ? <EventsTab jobId={job.id} /> : null}
        {tab === 'files' ? <FilesTab job={job} /> : null}
        {tab === 'details' ? <DetailsTab job={job} /> : null}
      </div>
      <ResultFooter job={job} />
    </div>
  );
}
