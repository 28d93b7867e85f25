import { randomUUID } from 'node:crypto';
import { mkdirSync, statSync } from 'node:fs';
import { PRIVATE_DIR_MODE } from '../util/privateFiles';
import { isAbsolute, join, relative } from 'node:path';
import type { JobItemView } from '../../../shared/contract';
import { FerryError, invalidInput, notFound } from '../../../shared/errors';
import { reservedNameProblem, storedPathProblem } from '../../../shared/storedPath';
import type { Engine, CommandHandlers } from '../engine';
import { browseDirectory, listPlaces, summarizeFolder } from '../files/browse';
import { localPath } from '../files/pathGuard';
import { datasetNameFor, scanPaths } from '../files/scan';
import type { ItemRow } from '../db/itemsRepo';
import type { UploadParams } from '../kinds/uploadRunner';

type TransferCommandNames =
  | 'listDestinations'
  | 'saveDestination'
  | 'deleteDestination'
  | 'setDefaultDestination'
  | 'testDestination'
  | 'previewUpload'
  | 'createUpload'
  | 'listJobItems'
  | 'listPlaces'
  | 'listDirectory'
  | 'summarizeFolder'
  | 'capabilities'
  | 'pickPaths'
  | 'revealPath'
  | 'beginStaging'
  | 'getSettings';

const PREVIEW_FILES = 100_000;

function itemView(r: ItemRow): JobItemView {
  return {
    seq: r.seq,
    relativePath: r.relative_path,
    size: r.size,
    state: r.state,
    bytesDone: r.bytes_done,
    sha256: r.sha256,
    verified: r.verified,
    location: r.location,
    error: r.error,
  };
}

/** Commands for destinations, uploads, local files, host services and settings. */
export function transferCommands(engine: Engine): Pick<CommandHandlers, TransferCommandNames> {
  const unavailable = (what: string) => new FerryError('UNAVAILABLE', `${what} is only available in the desktop app`);
  return {
    listDestinations: () => engine.destinations.list(),
    saveDestination: (input) => engine.destinations.save(input),
    deleteDestination: ({ id }) => {
      engine.destinations.delete(id);
      return { id };
    },
    setDefaultDestination: ({ id }) => engine.destinations.setDefault(id),
    testDestination: ({ id }) => engine.destinations.test(id),
    previewUpload: async ({ paths }) => {
      const scan = await scanPaths(paths, { maxFiles: PREVIEW_FILES });
      return {
        files: scan.files.length,
        bytes: scan.bytes,
        sample: scan.files.slice(0, 50).map((f) => ({ relativePath: f.relativePath, size: f.size })),
        skipped: scan.skipped.slice(0, 200),
        suggestedName: datasetNameFor(paths),
        truncated: scan.truncated,
      };
    },
    createUpload: (input) => {
      const paths = input.paths.map((p) => localPath('createUpload', p));
      // A path that is not there would fail only after every attempt; refuse it while the user is here.
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
      const destinationId = engine.destinations.resolveId(input.destinationId);
      const settings = engine.settings.get();
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
        parallelFiles: settings.parallelFiles,
        onSourceChange: settings.onSourceChange,
      };
      const steps = engine.pipelines.check(input.then);
      const job = engine.jobs.create(
        { kind: 'upload', name: dataset, priority: input.priority, params, metadata: input.metadata, destinationId, unit: 'bytes', maxAttempts: 5 },
        { paths, destination: destinationId, dataset, metadata: input.metadata, ...(steps.length ? { then: steps.map((s) => s.kind) } : {}) },
      );
      engine.pipelines.attach(job.id, params, steps);
      return job;
    },
    listJobItems: ({ id, offset, limit, state }) => {
      engine.jobs.get(id);
      const rows = engine.items.page(id, offset, limit, state);
      return { items: rows.map(itemView), total: engine.items.count(id) };
    },
    listPlaces: () => listPlaces(),
    listDirectory: ({ path, showHidden }) => browseDirectory(path, showHidden),
    summarizeFolder: ({ path }) => summarizeFolder(path),
    capabilities: () => ({
      host: engine.host.kind,
      pickPaths: !!engine.host.pickPaths,
      reveal: !!engine.host.reveal,
      dropPaths: engine.host.dropPaths,
      receiverDir: engine.receiver?.dir ?? null,
      commandJobs: engine.commandJobs.allowed(),
      askCommandJobs: !!engine.host.confirmCommandJobs,
    }),
    pickPaths: ({ kind }) => {
      if (!engine.host.pickPaths) throw unavailable('The file dialog');
      return engine.host.pickPaths(kind);
    },
    revealPath: ({ id, what, seq }) => {
      if (!engine.host.reveal) throw unavailable('Showing files in the file manager');
      engine.jobs.get(id);
      let path: string;
      if (what === 'log') path = engine.logs.paths(id).log;
      else if (what === 'folder') path = engine.logs.paths(id).dir;
      else {
        const item = seq === undefined ? undefined : engine.items.page(id, seq, 1)[0];
        if (!item || item.seq !== seq) throw notFound(`revealPath(job ${id}): no file #${seq ?? '?'}`);
        path = item.path;
      }
      engine.host.reveal(path);
      return { path };
    },
    beginStaging: () => {
      const stagingId = randomUUID();
      mkdirSync(engine.stagingDir(stagingId), { recursive: true, mode: PRIVATE_DIR_MODE });
      return { stagingId, path: engine.stagingDir(stagingId), uploadUrl: `/api/stage/${stagingId}/` };
    },
    getSettings: () => engine.settings.get(),
  };
}

export const STAGING_DIR = 'staging';
export const stagingPath = (dataDir: string, id: string): string => join(dataDir, STAGING_DIR, id);
