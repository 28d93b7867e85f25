import type { Health } from '../../shared/contract';
import { formatBytes } from '../../shared/format';
import type { JobView } from '../../shared/model';
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
  const head = ['ID', 'STATE', 'KIND', 'PROGRESS', 'NAME'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : i === 0 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  const more = total > jobs.length ? `\n${jobs.length} of ${total} jobs shown (use --limit).` : '';
  return `${[line(head), ...rows.map(line)].join('\n')}${more}\n`;
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
