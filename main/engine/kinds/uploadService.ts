import { statSync } from 'node:fs';
import { isAbsolute, relative } from 'node:path';
import type { CommandParsed } from '../../../shared/contract';
import { invalidInput } from '../../../shared/errors';
import type { JobView } from '../../../shared/model';
import { reservedNameProblem, storedPathProblem } from '../../../shared/storedPath';
import type { DestinationService } from '../destinations/destinationService';
import { localPath } from '../files/pathGuard';
import { datasetNameFor } from '../files/scan';
import type { JobManager } from '../jobs/jobManager';
import type { PipelineService } from '../pipelines/pipelineService';
import type { SettingsService } from '../settings/settingsService';
import type { UploadParams } from './uploadRunner';

/** What an upload job is asked with: the createUpload command's input, as validated by its schema. */
export type CreateUploadInput = CommandParsed<'createUpload'>;

export interface UploadServiceDeps {
  jobs: JobManager;
  destinations: DestinationService;
  settings: SettingsService;
  pipelines: PipelineService;
}

/**
 * Creates dataset upload jobs (the createUpload command and watched folders): refuses, while the
 * user is still there, what would only fail after every attempt (a missing path, a path outside
 * the base folder, a dataset name no destination can store), then queues the job and attaches the
 * steps that follow it.
 */
export class UploadService {
  constructor(private readonly deps: UploadServiceDeps) {}

  create(input: CreateUploadInput): JobView {
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
    const params: UploadParams = {
      paths,
      ...(base !== undefined ? { base } : {}),
      destinationId,
      dataset,
      metadata: input.metadata,
      parallelFiles: current.parallelFiles,
      onSourceChange: current.onSourceChange,
    };
    const steps = pipelines.check(input.then);
    const job = jobs.create(
      { kind: 'upload', name: dataset, priority: input.priority, params, metadata: input.metadata, destinationId, unit: 'bytes', maxAttempts: 5 },
      { paths, destination: destinationId, dataset, metadata: input.metadata, ...(steps.length ? { then: steps.map((s) => s.kind) } : {}) },
    );
    pipelines.attach(job.id, params, steps);
    return job;
  }
}
