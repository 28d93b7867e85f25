import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { ExportResult } from '../../../shared/contract';
import type { JobView } from '../../../shared/model';
import type { JobFilter, JobSummaryRow, JobsRepo } from '../db/jobsRepo';

const PAGE = 500;

const COLUMNS: [string, (j: JobView) => unknown][] = [
  ['id', (j) => j.id],
  ['name', (j) => j.name],
  ['kind', (j) => j.kind],
  ['state', (j) => j.state],
  ['result', (j) => j.result],
  ['priority', (j) => j.priority],
  ['created', (j) => iso(j.createdAt)],
  ['started', (j) => iso(j.startedAt)],
  ['finished', (j) => iso(j.finishedAt)],
  ['running_seconds', (j) => ((j.runMs ?? 0) / 1000).toFixed(1)],
  ['done', (j) => j.done],
  ['total', (j) => j.total],
  ['unit', (j) => j.unit],
  ['processed', (j) => j.counts.processed],
  ['failed', (j) => j.counts.failed],
  ['attempts', (j) => j.attempts],
  ['destination', (j) => j.destinationId],
  ['error', (j) => j.error],
];

const iso = (ms: number | null): string => (ms === null ? '' : new Date(ms).toISOString());

/**
 * One CSV field: quoted when it holds a separator, quote or line break; text that a spreadsheet
 * would run as a formula (=, +, -, @ first) gets a leading apostrophe.
 */
export function csvField(value: unknown): string {
  if (value === null || value === undefined) return '';
  let s = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * Streams the jobs that match `filter` to `path` as CSV or a JSON array, a page at a time so memory
 * stays flat for any number of jobs. Written beside the target and renamed, so a reader never sees
 * half a file.
 */
export async function exportJobs(
  repo: JobsRepo,
  view: (row: JobSummaryRow) => JobView,
  filter: JobFilter,
  format: 'csv' | 'json',
  path: string,
): Promise<ExportResult> {
  await mkdir(dirname(path), { recursive: true });
  const part = `${path}.part`;
  const out = createWriteStream(part, { flags: 'w' });
  const write = async (text: string) => {
    if (!out.write(text)) await once(out, 'drain');
  };
  let count = 0;
  try {
    await write(format === 'csv' ? COLUMNS.map(([name]) => name).join(',') + '\r\n' : '[');
    for (let offset = 0; ; offset += PAGE) {
      const rows = repo.page(filter, PAGE, offset);
      let chunk = '';
      for (const row of rows) {
        const j = view(row);
        chunk += format === 'csv' ? COLUMNS.map(([, get]) => csvField(get(j))).join(',') + '\r\n' : `${count === 0 ? '\n' : ',\n'}${JSON.stringify(j)}`;
        count++;
      }
      if (chunk) await write(chunk);
      if (rows.length < PAGE) break;
    }
    if (format === 'json') await write(count ? '\n]\n' : ']\n');
    out.end();
    await once(out, 'close');
    await rename(part, path);
  } catch (err) {
    out.destroy();
    await rm(part, { force: true });
    throw err;
  }
  return { path, format, count, bytes: (await stat(path)).size };
}
