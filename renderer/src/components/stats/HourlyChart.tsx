/** Bytes moved per hour over the last day, as bars, with the jobs finished in each hour on hover. */
import type { ReactElement } from 'react';
import { formatBytes, formatCount } from '../../../../shared/format';
import { useElementWidth } from '../../hooks/useElementWidth';
import { niceCountMax, niceMax, ticks } from '../../lib/niceScale';
import type { HourlyPoint } from '../../lib/statsSummary';

const HEIGHT = 160;
const PAD = { top: 10, right: 12, bottom: 22, left: 70 };
const hourLabel = new Intl.DateTimeFormat(undefined, { hour: '2-digit', hourCycle: 'h23' });

export function HourlyChart({ buckets, metric }: { buckets: HourlyPoint[]; metric: 'bytes' | 'jobs' }): ReactElement {
  const [ref, width] = useElementWidth<HTMLDivElement>();
  const value = (b: HourlyPoint) => (metric === 'bytes' ? b.bytes : b.jobs);
  const peak = buckets.reduce((m, b) => Math.max(m, value(b)), 0);
  const max = metric === 'bytes' ? niceMax(peak, 1_000_000) : niceCountMax(peak);
  const plotW = Math.max(10, width - PAD.left - PAD.right);
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const slot = plotW / Math.max(1, buckets.length);
  const y = (v: number) => PAD.top + plotH - (v / max) * plotH;
  const label = (v: number) => (metric === 'bytes' ? formatBytes(v) : formatCount(v));
  return (
    <div ref={ref} className="chart" data-testid="hourly-chart">
      {width > 0 ? (
        <svg width={width} height={HEIGHT} role="img" aria-label={`${metric === 'bytes' ? 'Bytes moved' : 'Jobs finished'} per hour over the last ${buckets.length} hours`}>
          {ticks(max).map((t) => (
            <g key={t}>
              <line className="chart-grid" x1={PAD.left} x2={width - PAD.right} y1={y(t)} y2={y(t)} />
              <text className="chart-label" x={PAD.left - 8} y={y(t) + 4} textAnchor="end">
                {t === 0 ? '0' : label(t)}
              </text>
            </g>
          ))}
          {buckets.map((b, i) => {
            const h = Math.max(value(b) > 0 ? 2 : 0, y(0) - y(value(b)));
            return (
              <g key={b.at}>
                <rect className="chart-bar" x={PAD.left + i * slot + slot * 0.15} width={slot * 0.7} y={y(0) - h} height={h} rx={2}>
                  <title>{`${hourLabel.format(new Date(b.at))}:00 — ${formatBytes(b.bytes)}, ${formatCount(b.jobs)} jobs finished`}</title>
                </rect>
                {i % 3 === 0 ? (
                  <text className="chart-label" x={PAD.left + i * slot + slot / 2} y={HEIGHT - 6} textAnchor="middle">
                    {hourLabel.format(new Date(b.at))}h
                  </text>
                ) : null}
              </g>
            );
          })}
        </svg>
      ) : null}
    </div>
  );
}
