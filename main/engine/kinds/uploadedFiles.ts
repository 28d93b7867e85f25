import { conflict, invalidInput } from '../../../shared/errors';
import { isFinished } from '../../../shared/model';
import type { ItemsRepo } from '../db/itemsRepo';
import type { JobRow } from '../db/jobsRepo';
import type { DestinationService } from '../destinations/destinationService';
import { FolderProtocol } from '../upload/folderProtocol';
import type { UploadProtocol } from '../upload/protocol';
import type { UploadState } from '../upload/uploadFile';
import { receiverFiled } from './storedSha256';
import { DATASET_FILE_NAME, MANIFEST_NAME, remotePath } from './datasetFiles';
import type { UploadParams } from './uploadRunner';

export interface UploadedFilesDeps {
  destinations: DestinationService;
  items: ItemsRepo;
  /** Where the built-in receiver files datasets on this computer (undefined while it does not run here). */
  receiverDir: () => string | undefined;
}

/**
 * Deletes what an upload job put at its destination: every file it finished, its manifest, and
 * any upload it left unfinished. Refused (before anything is deleted) where the destination
 * offers no way to delete (a tus server without termination). Answers how many files went.
 */
export async function deleteUploadedFiles(deps: UploadedFilesDeps, row: JobRow, signal: AbortSignal): Promise<number> {
  const op = `deleteJob(job ${row.id})`;
  if (row.kind !== 'upload') return 0;
  if (!isFinished(row.state)) throw conflict(`${op}: cancel it before deleting its files (it is ${row.state})`, { id: row.id, state: row.state });
  const params = JSON.parse(row.params) as UploadParams;
  const destination = deps.destinations.get(params.destinationId);
  const protocol = deps.destinations.protocol(params.destinationId);
  // The built-in receiver's files are on this computer; it takes no deletes over HTTP.
  let files: UploadProtocol | undefined = protocol.remove ? protocol : undefined;
  const receiverDir = deps.receiverDir();
  if (destination.kind === 'receiver' && receiverDir) files = new FolderProtocol({ root: receiverDir });
  try {
    const problem = !files?.remove ? 'it offers no way to delete files' : files === protocol ? await protocol.removeProblem?.(signal) : undefined;
    if (problem || !files?.remove) {
      throw invalidInput(`${op}: ${destination.name} does not allow deleting uploaded files (${problem}); nothing was deleted`, { destination: destination.id });
    }
    const receiverStandIn = files !== protocol;
    // Where the files sit as seen by `files`: the receiver stand-in is a folder of datasets, in
    // which the receiver may have filed a name as `name (n).ext` (its location says).
    const where = (relative: string, location: string | null = null) =>
      receiverStandIn ? (receiverFiled(location) ?? `${params.dataset}/${relative}`) : remotePath(protocol, params, relative);
    let deleted = 0;
    for (const it of deps.items.unfinished(row.id)) {
      if (!it.session) continue;
      await protocol.discard((JSON.parse(it.session) as UploadState).session, signal);
      deps.items.dropSession(row.id, it.seq);
    }
    for (const m of deps.items.manifest(row.id)) {
      await files.remove(where(m.relative_path, m.location), signal, m.location);
      deleted++;
    }
    // The files Ferry wrote beside the data: where their sessions say they went.
    const own = row.resume_state ? ((JSON.parse(row.resume_state) as { own?: Record<string, { state: UploadState }> }).own ?? {}) : {};
    for (const name of [MANIFEST_NAME, DATASET_FILE_NAME]) {
      const url = (own[name]?.state.session as { url?: string | null } | undefined)?.url ?? null;
      // A tus server knows a file by its upload URL alone: without one recorded there is nothing to ask for.
      if (protocol.kind === 'tus' && !receiverStandIn && !url) continue;
      if (deleted > 0 || own[name]) await files.remove(where(name), signal, url);
    }
    return deleted;
  } finally {
    protocol.close();
    if (files && files !== protocol) files.close();
  }
}

