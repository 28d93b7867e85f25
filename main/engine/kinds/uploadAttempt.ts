import { createHash } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { plural } from '../../../shared/plural';
import { FerryError } from '../../../shared/errors';
import { formatBytes } from '../../../shared/format';
import { relativePathProblem } from '../../../shared/storedPath';
import type { ItemRow, ItemsTable } from '../db/itemsRepo';
import type { ResolvedDestination } from '../destinations/protocolFactory';
import type { RunnerContext, RunnerOutcome } from '../jobs/runner';
import type { BatchSender, UploadProtocol } from '../upload/protocol';
import { FolderProtocol } from '../upload/folderProtocol';
import { batchable, sendInBatches, type SentFile } from '../upload/smallFiles';
import { uploadFile, type UploadResult, type UploadState } from '../upload/uploadFile';
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from '../util/privateFiles';
import { DATASET_FILE_NAME, datasetDescription, MANIFEST_NAME, manifestLine, OWN_FILES, remotePath, uploadMetadata } from './datasetFiles';
import { storedFor } from './storedSha256';
import type { UploadParams, UploadRunnerDeps } from './uploadRunner';
import { deleteRemoved, type IncrementalState } from '../incremental/incrementalRun';
import { ownFileSwap } from '../incremental/ownFileSwap';

/**
 * Resume state of the runner itself (the files' states live in their items): the sessions of the
 * files Ferry writes beside the data, so that a crash after one landed continues it instead of
 * sending a second copy. Each is kept with the SHA-256 of the content it carries.
 */
export interface UploadRunState {
  own?: Record<string, { sha256: string; state: UploadState }>;
  /** Set while the scan writes the items: a scan cut short is started over, not taken as the list. */
  scanning?: boolean;
  /** An incremental upload's comparison with the destination (engine/incremental/). */
  incremental?: IncrementalState;
}

const PAUSED = Symbol('paused');
const MAX_SOURCE_RESTARTS = 3;
/** Batches of small files in flight at once (each is up to hundreds of files). */
const MAX_PARALLEL_BATCHES = 3;
/** The key of the batches in flight among the files being worked on (items are keyed by seq, from 1). */
const BATCHES = -1;
/** Unfinished files read from the database at once. */
const ITEM_PAGE = 5000;

const CONTROL = /[\u0000-\u001f\u007f]/g;
/** A path as one log line shows it: control characters (a line break in a name) escaped. */
export function shown(path: string): string {
  return path.replace(CONTROL, (c) => ({ '\n': '\\n', '\t': '\\t', '\r': '\\r' })[c] ?? `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
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

const retryLine = (what: string, err: unknown, attempt: number, delayMs: number): string =>
  `  retry ${what}: ${err instanceof Error ? err.message : String(err)} (attempt ${attempt}, next in ${(delayMs / 1000).toFixed(1)} s)`;

/**
 * Runs one try of `send` under a signal that both a cancel and a pause abort. A pause answers
 * PAUSED (the caller parks at its checkpoint and tries again); a cancel throws the cancel's reason,
 * whatever the send failed with; any other failure is thrown as it is.
 */
async function pausable<T>(ctx: RunnerContext<UploadParams, UploadRunState>, send: (signal: AbortSignal) => Promise<T>): Promise<T | typeof PAUSED> {
  const ctrl = new AbortController();
  const onCancel = () => ctrl.abort(ctx.signal.reason);
  ctx.signal.addEventListener('abort', onCancel, { once: true });
  const stopListening = ctx.onPauseChange((paused) => paused && ctrl.abort(PAUSED));
  try {
    return await send(ctrl.signal);
  } catch (err) {
    if (ctrl.signal.reason === PAUSED && !ctx.signal.aborted) return PAUSED;
    if (ctx.signal.aborted) throw ctx.signal.reason;
    throw err;
  } finally {
    stopListening();
    ctx.signal.removeEventListener('abort', onCancel);
  }
}

/** One file sent alone: the session it resumes and how often it was started over. */
interface FileTry {
  saved: UploadState | undefined;
  restarts: number;
}

/**
 * One attempt of an upload job, after the scan: screens the names, sends the small files in
 * batches and the rest one by one (`parallelFiles` at a time), then the manifest and dataset.json.
 * Keeps the counts and the "Now:" line that progress reports show.
 */
export class UploadAttempt {
  private readonly params: UploadParams;
  private readonly jobId: number;
  private readonly protocol: UploadProtocol;
  private totals = { files: 0, bytes: 0 };
  private readonly metadata: Record<string, string>;
  private readonly destinationName: string;
  private readonly dest: ResolvedDestination;
  private doneBytes = 0;
  private doneFiles = 0;
  private failedFiles = 0;
  /** Bytes the destination confirmed so far of each file being sent, by item seq. */
  private readonly inflight = new Map<number, number>();
  /** Files (or batches) being sent, newest last: what "Now:" shows. */
  private readonly working = new Map<number, string>();
  /** Files that go alone: large ones, those with a saved session, and small ones a batch gave back. */
  private readonly queue: ItemRow[] = [];
  private warnedReadBack = false;

  constructor(
    private readonly ctx: RunnerContext<UploadParams, UploadRunState>,
    private readonly deps: UploadRunnerDeps,
  ) {
    this.params = ctx.params;
    this.jobId = ctx.jobId;
    this.protocol = deps.destinations.protocol(this.params.destinationId);
    this.metadata = uploadMetadata(this.params);
    this.destinationName = deps.destinations.get(this.params.destinationId).name;
    this.dest = deps.destinations.resolve(this.params.destinationId);
  }

  async run(): Promise<RunnerOutcome> {
    const { ctx } = this;
    const totals = await countInSteps(this.deps.items, this.jobId);
    this.totals = totals;
    this.doneBytes = totals.doneBytes;
    this.doneFiles = totals.doneFiles;
    // Bytes a destination confirmed for files cut part-way (a restart, a pause): shown from the
    // first report, not 0 until the destination answers again.
    for (const it of this.deps.items.withSessions(this.jobId)) if (it.bytes_done > 0) this.inflight.set(it.seq, it.bytes_done);
    this.report();
    if (this.doneFiles > 0) ctx.log(`Resuming: ${this.doneFiles} of ${this.totals.files} files already sent and verified`);
    ctx.stage('uploading');
    const batch = this.protocol.batch;
    // The files left are read a page at a time, so a dataset of a million files is never held whole.
    for (let after = -1; ; ) {
      const page = this.deps.items.unfinished(this.jobId, after, ITEM_PAGE);
      if (page.length === 0) break;
      after = page[page.length - 1]!.seq;
      const sendable = this.storableItems(page);
      // Small files that never started go in batches; the rest (and any with a saved session) alone.
      const small = sendable.filter((it) => !it.session && batchable(batch, it.size));
      this.queue.push(...sendable.filter((it) => it.session || !batchable(batch, it.size)));
      if (batch && small.length > 0) await this.sendSmall(batch, small);
      this.working.delete(BATCHES);
      await this.sendQueue();
    }
    return this.sendOwnFiles();
  }

  private report(): void {
    let moving = 0;
    for (const b of this.inflight.values()) moving += b;
    this.ctx.progress({ done: this.doneBytes + moving, total: this.totals.bytes, unit: 'bytes', processed: this.doneFiles, failed: this.failedFiles, current: this.current() });
  }

  private current(): string | null {
    const names = [...this.working.values()];
    const last = names[names.length - 1];
    return last === undefined ? null : names.length > 1 ? `${last} and ${names.length - 1} more` : last;
  }

  private failItem(item: ItemRow, err: unknown): void {
    this.deps.items.fail(this.jobId, item.seq, (err as Error).message, false);
    this.inflight.delete(item.seq);
    this.failedFiles++;
    this.report();
    this.ctx.log(`FAIL  ${shown(item.relative_path)}: ${(err as Error).message}`);
  }

  private sent(item: ItemRow, size: number): void {
    this.inflight.delete(item.seq);
    this.doneBytes += size;
    this.doneFiles++;
  }

  /**
   * The unfinished items whose names the destination can store. A name it would refuse fails its
   * file alone, before anything is sent. Every destination checks the path by the rule of
   * shared/storedPath.ts (a backslash is a name character on POSIX but a separator on Windows), so
   * such a name is asked about here too.
   */
  private storableItems(page: ItemRow[]): ItemRow[] {
    return page.filter((it) => {
      const where = remotePath(this.protocol, this.params, it.relative_path);
      const problem =
        (OWN_FILES.includes(it.relative_path) ? `${it.relative_path} is written by Ferry beside every dataset` : undefined) ??
        relativePathProblem(where) ??
        this.protocol.nameProblem?.(where, this.metadata);
      if (problem) this.failItem(it, new FerryError('INVALID_INPUT', `${this.destinationName} cannot store a file under this name: ${problem}`));
      return !problem;
    });
  }

  /** Sends the small files in batches; pausing abandons the batches in flight (they are re-sent whole). */
  private async sendSmall(batch: BatchSender, items: ItemRow[]): Promise<void> {
    const { ctx, params } = this;
    const settled = new Set<number>();
    while (items.some((it) => !settled.has(it.seq))) {
      await ctx.checkpoint();
      await pausable(ctx, (signal) =>
        sendInBatches<ItemRow>({
          batch,
          files: items
            .filter((it) => !settled.has(it.seq))
            .map((it) => ({
              key: it,
              path: it.path,
              info: { size: it.size, name: it.relative_path.split('/').pop() ?? it.relative_path, relativePath: remotePath(this.protocol, params, it.relative_path), metadata: this.metadata },
            })),
          parallel: Math.max(1, Math.min(MAX_PARALLEL_BATCHES, params.parallelFiles)),
          signal,
          // Stop after current: the batches in flight land, no new one starts; the checkpoint
          // at the top of this loop then pauses with the rest unsent.
          stop: () => ctx.stopRequested(),
          onSent: (sent: SentFile<ItemRow>[]) => {
            this.deps.items.doneAll(this.jobId, sent.map((s) => ({ seq: s.file.key.seq, sha256: s.sha256, location: s.result.location, verified: s.result.verified, size: s.size })));
            for (const s of sent) {
              settled.add(s.file.key.seq);
              this.sent(s.file.key, s.size);
              ctx.log(`OK    ${shown(s.file.key.relative_path)}  ${formatBytes(s.size)}  sha256 ${s.sha256} (${s.result.verified})`);
            }
            this.report();
          },
          onSourceError: (file, err) => {
            settled.add(file.key.seq);
            // A file changed under us goes the single-file way, which knows how to start over.
            if (sourceChanged(err) && params.onSourceChange === 'restart') this.queue.push(file.key);
            else this.failItem(file.key, err);
          },
          onTooBig: (file) => {
            settled.add(file.key.seq);
            this.queue.push(file.key);
          },
          onLaunch: (files) => {
            const first = shown(files[0]?.key.relative_path ?? '');
            this.working.set(BATCHES, files.length > 1 ? `${first} … (a batch of ${files.length} small files)` : first);
            this.report();
          },
          onRetry: (err, attempt, delayMs) => ctx.log(retryLine('a batch of small files', err, attempt, delayMs)),
        }),
      );
    }
  }

  /** Sends the queued files, `parallelFiles` at a time; a pause parks here with the rest still queued. */
  private async sendQueue(): Promise<void> {
    const { ctx } = this;
    for (;;) {
      // Stop after current: a worker takes no new file once asked; the files in flight finish.
      const next = () => (ctx.stopRequested() ? undefined : this.queue.shift());
      const workers = Array.from({ length: Math.max(1, Math.min(this.params.parallelFiles, this.queue.length)) }, async () => {
        for (let item = next(); item; item = next()) await this.sendItem(item);
      });
      // Every worker settles before the attempt ends, so a cancel's discard never races a send.
      const settled = await Promise.allSettled(workers);
      const failure = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failure) throw failure.reason;
      if (this.queue.length === 0) return;
      await ctx.checkpoint(); // pauses here, with the remaining files queued
    }
  }

  /**
   * Sends one file alone, from its saved session if it has one. A pause parks it mid-file and then
   * resumes it; a source that changed (when the job says so) or stored bytes that differ start it
   * over, up to MAX_SOURCE_RESTARTS times; any other problem with the source fails its item alone.
   */
  private async sendItem(item: ItemRow): Promise<void> {
    const file: FileTry = { saved: item.session ? (JSON.parse(item.session) as UploadState) : undefined, restarts: 0 };
    for (;;) {
      // The workers decide between files; here the file is already this worker's.
      await this.ctx.checkpoint({ midItem: true });
      this.deps.items.start(this.jobId, item.seq);
      this.working.set(item.seq, shown(item.relative_path));
      try {
        if ((await pausable(this.ctx, (signal) => this.sendOnce(item, file, signal))) === 'done') return;
        // Paused (it parks at the checkpoint, then resumes this file), or started over.
      } catch (err) {
        if (sourceChanged(err) && this.params.onSourceChange === 'restart' && file.restarts < MAX_SOURCE_RESTARTS) {
          this.startOver(item, file, ' changed while it was sent');
          continue;
        }
        if (isSourceProblem(err)) {
          this.failItem(item, err);
          return;
        }
        throw err;
      } finally {
        this.working.delete(item.seq);
      }
    }
  }

  /** One pass at a file: 'done' once the destination holds it whole, 'again' when it was started over. */
  private async sendOnce(item: ItemRow, file: FileTry, signal: AbortSignal): Promise<'done' | 'again'> {
    const res = await uploadFile({
      protocol: this.protocol,
      path: item.path,
      relativePath: remotePath(this.protocol, this.params, item.relative_path),
      metadata: this.metadata,
      ...(file.saved ? { resume: file.saved } : {}),
      signal,
      onAck: (state, confirmed) => {
        file.saved = state;
        this.deps.items.ack(this.jobId, item.seq, state, confirmed);
        this.inflight.set(item.seq, Math.max(this.inflight.get(item.seq) ?? 0, confirmed));
        this.report();
      },
      // Within a long request the bar follows the bytes on the wire, not only the acks.
      onSent: (at) => {
        this.inflight.set(item.seq, Math.max(this.inflight.get(item.seq) ?? 0, at));
        this.report();
      },
      onRetry: (err, attempt, delayMs) => this.ctx.log(retryLine(shown(item.relative_path), err, attempt, delayMs)),
    });
    const verified = await this.confirmed(item, res);
    if (verified === 'differs') {
      if (file.restarts < MAX_SOURCE_RESTARTS) {
        this.startOver(item, file, ': the stored bytes differ from the file');
        return 'again';
      }
      throw new FerryError('REMOTE', `upload(${shown(item.relative_path)}): the stored bytes differ from the file after ${file.restarts + 1} tries`, { retriable: false });
    }
    this.deps.items.done(this.jobId, item.seq, { sha256: res.sha256, location: res.location, verified, size: res.size });
    this.sent(item, res.size);
    this.report();
    const resumed = res.resumedFrom > 0 ? `, resumed at ${formatBytes(res.resumedFrom)}` : '';
    this.ctx.log(`OK    ${shown(item.relative_path)}  ${formatBytes(res.size)}  sha256 ${res.sha256} (${verified}${resumed})`);
    return 'done';
  }

  private startOver(item: ItemRow, file: FileTry, why: string): void {
    file.restarts++;
    file.saved = undefined;
    this.inflight.delete(item.seq);
    this.ctx.log(`  ${shown(item.relative_path)}${why}; starting it over (${file.restarts} of ${MAX_SOURCE_RESTARTS})`);
  }

  /**
   * How the stored bytes of a sent file were confirmed: never by their size alone. Where the
   * destination only confirmed the size (a tus server without the checksum extension, an S3
   * server that does not check x-amz-checksum-sha256) the file is read back and hashed.
   */
  private async confirmed(item: ItemRow, res: UploadResult): Promise<string> {
    const { ctx } = this;
    if (res.verified !== 'size') return res.verified;
    if (res.size === 0) return 'empty';
    if (!this.warnedReadBack) {
      this.warnedReadBack = true;
      ctx.log(`${this.destinationName} confirms sizes, not checksums: each file is read back and hashed after it is sent`);
    }
    const stored = await storedFor(this.dest, this.protocol, this.params.dataset, { relative_path: item.relative_path, size: res.size, location: res.location }, undefined, {
      signal: ctx.signal,
      checkpoint: () => ctx.checkpoint({ midItem: true }),
    });
    if (stored.kind === 'sha256') return stored.sha256 === res.sha256 ? 'read-back' : 'differs';
    if (stored.kind === 'unverifiable') {
      ctx.log(`WARN  ${shown(item.relative_path)}: sent, but not confirmed: ${stored.why}`);
      return 'unconfirmed';
    }
    return 'differs';
  }

  /** Once every file is done: sends manifest-sha256.txt, then dataset.json, and says how the job went. */
  private async sendOwnFiles(): Promise<RunnerOutcome> {
    const { ctx, deps, jobId, params } = this;
    // Every page of files was worked through: the counts kept on the way are the job's.
    const left = { files: this.totals.files, doneFiles: this.doneFiles, failedFiles: this.failedFiles };
    if (left.doneFiles === 0) {
      // Nothing landed: an empty manifest would claim a dataset that is not there. Retrying the
      // job (by hand) tries the failed files again.
      throw new FerryError('IO', `upload(job ${jobId}): every file failed (${left.failedFiles} of ${left.files}); nothing was sent`, { retriable: false });
    }
    ctx.stage('manifest');
    // Every file is done: a stop-after-current request has nothing left to hold back.
    await ctx.checkpoint({ midItem: true });
    const dir = deps.jobDir(jobId);
    mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
    const runState: UploadRunState = ctx.restore() ?? {};
    const listed = await writeManifest(deps.items, jobId, join(dir, `${MANIFEST_NAME}.new`));
    // An incremental upload replaces what the destination holds: the old manifest stays whole until the new one is in place.
    const swap = params.incremental ? ownFileSwap(this.dest, params.dataset, jobId, deps.receiverDir?.()) : undefined;
    const sent = await this.sendOwn(dir, runState, MANIFEST_NAME, listed, swap?.sendAs(MANIFEST_NAME));
    // After the manifest: its presence says the dataset is complete and names the manifest's bytes.
    const description = datasetDescription(params, listed, sent.sha256);
    const describedSha = createHash('sha256').update(description).digest('hex');
    const described = await this.sendOwn(dir, runState, DATASET_FILE_NAME, { sha256: describedSha, content: description }, swap?.sendAs(DATASET_FILE_NAME));
    if (swap) {
      await swap.promote(MANIFEST_NAME, sent.location, sent.sha256);
      await swap.promote(DATASET_FILE_NAME, described.location, described.sha256);
    }
    ctx.log(`OK    ${MANIFEST_NAME}  ${listed.files} ${plural(listed.files, 'file')}  sha256 ${sent.sha256}`);
    ctx.log(`OK    ${DATASET_FILE_NAME}  sha256 ${described.sha256}`);
    const incremental = ctx.restore()?.incremental;
    const deleted = incremental ? await deleteRemoved(ctx, deps, this.protocol) : 0;
    const failed = this.failedFiles;
    const skipped = incremental?.counts.unchanged ?? 0;
    ctx.log(
      `Sent ${this.doneFiles - skipped} ${plural(this.doneFiles - skipped, 'file')} (${formatBytes(this.doneBytes - (incremental ? this.totals.bytes - incremental.bytesToSend : 0))}) to ${deps.destinations.get(params.destinationId).name}` +
        `${incremental ? `; ${skipped} unchanged, skipped` : ''}${deleted ? `; ${deleted} removed from the destination` : ''}${failed ? `; ${failed} failed` : ''}`,
    );
    return {
      result: failed > 0 ? 'partial' : 'success',
      summary: {
        files: this.totals.files,
        bytes: this.totals.bytes,
        failedFiles: failed,
        destination: params.destinationId,
        dataset: params.dataset,
        manifestSha256: sent.sha256,
        ...(incremental ? { incremental: { ...incremental.counts, bytesToSend: incremental.bytesToSend, deleted, readable: incremental.readable } } : {}),
      },
    };
  }

  /**
   * Sends a file Ferry writes beside the data (from the job's own folder), resuming the session a
   * crash left. Its content comes as text, or already written to `<name>.new` (the manifest).
   */
  private async sendOwn(dir: string, runState: UploadRunState, name: string, made: { sha256: string; content?: string }, as = name): Promise<UploadResult> {
    const path = join(dir, name);
    const { sha256 } = made;
    const own = (runState.own ??= {});
    // Sent before with other content: an earlier attempt's manifest, before failed files were sent again.
    if (own[name] && own[name].sha256 !== sha256) await this.removeEarlierOwn(as, own[name].state);
    const saved = own[name]?.sha256 === sha256 && existsSync(path) ? own[name]!.state : undefined;
    // A session under way reads the file it began with: rewriting it (same bytes, new mtime)
    // would look like a source that changed while it was sent.
    if (made.content === undefined) {
      if (saved) rmSync(`${path}.new`, { force: true });
      else renameSync(`${path}.new`, path);
    } else if (!saved) writeFileSync(path, made.content, { mode: PRIVATE_FILE_MODE });
    return uploadFile({
      protocol: this.protocol,
      path,
      relativePath: remotePath(this.protocol, this.params, as),
      metadata: this.metadata,
      sha256,
      signal: this.ctx.signal,
      ...(saved ? { resume: saved } : {}),
      onAck: (state) => {
        own[name] = { sha256, state };
        this.ctx.persist(runState, { durable: true });
      },
    });
  }

  /**
   * Removes the copy of one of Ferry's own files that an earlier attempt sent with other content,
   * so that the new one takes its place instead of landing beside it (the receiver files a taken
   * name as `name (1).txt`, a folder refuses it). A tus server gives the new copy its own URL: the
   * old one is deleted where the server allows it, else left.
   */
  private async removeEarlierOwn(name: string, earlier: UploadState): Promise<void> {
    const receiverDir = this.deps.receiverDir?.();
    // The built-in receiver takes no deletes over HTTP; its files are on this computer.
    const standIn = this.dest.kind === 'receiver' && receiverDir ? new FolderProtocol({ root: receiverDir }) : undefined;
    const files = standIn ?? this.protocol;
    const url = (earlier.session as { url?: string | null } | undefined)?.url ?? null;
    try {
      if (!files.remove) return;
      await files.remove(standIn ? `${this.params.dataset}/${name}` : remotePath(this.protocol, this.params, name), this.ctx.signal, url);
      this.ctx.log(`Replacing ${name} of an earlier attempt`);
    } catch (err) {
      if (this.protocol.kind !== 'tus' || standIn) throw err;
      this.ctx.log(`  could not delete the earlier ${name} at ${this.destinationName}: ${(err as Error).message}`);
    } finally {
      standIn?.close();
    }
  }
}

/** Files counted at once when an attempt starts. */
const COUNT_STEP = 50_000;

/** A job's totals, counted a range of files at a time with the event loop free between ranges. */
async function countInSteps(items: Pick<ItemsTable, 'totals' | 'count'>, jobId: number): Promise<ReturnType<ItemsTable['totals']>> {
  const all = { files: 0, bytes: 0, doneFiles: 0, doneBytes: 0, failedFiles: 0 };
  const last = items.count(jobId);
  for (let from = 0; from < last; from += COUNT_STEP) {
    const t = items.totals(jobId, from, from + COUNT_STEP);
    all.files += t.files;
    all.bytes += t.bytes;
    all.doneFiles += t.doneFiles;
    all.doneBytes += t.doneBytes;
    all.failedFiles += t.failedFiles;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return all;
}

/** Done files read at once while the manifest is written. */
const MANIFEST_PAGE = 5000;

/**
 * Writes manifest-sha256.txt to `path` a page of files at a time, hashing it as it goes, with the
 * event loop free between pages: a million lines are never one string. Answers its SHA-256 and the
 * files and bytes it lists.
 */
export async function writeManifest(items: Pick<ItemsTable, 'donePage'>, jobId: number, path: string): Promise<{ sha256: string; files: number; bytes: number }> {
  const hash = createHash('sha256');
  const out = createWriteStream(path, { mode: PRIVATE_FILE_MODE });
  const failed = new Promise<never>((_, reject) => out.once('error', reject));
  let files = 0;
  let bytes = 0;
  try {
    for (let after = -1; ; ) {
      const page = items.donePage(jobId, after, MANIFEST_PAGE);
      if (page.length === 0) break;
      after = page[page.length - 1]!.seq;
      let text = '';
      for (const m of page) text += manifestLine(m.sha256, m.relative_path);
      files += page.length;
      for (const m of page) bytes += m.size;
      hash.update(text);
      if (!out.write(text)) await Promise.race([once(out, 'drain'), failed]);
    }
    out.end();
    await Promise.race([once(out, 'finish'), failed]);
  } catch (err) {
    out.destroy();
    throw err;
  }
  return { sha256: hash.digest('hex'), files, bytes };
}
