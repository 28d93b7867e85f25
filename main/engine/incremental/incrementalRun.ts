import { join } from 'node:path';
import { plural } from '../../../shared/plural';
import { formatBytes } from '../../../shared/format';
import type { ItemDone, ItemsTable } from '../db/itemsRepo';
import type { SentRecord } from '../db/sentRecordsRepo';
import type { DestinationService } from '../destinations/destinationService';
import type { ResolvedDestination } from '../destinations/protocolFactory';
import type { RunnerContext } from '../jobs/runner';
import { remotePath } from '../kinds/datasetFiles';
import type { UploadParams } from '../kinds/uploadRunner';
import { FolderProtocol } from '../upload/folderProtocol';
import type { UploadProtocol } from '../upload/protocol';
import { readHeldDataset } from './heldDataset';
import { judgeFile } from './fileVerdict';

/** What an incremental upload found when it compared the source with the destination (kept in its resume state). */
export interface IncrementalState {
  /** Whether the destination could be read back; when not, every file was sent. */
  readable: boolean;
  counts: { new: number; changed: number; unchanged: number; removed: number };
  bytesToSend: number;
  /** Files the destination's manifest lists that the source no longer has. */
  removed: string[];
  /** Set once the removed files were deleted (when the job asks for it). */
  deleted?: boolean;
}

export interface IncrementalDeps {
  destinations: DestinationService;
  items: Pick<ItemsTable, 'page' | 'doneAll'>;
  lastSent?: (destinationId: string, dataset: string, exceptJobId: number) => Map<string, SentRecord>;
  receiverDir?: () => string | undefined;
}

/** Items compared at once. */
const PAGE = 2000;

type Ctx = RunnerContext<UploadParams, { incremental?: IncrementalState }>;

/**
 * Compares the scanned files with what the destination holds: unchanged files are marked done
 * with the SHA-256 the destination's manifest lists (logged SKIP with the reason), new and changed
 * ones stay to be sent, and the files the manifest lists that are gone from the source are kept in
 * the resume state for the end of the job. A changed file's old copy is removed from a folder or
 * the built-in receiver first, which would otherwise refuse it or file it under another name.
 */
export async function compareWithDestination(ctx: Ctx, deps: IncrementalDeps): Promise<void> {
  const { params, jobId } = ctx;
  ctx.stage('comparing');
  const dest = deps.destinations.resolve(params.destinationId);
  const receiverDir = deps.receiverDir?.();
  const protocol = dest.kind === 's3' ? deps.destinations.protocol(params.destinationId) : undefined;
  const state: IncrementalState = { readable: false, counts: { new: 0, changed: 0, unchanged: 0, removed: 0 }, bytesToSend: 0, removed: [] };
  try {
    const held = await readHeldDataset(dest, protocol, params.dataset, receiverDir, ctx.signal);
    if (!held.readable) {
      ctx.log(`Incremental: ${dest.name} cannot be read back (${held.why})`);
      ctx.persist({ ...(ctx.restore() ?? {}), incremental: state }, { durable: true });
      return;
    }
    state.readable = true;
    ctx.log(held.found ? `Comparing with the manifest of ${params.dataset} on ${dest.name} (${held.files.size} ${plural(held.files.size, 'file')})` : `${dest.name} holds no manifest of ${params.dataset}: every file is new`);
    const records = params.rehash ? new Map<string, SentRecord>() : (deps.lastSent?.(params.destinationId, params.dataset, jobId) ?? new Map());
    const gone = new Map(held.files);
    const stale = staleRemover(dest, params, receiverDir, ctx.signal);
    // Every file of the job is walked, those judged by an attempt cut short too: a file the
    // destination lists is gone from the source only if no item has its place.
    for (let offset = 0; ; offset += PAGE) {
      const page = deps.items.page(jobId, offset, PAGE);
      if (page.length === 0) break;
      const skipped: (ItemDone & { seq: number })[] = [];
      for (const it of page) {
        gone.delete(it.relative_path);
        if (it.state === 'done') {
          if (it.verified === 'unchanged') state.counts.unchanged++;
          continue;
        }
        const verdict = await judgeFile({ path: it.path, relativePath: it.relative_path, size: it.size, mtimeMs: it.mtime_ms }, held, records, params.rehash === true, ctx.signal);
        if (verdict.kind === 'unchanged') {
          state.counts.unchanged++;
          skipped.push({ seq: it.seq, sha256: verdict.sha256, location: heldLocation(dest, params.dataset, it.relative_path), verified: 'unchanged', size: it.size });
          ctx.log(`SKIP  ${it.relative_path}: unchanged (${verdict.why})`);
        } else if (verdict.kind === 'changed') {
          state.counts.changed++;
          state.bytesToSend += it.size;
          ctx.log(`CHANGED ${it.relative_path}: ${verdict.why}`);
          await stale?.(it.relative_path);
        } else {
          state.counts.new++;
          state.bytesToSend += it.size;
          ctx.log(`NEW   ${it.relative_path}`);
        }
      }
      if (skipped.length) deps.items.doneAll(jobId, skipped);
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    state.removed = [...gone.keys()];
    state.counts.removed = state.removed.length;
    for (const path of state.removed) ctx.log(`GONE  ${path}: listed at the destination, no longer in the source${params.deleteRemoved ? ' (deleted once the new manifest is in place)' : ' (kept at the destination)'}`);
    const c = state.counts;
    ctx.log(`Incremental: ${c.new} new, ${c.changed} changed, ${c.unchanged} unchanged, ${c.removed} removed; ${formatBytes(state.bytesToSend)} to send`);
    ctx.persist({ ...(ctx.restore() ?? {}), incremental: state }, { durable: true });
  } finally {
    protocol?.close();
  }
}

/**
 * Once the new manifest is in place: deletes the files gone from the source at the destination,
 * when the job asks for it, one log line per file. Deleting is idempotent, so a crash in the middle
 * deletes the rest on the next attempt.
 */
export async function deleteRemoved(ctx: Ctx, deps: IncrementalDeps, protocol: UploadProtocol): Promise<number> {
  const state = ctx.restore()?.incremental;
  if (!ctx.params.deleteRemoved || !state || state.deleted || state.removed.length === 0) return 0;
  const dest = deps.destinations.resolve(ctx.params.destinationId);
  const receiverDir = deps.receiverDir?.();
  const standIn = dest.kind === 'receiver' && receiverDir ? new FolderProtocol({ root: receiverDir }) : undefined;
  const files = standIn ?? protocol;
  let deleted = 0;
  try {
    for (const path of state.removed) {
      if (!files.remove || dest.kind === 'tus') {
        ctx.log(`  could not delete ${path}: ${dest.name} does not let Ferry delete files`);
        continue;
      }
      try {
        await files.remove(standIn ? `${ctx.params.dataset}/${path}` : remotePath(protocol, ctx.params, path), ctx.signal, null);
        deleted++;
        ctx.log(`DELETED ${path}: no longer in the source`);
      } catch (err) {
        ctx.log(`  could not delete ${path}: ${(err as Error).message}`);
      }
    }
  } finally {
    standIn?.close();
  }
  ctx.persist({ ...(ctx.restore() ?? {}), incremental: { ...state, deleted: true } }, { durable: true });
  return deleted;
}

/** Where an unchanged file is at the destination, as the upload would have recorded it. */
function heldLocation(dest: ResolvedDestination, dataset: string, rel: string): string {
  switch (dest.kind) {
    case 'receiver':
      return `${dataset}/${rel}`;
    case 'folder':
      return join(dest.config.path, dataset, ...rel.split('/'));
    case 's3':
      return `s3://${dest.config.bucket}/${dest.config.prefix}${dataset}/${rel}`;
    case 'tus':
      // Never reached: a tus server cannot be read back, so no file of it is unchanged.
      return '';
  }
}

/** Removes a changed file's old copy where the destination would not take a new one over it (a folder, the receiver). */
function staleRemover(dest: ResolvedDestination, params: UploadParams, receiverDir: string | undefined, signal: AbortSignal) {
  const root = dest.kind === 'folder' ? dest.config.path : dest.kind === 'receiver' ? receiverDir : undefined;
  if (root === undefined) return undefined;
  const folder = new FolderProtocol({ root });
  return (rel: string) => folder.remove(`${params.dataset}/${rel}`, signal);
}
