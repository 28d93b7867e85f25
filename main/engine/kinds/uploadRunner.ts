import { plural } from '../../../shared/plural';
import type { DatasetMetadata } from '../../../shared/destinations';
import { FerryError } from '../../../shared/errors';
import { formatBytes } from '../../../shared/format';
import type { ItemsRepo } from '../db/itemsRepo';
import type { DestinationService } from '../destinations/destinationService';
import { scanInBatches } from '../files/scan';
import { datasetTaker, type DatasetFilter } from '../watch/ruleFilter';
import type { JobRunner, RunnerContext } from '../jobs/runner';
import type { UploadState } from '../upload/uploadFile';
import { compareWithDestination, type IncrementalDeps } from '../incremental/incrementalRun';
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
  /** The patterns of the watch rule that made the job: the scan takes only the files they take. */
  filter?: DatasetFilter;
  /** Send only what differs from what the destination holds of the dataset (see engine/incremental/). */
  incremental?: boolean;
  /** With `incremental`: delete at the destination the files gone from the source, once the new manifest is in place. */
  deleteRemoved?: boolean;
  /** With `incremental`: hash every local file the destination lists, even one whose size and time match the last send. */
  rehash?: boolean;
}

export interface UploadRunnerDeps {
  destinations: DestinationService;
  items: ItemsRepo;
  /** Where the job's own files live (the manifest is written there before it is sent). */
  jobDir: (jobId: number) => string;
  /** Where the built-in receiver files datasets on this computer (undefined while it does not run here). */
  receiverDir?: () => string | undefined;
  /** What this computer last sent of a dataset to a destination (spares hashing unchanged files). */
  lastSent?: IncrementalDeps['lastSent'];
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
      if (ctx.restore()?.scanning || deps.items.count(ctx.jobId) === 0) await scan(ctx, deps);
      await deps.destinations.checkStorable(ctx.params.destinationId);
      if (ctx.params.incremental && !ctx.restore()?.incremental) await compareWithDestination(ctx, deps);
      return new UploadAttempt(ctx, deps).run();
    },
    async discard({ jobId, params, signal, log }) {
      const open = deps.items.withSessions(jobId);
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

/** Files removed at once when a scan cut short is started over. */
const DELETE_BATCH = 5000;

/**
 * Scans the dataset into its items a batch at a time, each batch in its own transaction with the
 * event loop free between them, so a million files neither fill memory nor stall the window. A
 * scan cut short (a crash, a kill) is marked in the run state and starts over on the next attempt.
 */
async function scan(ctx: RunnerContext<UploadParams, UploadRunState>, deps: UploadRunnerDeps): Promise<void> {
  ctx.stage('scanning');
  const state = ctx.restore() ?? {};
  if (state.scanning) {
    ctx.log('The scan was cut short: starting it over');
    while (deps.items.deleteSome(ctx.jobId, DELETE_BATCH) > 0) await yieldTurn();
  }
  ctx.persist({ ...state, scanning: true }, { durable: true });
  ctx.log(`Scanning ${ctx.params.paths.length === 1 ? ctx.params.paths[0] : `${ctx.params.paths.length} items`}`);
  const { filter, base } = ctx.params;
  let seq = 0;
  let result;
  try {
    result = await scanInBatches(
      ctx.params.paths,
      {
        ...(base !== undefined ? { base } : {}),
        ...(filter ? { take: datasetTaker(filter) } : {}),
        signal: ctx.signal,
        onProgress: (files, bytes) => ctx.progress({ done: 0, total: bytes, unit: 'bytes', processed: 0, failed: 0 }),
      },
      async (files) => {
        deps.items.insertBatch(ctx.jobId, seq, files);
        seq += files.length;
        await yieldTurn();
      },
    );
  } catch (err) {
    // A scan that failed (two files at one place, a cancel) leaves no half list behind.
    while (deps.items.deleteSome(ctx.jobId, DELETE_BATCH) > 0) await yieldTurn();
    ctx.persist({ ...state, scanning: false }, { durable: true });
    throw err;
  }
  ctx.persist({ ...state, scanning: false }, { durable: true });
  for (const s of result.skipped) ctx.log(`SKIP  ${s.path}: ${s.reason}`);
  if (result.files === 0) {
    throw new FerryError('INVALID_INPUT', `upload(job ${ctx.jobId}): nothing to upload in ${ctx.params.paths.join(', ')}`, { retriable: false });
  }
  ctx.log(`Found ${result.files} ${plural(result.files, 'file')}, ${formatBytes(result.bytes)}`);
}

/** Lets timers and requests in before the next batch. */
const yieldTurn = () => new Promise<void>((resolve) => setImmediate(resolve));
