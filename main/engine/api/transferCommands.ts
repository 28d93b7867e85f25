import type { JobItemView } from '../../../shared/contract';
import type { ItemRow } from '../db/itemsRepo';
import { datasetNameFor, scanPaths } from '../files/scan';
import type { CommandHandlers, EngineServices } from './engineServices';

type TransferCommandNames = 'previewUpload' | 'createUpload' | 'listJobItems';

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

/** Commands for uploads: what a set of paths amounts to, creating the job, and its files. */
export function transferCommands(services: Pick<EngineServices, 'uploads' | 'jobs' | 'items'>): Pick<CommandHandlers, TransferCommandNames> {
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
    listJobItems: ({ id, offset, limit, state }) => {
      jobs.get(id);
      const rows = items.page(id, offset, limit, state);
      return { items: rows.map(itemView), total: items.count(id) };
    },
  };
}
