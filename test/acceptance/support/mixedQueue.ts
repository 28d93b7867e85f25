import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { JobView } from '../../../shared/model';
import { startRangeServer, type RangeServer } from '../../integration/kinds/rangeServer';
import { databaseIntegrity, logProblems } from './checks';
import { FULL, KiB, makeDataset, MiB, seededBytes, sha256, type SourceDataset } from './dataset';
import { addDestination, compareLanded, type Destination, type Kind } from './destinations';
import { Instance, SERVE } from './instance';

/**
 * A queue of every job kind a user runs unattended: dataset uploads to every destination kind
 * (one per kind followed by a verify step), downloads from a local range server, and command jobs.
 */

const QUEUE_KINDS: Kind[] = ['receiver', 'tus', 's3', 'folder'];
const UPLOADS_PER_KIND = FULL ? 5 : 2;
const DOWNLOADS = FULL ? 8 : 6;
const COMMANDS = 2;
const DOWNLOAD_BYTES = FULL ? 48 * MiB : 4 * MiB + 11;

function uploadSizes(kind: Kind, i: number): number[] {
  // S3 gets a file of several 5 MiB parts; the others a file of several tus chunks (1 MiB) or a
  // long single request (the built-in receiver's default request is 1 GiB).
  const large = kind === 's3' ? (FULL ? 64 : 11) * MiB + i : (FULL ? 40 : 3) * MiB + 7 * i;
  return [large, 300 * KiB + i, 20 * KiB, 7, ...(FULL ? [9 * MiB, 1 * MiB] : [])];
}

/** Whether the built `ferry serve` has the `--allow-command-jobs` flag. */
function serveHasCommandFlag(): boolean {
  return execFileSync(process.execPath, [SERVE, '--help'], { encoding: 'utf8' }).includes('--allow-command-jobs');
}

export interface MixedQueue {
  instance: Instance;
  destinations: Map<Kind, Destination>;
  uploads: { id: number; kind: Kind; dataset: string; source: SourceDataset }[];
  downloads: { id: number; file: string }[];
  range: RangeServer;
  downloadSha: string;
  /** How many jobs the queue holds once every verify step was created. */
  expectedJobs: number;
  close(): Promise<void>;
}

export async function startMixedQueue(root: string, seed: number): Promise<MixedQueue> {
  // Command jobs are the user's decision at the host: `ferry serve --allow-command-jobs` where
  // the build has it, else the data directory's local-config.json, else (older builds) a setting.
  const commandFlag = serveHasCommandFlag();
  const dataDir = join(root, 'data');
  mkdirSync(dataDir, { recursive: true });
  if (!commandFlag) writeFileSync(join(dataDir, 'local-config.json'), JSON.stringify({ allowCommandJobs: true }), { mode: 0o600 });
  const instance = new Instance(dataDir, commandFlag ? ['--allow-command-jobs'] : []);
  await instance.start();
  if (!commandFlag) await instance.call('updateSettings', { allowCommandJobs: true } as never).catch(() => undefined);

  const destinations = new Map<Kind, Destination>();
  for (const kind of QUEUE_KINDS) destinations.set(kind, await addDestination(instance, kind, root));

  const uploads: MixedQueue['uploads'] = [];
  for (let i = 0; i < UPLOADS_PER_KIND; i++) {
    for (const kind of QUEUE_KINDS) {
      const dataset = `q-${kind}-${i}`;
      const source = makeDataset(join(root, 'src'), dataset, uploadSizes(kind, i), seed * 100 + uploads.length);
      const job = await instance.call('createUpload', {
        paths: [source.dir],
        destinationId: destinations.get(kind)!.id,
        name: dataset,
        ...(i === 0 ? { then: [{ kind: 'verify' as const }] } : {}),
      });
      uploads.push({ id: job.id, kind, dataset, source });
    }
  }

  const content = seededBytes(DOWNLOAD_BYTES, seed + 7);
  const downloadSha = sha256(content);
  const range = await startRangeServer({ content });
  const downloadDir = join(root, 'downloads');
  mkdirSync(downloadDir, { recursive: true });
  const downloads: MixedQueue['downloads'] = [];
  for (let i = 0; i < DOWNLOADS; i++) {
    const file = join(downloadDir, `download-${i}.bin`);
    const job = await instance.call('createDownloadJob', { url: range.url(), dest: file, expectedSha256: downloadSha, name: `download ${i}` });
    downloads.push({ id: job.id, file });
  }

  for (let i = 0; i < COMMANDS; i++) {
    await instance.call('createCommandJob', {
      program: process.execPath,
      args: ['-e', `for (let i = 0; i < 200; i++) console.log('line ' + i + ' of command ${i}')`],
      name: `command ${i}`,
      maxAttempts: 5,
    });
  }

  return {
    instance,
    destinations,
    uploads,
    downloads,
    range,
    downloadSha,
    expectedJobs: uploads.length + QUEUE_KINDS.length + DOWNLOADS + COMMANDS,
    close: async () => {
      await instance.stop();
      for (const d of destinations.values()) await d.close();
      await range.close();
    },
  };
}

/** Work done so far, in one number that grows as the queue advances (bytes moved plus finished jobs). */
export function workDone(jobs: JobView[]): number {
  return jobs.reduce((sum, j) => sum + (j.unit === 'bytes' ? j.done : 0) + (j.state === 'completed' ? MiB : 0), 0);
}

/** Everything a user would check once the queue is through; answers the problems in words. */
export async function queueProblems(queue: MixedQueue, jobs: JobView[], opts: { leftovers: boolean }): Promise<string[]> {
  const problems: string[] = [];
  if (jobs.length !== queue.expectedJobs) problems.push(`${jobs.length} jobs, expected ${queue.expectedJobs}`);
  for (const job of jobs) {
    if (job.state !== 'completed' || job.result !== 'success') problems.push(`job ${job.id} (${job.kind} ${job.name}): ${job.state}/${job.result}: ${job.error}`);
  }
  for (const upload of queue.uploads) {
    const landed = await queue.destinations.get(upload.kind)!.landed(upload.dataset);
    for (const p of compareLanded(upload.source.files, landed)) problems.push(`job ${upload.id} (${upload.kind} ${upload.dataset}): ${p}`);
  }
  if (opts.leftovers) for (const d of queue.destinations.values()) problems.push(...(await d.leftovers()));
  const downloadDir = join(queue.downloads[0]!.file, '..');
  const expectedNames = queue.downloads.map((d) => d.file.slice(downloadDir.length + 1)).sort();
  const names = existsSync(downloadDir) ? readdirSync(downloadDir).sort() : [];
  if (JSON.stringify(names) !== JSON.stringify(expectedNames)) problems.push(`downloads folder holds ${JSON.stringify(names)}, expected ${JSON.stringify(expectedNames)}`);
  for (const d of queue.downloads) {
    if (!existsSync(d.file)) continue;
    const sha = sha256(readFileSync(d.file));
    if (sha !== queue.downloadSha) problems.push(`job ${d.id}: downloaded SHA-256 ${sha} differs from the served ${queue.downloadSha}`);
  }
  return problems;
}

/** Checks made after the process stopped: the database and every job's log. */
export function dataDirProblems(dataDir: string, jobs: JobView[]): string[] {
  const problems: string[] = [];
  const integrity = databaseIntegrity(dataDir);
  if (integrity !== 'ok') problems.push(`PRAGMA integrity_check: ${integrity}`);
  for (const job of jobs) problems.push(...logProblems(dataDir, job.id));
  return problems;
}
