import type { JobItemView } from '../../../shared/contract';
import type { ItemRow } from '../db/itemsRepo';
import type { JobRow } from '../db/jobsRepo';
import type { ResolvedDestination } from '../destinations/protocolFactory';
import { datasetNameFor, scanPaths } from '../files/scan';
import { datasetPlace, itemPlace } from '../kinds/datasetPlace';
import type { UploadParams } from '../kinds/uploadRunner';
import type { CommandHandlers, EngineServices } from './engineServices';

type TransferCommandNames = 'previewUpload' | 'createUpload' | 'planUpload' | 'listJobItems' | 'resendFailed';

const PREVIEW_FILES = 100_000;

/** An upload's destination and dataset name, or undefined when the destination was deleted since. */
export function uploadTarget(services: Pick<EngineServices, 'destinations'>, row: JobRow): { dest: ResolvedDestination; dataset: string } | undefined {
  if (row.kind !== 'upload') return undefined;
  const params = JSON.parse(row.params) as UploadParams;
  try {
    return { dest: services.destinations.resolve(params.destinationId), dataset: params.dataset };
  } catch {
    return undefined;
  }
}

function itemView(r: ItemRow, where: string | null): JobItemView {
  return {
    seq: r.seq,
    relativePath: r.relative_path,
    size: r.size,
    state: r.state,
    bytesDone: r.bytes_done,
    sha256: r.sha256,
    verified: r.verified,
    location: r.location,
    where,
    error: r.error,
  };
}

/** Commands for uploads: what a set of paths amounts to, creating the job, and its files. */
export function transferCommands(services: Pick<EngineServices, 'uploads' | 'planner' | 'jobs' | 'items' | 'destinations' | 'receiver'>): Pick<CommandHandlers, TransferCommandNames> {
  const { uploads, jobs, items } = services;
  return {
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
    createUpload: (input) => uploads.create(input),
    planUpload: (input) => services.planner.plan(input),
    listJobItems: ({ id, offset, limit, state }) => {
      const target = uploadTarget(services, jobs.get(id));
      const receiverDir = services.receiver.current()?.dir ?? undefined;
      const rows = items.page(id, offset, limit, state);
      return {
        items: rows.map((r) => itemView(r, target ? itemPlace(target.dest, target.dataset, r, receiverDir) : null)),
        total: items.count(id),
        place: target ? datasetPlace(target.dest, target.dataset, receiverDir) : null,
      };
    },
    resendFailed: ({ id }) => uploads.resendFailed(id),
  };
}
