/**
 * Stats: jobs by state, success rate, bytes moved, live and hourly throughput, and how long jobs
 * take by kind. Figures come from the engine where it has them, else from a sample of finished jobs.
 */
import { Fragment, useEffect, useState } from 'react';
import type { ReactElement, ReactNode } from 'react';
import { formatBytes, formatCount, formatDuration, formatPercent, formatState } from '../../../../shared/format';
import { JOB_STATES } from '../../../../shared/model';
import type { JobKind } from '../../../../shared/model';
import { loadStatsSummary } from '../../store/actions/stats';
import { selectSamples, selectStateCounts, selectStats } from '../../store/selectors';
import { useFerryStore } from '../../store/store';
import { RetryIcon } from '../common/icons';
import { HourlyChart } from './HourlyChart';
import { ThroughputChart } from './ThroughputChart';
import '../../styles/states.css';
import './StatsView.css';

function Tile({ label, value, note, testId }: { label: string; value: ReactNode; note?: ReactNode; testId?: string }): ReactElement {
  return (
    <div className="card stat-tile">
      <span className="stat-label">{label}</span>
      <span className="stat-value" data-testid={testId}>
        {value}
      </span>
      {note ? <span className="stat-note">{note}</span> : null}
    </div>
  );
}

/** Re-renders every second, for charts that end at "now". */
function useNow(): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = window.setInterval(() => setNow(Date.now()), 1000);
    return () => window.clearInterval(timer);
  }, []);
  return now;
}

function StateBreakdown(): ReactElement {
  const counts = useFerryStore(selectStateCounts);
  const partial = useFerryStore((s) => s.stats.current?.partial ?? 0);
  const total = JOB_STATES.reduce((sum, s) => sum + counts[s], 0);
  // The bar splits the completed jobs: those with failed files get their own part and tone.
  const parts = JOB_STATES.flatMap((s) => (s === 'completed' ? [{ tone: 'completed', n: counts.completed - partial }, { tone: 'partial', n: partial }] : [{ tone: s, n: counts[s] }]));
  return (
    <div className="state-breakdown">
      <div className="state-bar" role="img" aria-label={parts.map((p) => `${formatCount(p.n)} ${formatState(p.tone)}`).join(', ')}>
        {total === 0 ? <span className="state-bar-empty" /> : parts.map((p) => (p.n > 0 ? <span key={p.tone} className={`state-bar-part state-${p.tone}`} style={{ flexGrow: p.n }} /> : null))}
      </div>
      <ul className="state-legend">
        {JOB_STATES.filter((s) => s !== 'awaiting_approval' || counts[s] > 0).map((s) => (
          <Fragment key={s}>
            <li className={`state-${s}`} data-testid={`stats-count-${s}`}>
              <span className="state-legend-dot" aria-hidden="true" />
              <span className="state-legend-name">{formatState(s)}</span>
              <span className="state-legend-count">{formatCount(counts[s])}</span>
            </li>
            {s === 'completed' && partial > 0 ? (
              <li className="state-partial" data-testid="stats-count-partial">
                <span className="state-legend-dot" aria-hidden="true" />
                <span className="state-legend-name">with failures</span>
                <span className="state-legend-count">{formatCount(partial)}</span>
              </li>
            ) : null}
          </Fragment>
        ))}
      </ul>
    </div>
  );
}

export function StatsView(): ReactElement {
  const stats = useFerryStore(selectStats);
  const samples = useFerryStore(selectSamples);
  const summary = useFerryStore((s) => s.stats.summary);
  const status = useFerryStore((s) => s.stats.summaryStatus);
  const counts = useFerryStore(selectStateCounts);
  const partial = useFerryStore((s) => s.stats.current?.partial ?? 0);
  const [metric, setMetric] = useState<'bytes' | 'jobs'>('bytes');
  const now = useNow();
  useEffect(() => {
    void loadStatsSummary();
  }, []);
  const total = JOB_STATES.reduce((sum, s) => sum + counts[s], 0);
  const peak = samples.reduce((m, s) => Math.max(m, s.bytesPerSecond), 0);
  const durations = summary ? (Object.entries(summary.durations) as [JobKind, { count: number; p50: number; p90: number; p99: number }][]) : [];
  const basis = summary?.source === 'sample' ? `from the newest ${formatCount(summary.sampled ?? 0)} finished jobs` : 'of the last 24 hours';
  return (
    <div className="screen">
      <header className="screen-header">
        <h1 className="screen-title">Stats</h1>
        <span className="screen-meta">{status === 'loading' ? 'Counting…' : summary ? `Figures ${basis}` : ''}</span>
        <div className="screen-actions">
          <button type="button" className="btn btn-small" onClick={() => void loadStatsSummary()} disabled={status === 'loading'}>
            <RetryIcon />
            Refresh
          </button>
        </div>
      </header>
      <div className="screen-body">
        <div className="stats-tiles">
          <Tile label="Jobs" value={formatCount(total)} note={`${formatCount(stats?.running ?? 0)} running · ${formatCount(counts.queued)} queued`} testId="stat-total" />
          <Tile
            label="Success rate"
            value={summary?.successRate != null ? formatPercent(summary.successRate) : '—'}
            note={
              summary?.source === 'engine'
                ? summary.partial
                  ? `last 24 hours · ${formatCount(summary.partial)} with failures`
                  : 'completed of finished, last 24 hours'
                : `${formatCount(counts.completed - partial)} completed · ${formatCount(partial)} with failures · ${formatCount(counts.failed)} failed`
            }
            testId="stat-success"
          />
          <Tile label="Bytes moved" value={summary?.bytesMoved != null ? formatBytes(summary.bytesMoved) : '—'} note={summary?.source === 'sample' ? 'by recent finished uploads' : 'by uploads in the last 24 hours'} testId="stat-bytes" />
          <Tile label="Throughput now" value={`${formatBytes(stats?.bytesPerSecond ?? 0)}/s`} note={`peak this session ${formatBytes(peak)}/s`} testId="stat-throughput" />
        </div>
        <section className="card stats-section" aria-labelledby="stats-states">
          <header className="card-header">
            <h2 className="card-title" id="stats-states">
              Jobs by state
            </h2>
          </header>
          <div className="card-body">
            <StateBreakdown />
          </div>
        </section>
        <section className="card stats-section" aria-labelledby="stats-live">
          <header className="card-header">
            <h2 className="card-title" id="stats-live">
              Live throughput
            </h2>
            <span className="screen-meta">sampled every second while this window is open</span>
          </header>
          <div className="card-body">
            <ThroughputChart samples={samples} now={now} />
          </div>
        </section>
        <div className="stats-columns">
          <section className="card stats-section" aria-labelledby="stats-hourly">
            <header className="card-header">
              <h2 className="card-title" id="stats-hourly">
                Last 24 hours
              </h2>
              <div className="segmented" role="group" aria-label="Measure">
                <button type="button" aria-pressed={metric === 'bytes'} onClick={() => setMetric('bytes')}>
                  Bytes
                </button>
                <button type="button" aria-pressed={metric === 'jobs'} onClick={() => setMetric('jobs')}>
                  Jobs
                </button>
              </div>
            </header>
            <div className="card-body">{summary ? <HourlyChart buckets={summary.hourly} metric={metric} /> : <p className="muted">{status === 'error' ? 'Could not load the figures.' : 'Loading…'}</p>}</div>
          </section>
          <section className="card stats-section" aria-labelledby="stats-durations">
            <header className="card-header">
              <h2 className="card-title" id="stats-durations">
                Duration by kind
              </h2>
              <span className="screen-meta">completed jobs</span>
            </header>
            <div className="card-body">
              {durations.length === 0 ? (
                <p className="muted">No completed jobs yet.</p>
              ) : (
                <table className="stats-table">
                  <thead>
                    <tr>
                      <th scope="col">Kind</th>
                      <th scope="col">Jobs</th>
                      <th scope="col">Median</th>
                      <th scope="col">p90</th>
                      <th scope="col">p99</th>
                    </tr>
                  </thead>
                  <tbody>
                    {durations.map(([kind, p]) => (
                      <tr key={kind}>
                        <th scope="row">{kind}</th>
                        <td>{formatCount(p.count)}</td>
                        <td>{formatDuration(p.p50)}</td>
                        <td>{formatDuration(p.p90)}</td>
                        <td>{formatDuration(p.p99)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
            </div>
          </section>
        </div>
      </div>
    </div>
  );
}
