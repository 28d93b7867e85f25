import { plural } from '../../../shared/plural';
import type { DatasetMetadata } from '../../../shared/destinations';
import { FerryError } from '../../../shared/errors';
import { formatBytes } from '../../../shared/format';
import type { ItemsRepo } from '../db/itemsRepo';
import type { DestinationService } from '../destinations/destinationService';
import { scanPaths } from '../files/scan';
import type { JobRunner, RunnerContext } from '../jobs/runner';
import type { UploadState } from '../upload/uploadFile';
import { shown, UploadAttempt, type UploadRunState } from './uploadAttempt';

export interface UploadParams {
  paths: string[];
  /** Where the files' places in the dataset are taken from (see createUpload's `base`). */
  base?: string;
  destinationId: string;
  dataset: string;
  metadata: DatasetMetadata;
  /** Files in flight at once (small files are pipelined this way). */
  parallelFiles: number;
  /** A source file that changes while it is sent: fail its item, or start it over (up to 3 times). */
  onSourceChange: 'fail' | 'restart';
}

export interface UploadRunnerDeps {
  destinations: DestinationService;
  items: ItemsRepo;
  /** Where the job's own files live (the manifest is written there before it is sent). */
  jobDir: (jobId: number) => string;
  /** Where the built-in receiver files datasets on this computer (undefined while it does not run here). */
  receiverDir?: () => string | undefined;
}

/**
 * Uploads a dataset: scans once into per-file items, sends files in parallel (each resumable from
 * its saved session), pauses mid-file, skips files already done on a retry, and sends
 * `manifest-sha256.txt` last. A source file that vanishes or changes fails only its item; a
 * destination that stays unreachable fails the attempt, and the scheduler retries it.
 */
export function createUploadRunner(deps: UploadRunnerDeps): JobRunner<UploadParams, UploadRunState> {
  return {
    kind: 'upload',
    async run(ctx) {
      if (deps.items.count(ctx.jobId) === 0) await scan(ctx, deps);
      await deps.destinations.checkStorable(ctx.params.destinationId);
      return new UploadAttempt(ctx, deps).run();
    },
    async discard({ jobId, params, signal, log }) {
      const open = deps.items.unfinished(jobId).filter((it) => it.session);
      if (open.length === 0) return;
      const protocol = deps.destinations.protocol(params.destinationId);
      try {
        let discarded = 0;
        for (const it of open) {
          const state = JSON.parse(it.session!) as UploadState;
          try {
            await protocol.discard(state.session, signal);
            deps.items.dropSession(jobId, it.seq);
            discarded++;
          } catch (err) {
            log(`  could not discard the unfinished upload of ${shown(it.relative_path)}: ${(err as Error).message}`);
          }
        }
        log(`Discarded ${discarded} unfinished upload${discarded === 1 ? '' : 's'} at ${deps.destinations.get(params.destinationId).name}`);
      } finally {
        protocol.close();
      }
    },
  };
}

async function scan(ctx: RunnerContext<UploadParams>, deps: UploadRunnerDeps): Promise<void> {
  ctx.stage('scanning');
  ctx.log(`Scanning ${ctx.params.paths.length === 1 ? ctx.params.paths[0] : `${ctx.params.paths.length} items`}`);
  const result = await scanPaths(ctx.params.paths, {
    ...(ctx.params.base !== undefined ? { base: ctx.params.base } : {}),
    signal: ctx.signal,
    onProgress: (files, bytes) => ctx.progress({ done: 0, total: bytes, unit: 'bytes', processed: 0, failed: 0 }),
  });
  for (const s of result.skipped) ctx.log(`SKIP  ${s.path}: ${s.reason}`);
  if (result.files.length === 0) {
    throw new FerryError('INVALID_INPUT', `upload(job ${ctx.jobId}): nothing to upload in ${ctx.params.paths.join(', ')}`, { retriable: false });
  }
  deps.items.insertAll(ctx.jobId, result.files);
  ctx.log(`Found ${result.files.length} ${plural(result.files.length, 'file')}, ${formatBytes(result.bytes)}`);
}
