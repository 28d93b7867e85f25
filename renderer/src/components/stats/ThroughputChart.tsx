/**
 * Live throughput over this session, drawn in SVG from the `stats` stream's samples (one a second):
 * an area under the bytes-per-second line, with a grid and labelled axes.
 */
import type { ReactElement } from 'react';
import { formatBytes, formatDuration } from '../../../../shared/format';
import { useElementWidth } from '../../hooks/useElementWidth';
import { niceMax, ticks } from '../../lib/niceScale';
import type { ThroughputSample } from '../../store/statsSlice';

const HEIGHT = 180;
const PAD = { top: 10, right: 12, bottom: 22, left: 70 };
/** The chart shows the last ten minutes at most. */
const WINDOW_MS = 10 * 60_000;

export function ThroughputChart({ samples, now }: { samples: ThroughputSample[]; now: number }): ReactElement {
  const [ref, width] = useElementWidth<HTMLDivElement>();
  const from = now - WINDOW_MS;
  const shown = samples.filter((s) => s.at >= from);
  const peak = shown.reduce((m, s) => Math.max(m, s.bytesPerSecond), 0);
  // An idle session still gets a readable scale (up to 1 MB/s).
  const max = niceMax(peak, 1_000_000);
  const span = Math.max(60_000, now - (shown[0]?.at ?? now));
  const plotW = Math.max(10, width - PAD.left - PAD.right);
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const x = (at: number) => PAD.left + ((at - (now - span)) / span) * plotW;
  const y = (v: number) => PAD.top + plotH - (v / max) * plotH;
  const line = shown.map((s, i) => `${i === 0 ? 'M' : 'L'}${x(s.at).toFixed(1)},${y(s.bytesPerSecond).toFixed(1)}`).join('');
  const first = shown[0];
  const last = shown[shown.length - 1];
  const area = first && last ? `${line}L${x(last.at).toFixed(1)},${y(0)}L${x(first.at).toFixed(1)},${y(0)}Z` : '';
  const xTicks = [0, 0.25, 0.5, 0.75, 1].map((f) => now - span + f * span);
  return (
    <div ref={ref} className="chart" data-testid="throughput-chart">
      {width > 0 ? (
        <svg width={width} height={HEIGHT} role="img" aria-label={`Throughput over the last ${formatDuration(span)}; peak ${formatBytes(peak)}/s`}>
          {ticks(max).map((t) => (
            <g key={t}>
              <line className="chart-grid" x1={PAD.left} x2={width - PAD.right} y1={y(t)} y2={y(t)} />
              <text className="chart-label" x={PAD.left - 8} y={y(t) + 4} textAnchor="end">
                {t === 0 ? '0' : `${formatBytes(t)}/s`}
              </text>
            </g>
          ))}
          {xTicks.map((t, i) => (
            <text key={t} className="chart-label" x={x(t)} y={HEIGHT - 6} textAnchor={i === 0 ? 'start' : i === xTicks.length - 1 ? 'end' : 'middle'}>
              {i === xTicks.length - 1 ? 'now' : `−${formatDuration(now - t)}`}
            </text>
          ))}
          {area ? <path className="chart-area" d={area} /> : null}
          {line ? <path className="chart-line" d={line} /> : null}
          {last ? <circle className="chart-dot" cx={x(last.at)} cy={y(last.bytesPerSecond)} r={3} /> : null}
        </svg>
      ) : null}
    </div>
  );
}
