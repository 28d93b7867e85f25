/**
 * Everything known about the job: its timings and counters, and what it was created with (the
 * dataset's metadata, the paths, the demo's parameters), read from its log header.
 */
import type { ReactElement, ReactNode } from 'react';
import { formatCount, formatDuration, formatFullTimestamp, formatTimestamp } from '../../../../shared/format';
import type { JobView, StageTime } from '../../../../shared/model';
import { useFerryStore } from '../../store/store';
import { PathText } from '../common/PathText';
import './DetailsTab.css';

function Fact({ label, children, title }: { label: string; children: ReactNode; title?: string }): ReactElement {
  return (
    <div className="fact">
      <dt>{label}</dt>
      <dd title={title}>{children}</dd>
    </div>
  );
}

function elapsed(job: JobView): string {
  if (job.startedAt === null) return '—';
  return formatDuration((job.finishedAt ?? Date.now()) - job.startedAt);
}

const LABELS: Record<string, string> = {
  sensorType: 'Sensor type',
  convert: 'Convert',
  public: 'Public',
  team: 'Team',
  folder: 'Folder',
  description: 'Description',
  items: 'Items',
  failRate: 'Fail rate',
  itemDelayMs: 'Item delay (ms)',
  linesPerItem: 'Lines per item',
  dataset: 'Dataset',
  destination: 'Destination',
};

function show(value: unknown): string {
  if (value === true) return 'Yes';
  if (value === false) return 'No';
  if (value === '' || value === null || value === undefined) return '—';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

function Params({ params }: { params: Record<string, unknown> }): ReactElement {
  const metadata = (params.metadata && typeof params.metadata === 'object' ? params.metadata : null) as Record<string, unknown> | null;
  const paths = Array.isArray(params.paths) ? (params.paths as string[]) : null;
  const rest = Object.entries(params).filter(([k]) => k !== 'metadata' && k !== 'paths' && k !== 'priority' && k !== 'name');
  return (
    <>
      {metadata ? (
        <>
          <h3 className="details-heading">Dataset metadata</h3>
          <dl className="details-list" data-testid="job-metadata">
            {Object.entries(metadata).map(([k, v]) => (
              <div key={k} className="details-row">
                <dt>{LABELS[k] ?? k}</dt>
                <dd>{show(v)}</dd>
              </div>
            ))}
          </dl>
        </>
      ) : null}
      {rest.length ? (
        <>
          <h3 className="details-heading">{metadata ? 'Upload' : 'Parameters'}</h3>
          <dl className="details-list">
            {rest.map(([k, v]) => (
              <div key={k} className="details-row">
                <dt>{LABELS[k] ?? k}</dt>
                <dd>{k === 'destination' ? (useFerryStore.getState().destinations.list.find((d) => d.id === v)?.name ?? show(v)) : show(v)}</dd>
              </div>
            ))}
          </dl>
        </>
      ) : null}
      {paths ? (
        <>
          <h3 className="details-heading">Sources ({formatCount(paths.length)})</h3>
          <ul className="details-paths">
            {paths.slice(0, 50).map((p) => (
              <li key={p}>
                <PathText path={p} />
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </>
  );
}

function stageTook(stage: StageTime): string {
  if (stage.ms !== null) return formatDuration(stage.ms);
  return `${formatDuration(Date.now() - stage.startedAt)} so far`;
}

const OUTCOME: Record<StageTime['outcome'], string> = { running: 'Running', completed: 'Completed', failed: 'Failed' };

/** Each stage of the job's runs with how long it took, in the order they ran. */
function Stages({ stages }: { stages: StageTime[] }): ReactElement {
  const attempts = new Set(stages.map((s) => s.attempt)).size;
  return (
    <>
      <h3 className="details-heading">Stages</h3>
      <dl className="details-list" data-testid="job-stages">
        {stages.map((s, i) => (
          <div key={`${s.attempt}-${s.startedAt}-${i}`} className="details-row">
            <dt>{attempts > 1 ? `${s.name} (attempt ${s.attempt})` : s.name}</dt>
            <dd title={`Started ${formatFullTimestamp(s.startedAt)}`}>
              <span className={s.outcome === 'failed' ? 'fact-bad' : undefined}>{OUTCOME[s.outcome]}</span> · {stageTook(s)}
            </dd>
          </div>
        ))}
      </dl>
    </>
  );
}

export function DetailsTab({ job }: { job: JobView }): ReactElement {
  const header = useFerryStore((s) => (s.detail.header?.jobId === job.id ? s.detail.header : null));
  const destination = useFerryStore((s) => (job.destinationId ? (s.destinations.list.find((d) => d.id === job.destinationId)?.name ?? job.destinationId) : null));
  return (
    <div className="details-tab" data-testid="details-tab" role="region" aria-label="Job details" tabIndex={0}>
      <dl className="facts">
        <Fact label="Processed">{formatCount(job.counts.processed)}</Fact>
        <Fact label="Failed">
          <span className={job.counts.failed > 0 ? 'fact-bad' : undefined}>{formatCount(job.counts.failed)}</span>
        </Fact>
        <Fact label="Stage">{job.stage ?? '—'}</Fact>
        <Fact label="Priority">{job.priority}</Fact>
        <Fact label="Created" title={formatFullTimestamp(job.createdAt)}>
          {formatTimestamp(job.createdAt)}
        </Fact>
        <Fact label="Started" title={formatFullTimestamp(job.startedAt)}>
          {formatTimestamp(job.startedAt)}
        </Fact>
        <Fact label={job.finishedAt === null ? 'Elapsed' : 'Took'}>{elapsed(job)}</Fact>
        <Fact label="Attempts">
          {job.attempts} of {job.maxAttempts}
        </Fact>
        {destination ? (
          <Fact label="Destination" title={destination}>
            {destination}
          </Fact>
        ) : null}
      </dl>
      {header?.status === 'loading' ? <p className="muted details-note">Reading what the job was created with…</p> : null}
      {header?.status === 'error' ? <p className="muted details-note">The job's header could not be read.</p> : null}
      {header?.stages?.length ? <Stages stages={header.stages} /> : null}
      {header?.params ? <Params params={header.params} /> : null}
    </div>
  );
}
