import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { CommandParsed, SearchHit } from '../../../shared/contract';
import { searchTerms } from '../db/ftsQuery';
import type { RawHit } from '../db/searchRepo';
import type { CommandHandlers, EngineServices } from './engineServices';
import { localPath } from '../files/pathGuard';
import { bulkAction } from '../jobs/bulkActions';
import { withGap } from '../logs/eventTrim';
import { exportJobs } from '../jobs/jobExport';
import { computeJobStats } from '../jobs/jobStats';
import { deleteUploadedFiles } from '../kinds/uploadedFiles';
import { pipelineChain } from '../pipelines/pipelineChain';
import { HealthCheck, type HealthServices } from './healthCheck';

type JobCommandNames =
  | 'createDemoJob'
  | 'listJobs'
  | 'getJob'
  | 'getPipeline'
  | 'pauseJob'
  | 'resumeJob'
  | 'cancelJob'
  | 'stopAfterCurrent'
  | 'retryJob'
  | 'setPriority'
  | 'readLog'
  | 'listEvents'
  | 'getStats'
  | 'health'
  | 'deleteJob'
  | 'bulkAction'
  | 'searchJobs'
  | 'jobStats'
  | 'exportJobs'
  | 'pruneJobs'
  | 'setQueuePaused';

const DAY_MS = 24 * 60 * 60 * 1000;
const SNIPPET_CHARS = 300;
/** How long deleting a job's uploaded files may take before the command gives up (the job stays). */
const DELETE_FILES_MS = 5 * 60_000;

/** The line of a matching log block that holds the search words (or the first of them). */
function snippetOf(logs: EngineServices['logs'], hit: RawHit, terms: string[]): string | null {
  if (hit.offset === null || hit.length === null) return null;
  try {
    const fd = openSync(logs.paths(hit.jobId).log, 'r');
    try {
      const buf = Buffer.alloc(hit.length);
      const n = readSync(fd, buf, 0, hit.length, hit.offset);
      const lines = buf.subarray(0, n).toString('utf8').split('\n');
      const lower = lines.map((l) => l.toLowerCase());
      const score = (l: string) => terms.filter((t) => l.includes(t)).length;
      let best = -1;
      lower.forEach((l, i) => {
        if (best < 0 || score(l) > score(lower[best]!)) best = i;
      });
      const line = best >= 0 && score(lower[best]!) > 0 ? lines[best]!.trim() : null;
      return line === null ? null : line.length > SNIPPET_CHARS ? `${line.slice(0, SNIPPET_CHARS)}…` : line;
    } finally {
      closeSync(fd);
    }
  } catch {
    return null;
  }
}

/** Where an export goes: the given file, a default name inside a given folder, or exports/. */
function exportPath(dataDir: string, input: CommandParsed<'exportJobs'>): string {
  const name = `jobs-${new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19)}.${input.format}`;
  if (!input.path) return join(dataDir, 'exports', name);
  const path = localPath('exportJobs', input.path);
  try {
    if (statSync(path).isDirectory()) return join(path, name);
  } catch {
    // Not there yet: it names the file to write.
  }
  return path;
}

/** What the job commands use. */
export type JobServices = HealthServices & Pick<EngineServices, 'items' | 'search' | 'host'>;

/** Commands for jobs: creating, listing, controlling, logs and events, history, housekeeping. */
export function jobCommands(services: JobServices): Pick<CommandHandlers, JobCommandNames> {
  const jobs = services.jobs;
  const health = new HealthCheck(services);
  return {
    createDemoJob: (input) =>
      jobs.create(
        { kind: 'demo', name: input.name ?? `Demo: ${input.items} items`, priority: input.priority, params: input, total: input.items, unit: 'items', maxAttempts: 3 },
        input,
      ),
    listJobs: (input) => {
      const { rows, total } = services.repo.list(input);
      return { jobs: rows.map((r) => jobs.viewOf(r)), total };
    },
    getJob: ({ id }) => jobs.view(id),
    getPipeline: ({ id }) => pipelineChain(services.repo, id),
    pauseJob: ({ id }) => jobs.pause(id),
    resumeJob: ({ id }, call) => jobs.resume(id, call?.actor ?? 'api'),
    cancelJob: ({ id }) => jobs.cancel(id),
    stopAfterCurrent: ({ id }) => jobs.stopAfterCurrent(id),
    retryJob: ({ id }) => jobs.retry(id),
    setPriority: ({ id, priority }) => jobs.setPriority(id, priority),
    readLog: ({ id, offset, maxBytes, epoch }) => {
      jobs.get(id);
      return services.logs.readLog(id, offset, maxBytes, jobs.isDone(id), epoch);
    },
    listEvents: async ({ id, since, limit }) => {
      jobs.get(id);
      const read = await services.logs.readEvents(id, since, limit);
      const { events, gap } = withGap(read, since);
      return { events, nextSince: read.length ? read[read.length - 1]!.seq : since, ...(gap ? { gap } : {}) };
    },
    getStats: () => services.stats(),
    health: async ({ deep }) => {
      const report = await health.run(deep);
      const staging = services.host.stagingUsage?.();
      return staging ? { ...report, staging } : report;
    },
    deleteJob: ({ id, deleteFiles }) => {
      const row = jobs.assertDeletable(id);
      // Without files it stays synchronous: nothing can start or change between the check and the delete.
      if (!deleteFiles) {
        jobs.delete(id);
        return { id, filesDeleted: 0 };
      }
      const deps = { destinations: services.destinations, items: services.items, receiverDir: () => services.receiver.current()?.dir ?? undefined };
      return deleteUploadedFiles(deps, row, AbortSignal.timeout(DELETE_FILES_MS)).then((filesDeleted) => {
        jobs.delete(id);
        return { id, filesDeleted };
      });
    },
    bulkAction: ({ action, ids }) => bulkAction(jobs, services.repo, action, ids),
    searchJobs: ({ text, limit }) => {
      const terms = searchTerms(text);
      const hits: SearchHit[] = services.search.search(text, limit).map((h) => ({
        jobId: h.jobId,
        name: h.name,
        state: h.state,
        where: h.where,
        snippet: h.where === 'log' ? snippetOf(services.logs, h, terms) : null,
        offset: h.offset,
      }));
      return { hits };
    },
    jobStats: ({ from, to }) => {
      const end = to ?? Date.now();
      return computeJobStats(services.repo, services.repo.countByState(), from ?? end - DAY_MS, end);
    },
    exportJobs: (input) => exportJobs(services.repo, (row) => jobs.viewOf(row), input, input.format, exportPath(services.dataDir, input)),
    pruneJobs: (input) => services.retention.prune(input),
    setQueuePaused: ({ paused }) => ({ paused: jobs.setQueuePaused(paused) }),
  };
}
