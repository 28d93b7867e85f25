import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from '../util/privateFiles';
import { join } from 'node:path';
import type { DatasetMetadata } from '../../../shared/destinations';
import { FerryError } from '../../../shared/errors';
import type { ItemRow, ItemsRepo } from '../db/itemsRepo';
import type { DestinationService } from '../destinations/destinationService';
import { scanPaths } from '../files/scan';
import type { JobRunner, RunnerContext } from '../jobs/runner';
import type { UploadProtocol } from '../upload/protocol';
import { uploadFile, type UploadState } from '../upload/uploadFile';
import { relativePathProblem } from '../upload/relativePath';
import { batchable, sendInBatches, type SentFile } from '../upload/smallFiles';
import { formatBytes } from '../../../shared/format';
import { storedFor } from './storedSha256';

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
}

export const MANIFEST_NAME = 'manifest-sha256.txt';
/** What the receiving side catalogues the dataset by: name, metadata, counts, the manifest's SHA-256. */
export const DATASET_FILE_NAME = 'dataset.json';
/** Files Ferry writes at the top of every dataset; a source file of the same place is refused. */
const OWN_FILES: readonly string[] = [MANIFEST_NAME, DATASET_FILE_NAME];

/**
 * Resume state of the runner itself (the files' states live in their items): the sessions of the
 * files Ferry writes beside the data, so that a crash after one landed continues it instead of
 * sending a second copy. Each is kept with the SHA-256 of the content it carries.
 */
interface UploadRunState {
  own?: Record<string, { sha256: string; state: UploadState }>;
}

/** The content of dataset.json: the same bytes for the same dataset, so a resumed send continues. */
export function datasetDescription(params: UploadParams, files: { size: number }[], manifestSha256: string): string {
  const m = params.metadata;
  return (
    JSON.stringify(
      {
        format: 'ferry-dataset/1',
        name: params.dataset,
        sensor: m.sensorType,
        metadata: { team: m.team, folder: m.folder, description: m.description, convert: m.convert, public: m.public },
        files: files.length,
        bytes: files.reduce((n, f) => n + f.size, 0),
        manifest: { name: MANIFEST_NAME, sha256: manifestSha256 },
      },
      null,
      2,
    ) + '\n'
  );
}
const PAUSED = Symbol('paused');
const MAX_SOURCE_RESTARTS = 3;
/** Batches of small files in flight at once (each is up to hundreds of files). */
const MAX_PARALLEL_BATCHES = 3;

const CONTROL = /[\u0000-\u001f\u007f]/g;
/** A path as one log line shows it: control characters (a line break in a name) escaped. */
function shown(path: string): string {
  return path.replace(CONTROL, (c) => ({ '\n': '\\n', '\t': '\\t', '\r': '\\r' })[c] ?? `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** One line of manifest-sha256.txt as `sha256sum -c` reads it: a name with a backslash or a line break is escaped, and its line starts with a backslash. */
export function manifestLine(sha256: string, path: string): string {
  if (!/[\\\n]/.test(path)) return `${sha256}  ${path}\n`;
  return `\\${sha256}  ${path.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}\n`;
}

/** A problem with the file being read (vanished, changed, unreadable), not with the destination. */
function isSourceProblem(err: unknown): boolean {
  if (!(err instanceof FerryError) || err.code !== 'IO') return false;
  const d = err.details as { source?: boolean; reason?: string } | undefined;
  // fileSource names every failure of the local read `read(<path>)`.
  return d?.source === true || d?.reason === 'vanished' || d?.reason === 'changed' || err.message.startsWith('read(');
}

function sourceChanged(err: unknown): boolean {
  return isSourceProblem(err) && (err as FerryError & { details: { reason?: string } }).details.reason === 'changed';
}

/** Where a dataset file goes: the receiver files by dataset itself; elsewhere it is a folder. */
export function remotePath(protocol: UploadProtocol, params: UploadParams, relativePath: string): string {
  return protocol.kind === 'tus' ? relativePath : `${params.dataset}/${relativePath}`;
}

function uploadMetadata(params: UploadParams): Record<string, string> {
  const m = params.metadata;
  return {
    dataset: params.dataset,
    sensorType: m.sensorType,
    convert: String(m.convert),
    public: String(m.public),
    ...(m.team ? { team: m.team } : {}),
    ...(m.folder ? { folder: m.folder } : {}),
    ...(m.description ? { description: m.description } : {}),
  };
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
      const { params, jobId } = ctx;
      if (deps.items.count(jobId) === 0) await scan(ctx, deps);
      await deps.destinations.checkStorable(params.destinationId);
      const protocol = deps.destinations.protocol(params.destinationId);
      const totals = deps.items.totals(jobId);
      let doneBytes = totals.doneBytes;
      let doneFiles = totals.doneFiles;
      let failedFiles = 0;
      const inflight = new Map<number, number>();
      // Bytes a destination confirmed for files cut part-way (a restart, a pause): shown from the
      // first report, not 0 until the destination answers again.
      for (const it of deps.items.unfinished(jobId)) if (it.session && it.bytes_done > 0) inflight.set(it.seq, it.bytes_done);
      /** Files (or batches) being sent, newest last: what "Now:" shows. */
      const working = new Map<number, string>();
      const current = (): string | null => {
        const names = [...working.values()];
        const last = names[names.length - 1];
        return last === undefined ? null : names.length > 1 ? `${last} and ${names.length - 1} more` : last;
      };
      const report = () => {
        let moving = 0;
        for (const b of inflight.values()) moving += b;
        ctx.progress({ done: doneBytes + moving, total: totals.bytes, unit: 'bytes', processed: doneFiles, failed: failedFiles, current: current() });
      };
      report();
      if (doneFiles > 0) ctx.log(`Resuming: ${doneFiles} of ${totals.files} files already sent and verified`);
      ctx.stage('uploading');
      const failItem = (item: ItemRow, err: unknown) => {
        deps.items.fail(jobId, item.seq, (err as Error).message, false);
        inflight.delete(item.seq);
        failedFiles++;
        report();
        ctx.log(`FAIL  ${shown(item.relative_path)}: ${(err as Error).message}`);
      };
      const metadata = uploadMetadata(params);
      const destinationName = deps.destinations.get(params.destinationId).name;
      const dest = deps.destinations.resolve(params.destinationId);
      // A name the destination would refuse fails its file alone, before anything is sent.
      // Every destination checks the path by relativePath.ts (a backslash is a name character on
      // POSIX but a separator on Windows), so such a name is asked about here too.
      const unfinished = deps.items.unfinished(jobId).filter((it) => {
        const where = remotePath(protocol, params, it.relative_path);
        const problem =
          (OWN_FILES.includes(it.relative_path) ? `${it.relative_path} is written by Ferry beside every dataset` : undefined) ??
          relativePathProblem(where) ??
          protocol.nameProblem?.(where, metadata);
        if (problem) failItem(it, new FerryError('INVALID_INPUT', `${destinationName} cannot store a file under this name: ${problem}`));
        return !problem;
      });
      const batch = protocol.batch;
      // Small files that never started go in batches; the rest (and any with a saved session) alone.
      const small = unfinished.filter((it) => !it.session && batchable(batch, it.size));
      const queue = unfinished.filter((it) => it.session || !batchable(batch, it.size));

      /** Sends the small files in batches; pausing abandons the batches in flight (they are re-sent whole). */
      const sendSmall = async (items: ItemRow[]): Promise<void> => {
        const settled = new Set<number>();
        while (batch && items.some((it) => !settled.has(it.seq))) {
          await ctx.checkpoint();
          const ctrl = new AbortController();
          const onCancel = () => ctrl.abort(ctx.signal.reason);
          ctx.signal.addEventListener('abort', onCancel, { once: true });
          const stopListening = ctx.onPauseChange((paused) => paused && ctrl.abort(PAUSED));
          try {
            await sendInBatches<ItemRow>({
              batch,
              files: items
                .filter((it) => !settled.has(it.seq))
                .map((it) => ({
                  key: it,
                  path: it.path,
                  info: { size: it.size, name: it.relative_path.split('/').pop() ?? it.relative_path, relativePath: remotePath(protocol, params, it.relative_path), metadata },
                })),
              parallel: Math.max(1, Math.min(MAX_PARALLEL_BATCHES, params.parallelFiles)),
              signal: ctrl.signal,
              // Stop after current: the batches in flight land, no new one starts; the checkpoint
              // at the top of this loop then pauses with the rest unsent.
              stop: () => ctx.stopRequested(),
              onSent: (sent: SentFile<ItemRow>[]) => {
                deps.items.doneAll(jobId, sent.map((s) => ({ seq: s.file.key.seq, sha256: s.sha256, location: s.result.location, verified: s.result.verified, size: s.size })));
                for (const s of sent) {
                  settled.add(s.file.key.seq);
                  doneBytes += s.size;
                  doneFiles++;
                  ctx.log(`OK    ${shown(s.file.key.relative_path)}  ${formatBytes(s.size)}  sha256 ${s.sha256} (${s.result.verified})`);
                }
                report();
              },
              onSourceError: (file, err) => {
                settled.add(file.key.seq);
                // A file changed under us goes the single-file way, which knows how to start over.
                if (sourceChanged(err) && params.onSourceChange === 'restart') queue.push(file.key);
                else failItem(file.key, err);
              },
              onTooBig: (file) => {
                settled.add(file.key.seq);
                queue.push(file.key);
              },
              onLaunch: (files) => {
                const first = shown(files[0]?.key.relative_path ?? '');
                working.set(-1, files.length > 1 ? `${first} … (a batch of ${files.length} small files)` : first);
                report();
              },
              onRetry: (err, attempt, delayMs) =>
                ctx.log(`  retry a batch of small files: ${err instanceof Error ? err.message : String(err)} (attempt ${attempt}, next in ${(delayMs / 1000).toFixed(1)} s)`),
            });
          } catch (err) {
            if (ctrl.signal.reason === PAUSED && !ctx.signal.aborted) continue;
            if (ctx.signal.aborted) throw ctx.signal.reason;
            throw err;
          } finally {
            stopListening();
            ctx.signal.removeEventListener('abort', onCancel);
          }
        }
      };

      /**
       * How the stored bytes of a sent file were confirmed: never by their size alone. Where the
       * destination only confirmed the size (a tus server without the checksum extension, an S3
       * server that does not check x-amz-checksum-sha256) the file is read back and hashed.
       */
      const confirmed = async (item: ItemRow, res: { sha256: string; size: number; location: string; verified: string }): Promise<string> => {
        if (res.verified !== 'size') return res.verified;
        if (res.size === 0) return 'empty';
        if (!warnedReadBack) {
          warnedReadBack = true;
          ctx.log(`${destinationName} confirms sizes, not checksums: each file is read back and hashed after it is sent`);
        }
        const stored = await storedFor(dest, protocol, params.dataset, { relative_path: item.relative_path, size: res.size, location: res.location }, undefined, {
          signal: ctx.signal,
          checkpoint: () => ctx.checkpoint({ midItem: true }),
        });
        if (stored.kind === 'sha256') return stored.sha256 === res.sha256 ? 'read-back' : 'differs';
        if (stored.kind === 'unverifiable') {
          ctx.log(`WARN  ${shown(item.relative_path)}: sent, but not confirmed: ${stored.why}`);
          return 'unconfirmed';
        }
        return 'differs';
      };
      let warnedReadBack = false;

      const sendItem = async (item: ItemRow): Promise<void> => {
        let saved: UploadState | undefined = item.session ? (JSON.parse(item.session) as UploadState) : undefined;
        let restarts = 0;
        for (;;) {
          // The workers decide between files; here the file is already this worker's.
          await ctx.checkpoint({ midItem: true });
          const ctrl = new AbortController();
          const onCancel = () => ctrl.abort(ctx.signal.reason);
          ctx.signal.addEventListener('abort', onCancel, { once: true });
          const stopListening = ctx.onPauseChange((paused) => paused && ctrl.abort(PAUSED));
          deps.items.start(jobId, item.seq);
          working.set(item.seq, shown(item.relative_path));
          try {
            const res = await uploadFile({
              protocol,
              path: item.path,
              relativePath: remotePath(protocol, params, item.relative_path),
              metadata,
              ...(saved ? { resume: saved } : {}),
              signal: ctrl.signal,
              onAck: (state, confirmed) => {
                saved = state;
                deps.items.ack(jobId, item.seq, state, confirmed);
                inflight.set(item.seq, Math.max(inflight.get(item.seq) ?? 0, confirmed));
                report();
              },
              // Within a long request the bar follows the bytes on the wire, not only the acks.
              onSent: (at) => {
                inflight.set(item.seq, Math.max(inflight.get(item.seq) ?? 0, at));
                report();
              },
              onRetry: (err, attempt, delayMs) =>
                ctx.log(`  retry ${shown(item.relative_path)}: ${err instanceof Error ? err.message : String(err)} (attempt ${attempt}, next in ${(delayMs / 1000).toFixed(1)} s)`),
            });
            const verified = await confirmed(item, res);
            if (verified === 'differs') {
              if (restarts < MAX_SOURCE_RESTARTS) {
                restarts++;
                saved = undefined;
                inflight.delete(item.seq);
                ctx.log(`  ${shown(item.relative_path)}: the stored bytes differ from the file; starting it over (${restarts} of ${MAX_SOURCE_RESTARTS})`);
                continue;
              }
              throw new FerryError('REMOTE', `upload(${shown(item.relative_path)}): the stored bytes differ from the file after ${restarts + 1} tries`, { retriable: false });
            }
            deps.items.done(jobId, item.seq, { sha256: res.sha256, location: res.location, verified, size: res.size });
            inflight.delete(item.seq);
            doneBytes += res.size;
            doneFiles++;
            report();
            const resumed = res.resumedFrom > 0 ? `, resumed at ${formatBytes(res.resumedFrom)}` : '';
            ctx.log(`OK    ${shown(item.relative_path)}  ${formatBytes(res.size)}  sha256 ${res.sha256} (${verified}${resumed})`);
            return;
          } catch (err) {
            if (ctrl.signal.reason === PAUSED && !ctx.signal.aborted) continue; // parks at the checkpoint, then resumes this file
            if (ctx.signal.aborted) throw ctx.signal.reason;
            if (sourceChanged(err) && params.onSourceChange === 'restart' && restarts < MAX_SOURCE_RESTARTS) {
              restarts++;
              saved = undefined;
              inflight.delete(item.seq);
              ctx.log(`  ${shown(item.relative_path)} changed while it was sent; starting it over (${restarts} of ${MAX_SOURCE_RESTARTS})`);
              continue;
            }
            if (isSourceProblem(err)) {
              failItem(item, err);
              return;
            }
            throw err;
          } finally {
            working.delete(item.seq);
            stopListening();
            ctx.signal.removeEventListener('abort', onCancel);
          }
        }
      };

      if (small.length > 0) await sendSmall(small);
      working.delete(-1);
      for (;;) {
        // Stop after current: a worker takes no new file once asked; the files in flight finish.
        const workers = Array.from({ length: Math.max(1, Math.min(params.parallelFiles, queue.length)) }, async () => {
          for (let item = ctx.stopRequested() ? undefined : queue.shift(); item; item = ctx.stopRequested() ? undefined : queue.shift()) await sendItem(item);
        });
        // Every worker settles before the attempt ends, so a cancel's discard never races a send.
        const settled = await Promise.allSettled(workers);
        const failure = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
        if (failure) throw failure.reason;
        if (queue.length === 0) break;
        await ctx.checkpoint(); // pauses here, with the remaining files queued
      }

      const left = deps.items.totals(jobId);
      if (left.doneFiles === 0) {
        // Nothing landed: an empty manifest would claim a dataset that is not there. Retrying the
        // job (by hand) tries the failed files again.
        throw new FerryError('IO', `upload(job ${jobId}): every file failed (${left.failedFiles} of ${left.files}); nothing was sent`, { retriable: false });
      }
      ctx.stage('manifest');
      // Every file is done: a stop-after-current request has nothing left to hold back.
      await ctx.checkpoint({ midItem: true });
      const manifest = deps.items.manifest(jobId);
      const dir = deps.jobDir(jobId);
      mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
      const runState: UploadRunState = ctx.restore() ?? {};
      /** Sends a file Ferry writes beside the data, resuming the session a crash left. */
      const sendOwn = async (name: string, content: string) => {
        const path = join(dir, name);
        const sha256 = createHash('sha256').update(content).digest('hex');
        const own = (runState.own ??= {});
        const saved = own[name]?.sha256 === sha256 && existsSync(path) ? own[name]!.state : undefined;
        // A session under way reads the file it began with: rewriting it (same bytes, new mtime)
        // would look like a source that changed while it was sent.
        if (!saved) writeFileSync(path, content, { mode: PRIVATE_FILE_MODE });
        return uploadFile({
          protocol,
          path,
          relativePath: remotePath(protocol, params, name),
          metadata,
          sha256,
          signal: ctx.signal,
          ...(saved ? { resume: saved } : {}),
          onAck: (state) => {
            own[name] = { sha256, state };
            ctx.persist(runState, { durable: true });
          },
        });
      };
      const sent = await sendOwn(MANIFEST_NAME, manifest.map((m) => manifestLine(m.sha256, m.relative_path)).join(''));
      ctx.log(`OK    ${MANIFEST_NAME}  ${manifest.length} files  sha256 ${sent.sha256}`);
      // After the manifest: its presence says the dataset is complete and names the manifest's bytes.
      const described = await sendOwn(DATASET_FILE_NAME, datasetDescription(params, manifest, sent.sha256));
      ctx.log(`OK    ${DATASET_FILE_NAME}  sha256 ${described.sha256}`);
      const failed = deps.items.totals(jobId).failedFiles;
      ctx.log(`Sent ${doneFiles} files (${formatBytes(doneBytes)}) to ${deps.destinations.get(params.destinationId).name}${failed ? `; ${failed} failed` : ''}`);
      return {
        result: failed > 0 ? 'partial' : 'success',
        summary: { files: totals.files, bytes: totals.bytes, failedFiles: failed, destination: params.destinationId, dataset: params.dataset, manifestSha256: sent.sha256 },
      };
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
  ctx.log(`Found ${result.files.length} files, ${formatBytes(result.bytes)}`);
}
