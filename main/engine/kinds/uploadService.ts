import { statSync } from 'node:fs';
import { isAbsolute, relative } from 'node:path';
import type { CommandParsed } from '../../../shared/contract';
import { conflict, invalidInput } from '../../../shared/errors';
import type { JobView } from '../../../shared/model';
import { reservedNameProblem, storedPathProblem } from '../../../shared/storedPath';
import type { ItemsTable } from '../db/itemsRepo';
import type { DestinationService } from '../destinations/destinationService';
import { localPath } from '../files/pathGuard';
import { datasetNameFor } from '../files/scan';
import type { JobManager } from '../jobs/jobManager';
import type { PipelineService } from '../pipelines/pipelineService';
import type { SettingsService } from '../settings/settingsService';
import type { DatasetFilter } from '../watch/ruleFilter';
import type { UploadParams } from './uploadRunner';

/** What an upload job is asked with: the createUpload command's input, as validated by its schema. */
export type CreateUploadInput = CommandParsed<'createUpload'>;

export interface UploadServiceDeps {
  jobs: JobManager;
  destinations: DestinationService;
  settings: SettingsService;
  pipelines: PipelineService;
  items: Pick<ItemsTable, 'totals'>;
}

/**
 * Creates dataset upload jobs (the createUpload command and watched folders): refuses, while the
 * user is still there, what would only fail after every attempt (a missing path, a path outside
 * the base folder, a dataset name no destination can store), then queues the job and attaches the
 * steps that follow it.
 */
export class UploadService {
  constructor(private readonly deps: UploadServiceDeps) {}

  /** `filter`: a watch rule's patterns, for a dataset given as its folder (too many files to list). */
  create(input: CreateUploadInput, filter?: DatasetFilter): JobView {
    const { jobs, destinations, settings, pipelines } = this.deps;
    const paths = input.paths.map((p) => localPath('createUpload', p));
    for (const p of paths) {
      let there: boolean;
      try {
        there = statSync(p, { throwIfNoEntry: false }) !== undefined;
      } catch (err) {
        throw invalidInput(`createUpload: ${p} cannot be read: ${(err as Error).message}`, { path: p });
      }
      if (!there) throw invalidInput(`createUpload: ${p} does not exist`, { path: p });
    }
    const base = input.base === undefined ? undefined : localPath('createUpload', input.base);
    if (base !== undefined) {
      const outside = paths.find((p) => relative(base, p).startsWith('..') || isAbsolute(relative(base, p)));
      if (outside !== undefined) throw invalidInput(`createUpload: ${outside} is not inside the base folder ${base}`, { path: outside, base });
    }
    const destinationId = destinations.resolveId(input.destinationId);
    const current = settings.get();
    const dataset = input.name ?? datasetNameFor(paths);
    if (/[/\\]|^\.\.?$/.test(dataset)) throw invalidInput(`createUpload: the dataset name ${JSON.stringify(dataset)} cannot contain slashes`);
    // Every destination stores the dataset as a folder (or key prefix) of that name: one the
    // receiver's storage rule refuses would fail the whole job later, so it is refused now.
    const nameProblem = storedPathProblem(dataset, process.platform) ?? reservedNameProblem(dataset);
    if (nameProblem) throw invalidInput(`createUpload: the dataset name ${JSON.stringify(dataset)} ${nameProblem}`);
    if (input.deleteRemoved && !input.incremental) throw invalidInput('createUpload: deleteRemoved needs incremental: only an incremental upload knows which files are gone from the source');
    if (input.rehash && !input.incremental) throw invalidInput('createUpload: rehash needs incremental: only an incremental upload compares files with the destination');
    const params: UploadParams = {
      paths,
      ...(base !== undefined ? { base } : {}),
      destinationId,
      dataset,
      metadata: input.metadata,
      parallelFiles: current.parallelFiles,
      onSourceChange: current.onSourceChange,
      ...(filter ? { filter } : {}),
      ...(input.incremental ? { incremental: true, deleteRemoved: input.deleteRemoved === true, rehash: input.rehash === true } : {}),
    };
    const steps = pipelines.check(input.then);
    const job = jobs.create(
      { kind: 'upload', name: dataset, priority: input.priority, params, metadata: input.metadata, destinationId, unit: 'bytes', maxAttempts: 5 },
      { paths, destination: destinationId, dataset, metadata: input.metadata, ...(steps.length ? { then: steps.map((s) => s.kind) } : {}) },
    );
    pipelines.attach(job.id, params, steps);
    return job;
  }

  /**
   * A new attempt of a completed upload that has failed files: the job is queued again and its
   * runner sends only the files not done, with the job's own destination, options and dataset;
   * the files that landed stay as they are. Refused (CONFLICT) for anything else, and while the
   * destination is gone.
   */
  resendFailed(id: number): JobView {
    const op = `resendFailed(job ${id})`;
    const { jobs, destinations, items } = this.deps;
    const row = jobs.get(id);
    if (row.kind !== 'upload') throw conflict(`${op}: only an upload has files to send again (it is a ${row.kind} job)`, { id, kind: row.kind });
    if (row.state !== 'completed') throw conflict(`${op}: only a completed upload can send its failed files again (it is ${row.state})`, { id, state: row.state });
    const failed = items.totals(id).failedFiles;
    if (failed === 0) throw conflict(`${op}: no file of it failed`, { id });
    const params = JSON.parse(row.params) as UploadParams;
    // Throws NOT_FOUND while the destination was deleted: the files would have nowhere to go.
    const destination = destinations.get(params.destinationId);
    return jobs.resend(id, (attempt) => `Sending the ${failed === 1 ? 'file that failed' : `${failed} files that failed`} again to ${destination.name} (attempt ${attempt})`);
  }
}
