import type { Health, SearchHit } from '../../shared/contract';
import type { DestinationView } from '../../shared/destinations';
import { formatBytes, formatDuration, formatPercent } from '../../shared/format';
import type { JobEvent, JobStats, JobView } from '../../shared/model';
import { plural } from '../../shared/plural';
import type { Instance } from './instance';

/** Progress as a person reads it: `42% 1.2 GB / 2.9 GB`, `12 / 20 items`. */
export function progressText(job: JobView): string {
  if (job.unit === 'bytes') {
    if (job.total <= 0) return job.done > 0 ? formatBytes(job.done) : '—';
    return `${Math.floor((job.done / job.total) * 100)}% ${formatBytes(job.done)} / ${formatBytes(job.total)}`;
  }
  return job.total > 0 ? `${job.done} / ${job.total} items` : '—';
}

/** One word for where a job stands: the state, with how it ended once it has. */
export function stateText(job: JobView): string {
  if (job.state === 'completed' && job.result === 'partial') return 'completed (partial)';
  return job.state.replace('_', ' ');
}

function clip(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, width - 1)}…`;
}

/** A fixed-width table: the same columns whatever the terminal, so `grep` and `awk` work on it. */
export function jobsTable(jobs: JobView[], total: number): string {
  if (jobs.length === 0) return 'No jobs.\n';
  const rows = jobs.map((j) => [String(j.id), stateText(j), j.kind, progressText(j), clip(j.name, 60)]);
  const more = total > jobs.length ? `\n${jobs.length} of ${total} jobs shown (use --limit).` : '';
  return `${table(['ID', 'STATE', 'KIND', 'PROGRESS', 'NAME'], rows)}${more}\n`;
}

/** Columns padded to their widest cell (the first right-aligned: ids), the last one free. */
function table(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : i === 0 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(head), ...rows.map(line)].join('\n');
}

/** `ferry dest list`. */
export function destinationsTable(all: DestinationView[]): string {
  if (all.length === 0) return 'No destinations.\n';
  const rows = all.map((d) => [d.id, d.name, d.kind, d.isDefault ? 'yes' : '', d.summary]);
  return `${table(['ID', 'NAME', 'KIND', 'DEFAULT', 'WHERE'], rows)}\n`;
}

/** `ferry search`: one line per hit, where it matched and the matching line. */
export function searchTable(hits: SearchHit[]): string {
  if (hits.length === 0) return 'No matches.\n';
  const rows = hits.map((h) => [String(h.jobId), h.state.replace('_', ' '), h.where, clip(h.where === 'log' && h.snippet ? h.snippet.trim() : h.name, 80)]);
  return `${table(['JOB', 'STATE', 'FOUND IN', 'TEXT'], rows)}\n`;
}

/** `ferry stats`: the figures of a window, one fact per line. */
export function statsText(stats: JobStats): string {
  const byState = Object.entries(stats.counts)
    .filter(([, n]) => n > 0)
    .map(([state, n]) => `${n} ${state.replace('_', ' ')}`);
  const lines = [
    `From ${new Date(stats.from).toISOString()} to ${new Date(stats.to).toISOString()}`,
    `Finished:     ${stats.finished} ${plural(stats.finished, 'job')}${stats.partial ? ` (${stats.partial} completed with failed files)` : ''}`,
    `Success rate: ${stats.successRate === null ? '—' : formatPercent(stats.successRate)}`,
    `Bytes moved:  ${formatBytes(stats.bytesMoved)}`,
    `By state:     ${byState.join(', ') || 'no jobs'}`,
  ];
  for (const [kind, d] of Object.entries(stats.durations)) {
    if (d) lines.push(`${`${kind}:`.padEnd(13)} ${d.count} ${plural(d.count, 'job')}, median ${formatDuration(d.p50)}, p90 ${formatDuration(d.p90)}, longest ${formatDuration(d.max)}`);
  }
  return `${lines.join('\n')}\n`;
}

/** One event as a line: when, which job, what, and its message. */
export function eventLine(event: JobEvent & { jobId?: number }, jobId?: number): string {
  const id = event.jobId ?? jobId;
  return `${new Date(event.ts).toISOString()}  ${id === undefined ? '' : `#${id}  `}${event.type.padEnd(9)}  ${event.message}\n`;
}

/** `ferry status`: the instance and the engine's health, one fact per line. */
export function healthText(health: Health, instance: Instance): string {
  const s = health.scheduler;
  return (
    [
      `Ferry ${health.version}: ${health.ok ? 'ok' : 'NOT OK'}`,
      `Instance:   ${instance.origin} (${instance.host}, pid ${instance.pid})`,
      `Data:       ${health.dataDir}${health.freeBytes !== null ? ` (${formatBytes(health.freeBytes)} free)` : ''}`,
      `Database:   ${health.database}`,
      `Scheduler:  ${s.running} running, ${s.queued} queued, concurrency ${s.concurrency}${s.paused ? ', queue paused' : ''}`,
    ].join('\n') + '\n'
  );
}
