import { createHash } from 'node:crypto';
import { constants, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { mkdir, open, rename, rm, rmdir, stat, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { FerryError, conflict, invalidInput } from '../../../shared/errors';
import { sha256File } from '../../util/sha256File';
import { createDurableFlush, type DurableFlush } from './durable';
import type { BatchFile, BatchSender, FinishResult, OutgoingChunk, SavedFolderSession, SavedSession, UploadFileInfo, UploadProtocol, UploadSession } from './protocol';
import { checkRelativePath } from '../../../shared/storedPath';
import { ioError, throwIfAborted } from './transferErrors';

export interface FolderOptions {
  /** The destination directory (local or a NAS mount); it must exist. */
  root: string;
  /** Replace an existing file of the same name; otherwise that is a CONFLICT. Default false. */
  overwrite?: boolean;
  /** Bytes per write + fdatasync. Default 8 MiB. */
  chunkSize?: number;
  /** Why a target may not be written (Ferry's own data directory below or beside the root). */
  refusePath?: (target: string) => string | undefined;
}

const PARTIAL_SUFFIX = '.ferry-part';
const DEFAULT_CHUNK = 8 * 1024 * 1024;
/** Files up to this size are copied in batches with one durability point per batch. */
const BATCH_FILE_BYTES = 1024 * 1024;
const BATCH_FILES = 2048;
/** Synchronous file work done between turns given to the event loop. */
const SLICE_MS = 4;

/** Whether `p` lies strictly inside `root` (both absolute). */
function inside(root: string, p: string): boolean {
  const rel = path.relative(root, p);
  return rel !== '' && !path.isAbsolute(rel) && rel.split(path.sep)[0] !== '..';
}

/** Whether `path` holds exactly the batch file's bytes (small files only: read whole). */
function sameBytes(path: string, file: BatchFile): boolean {
  try {
    const held = readFileSync(path);
    return held.length === file.bytes.length && createHash('sha256').update(held).digest('hex') === file.sha256;
  } catch {
    return false;
  }
}

/** A name already taken at the destination: trying again cannot help, a person must decide. */
const taken = (message: string) => conflict(`${message} (Ferry does not replace files in a folder destination)`, { retriable: false });

async function exists(p: string): Promise<boolean> {
  return stat(p).then(
    () => true,
    (err: { code?: string }) => {
      if (err.code === 'ENOENT') return false;
      throw ioError(`upload(folder stat ${p})`, err);
    },
  );
}

/**
 * Copies into a directory: bytes go to `<target>.ferry-part`, the partial's size is the resume
 * offset, and the finished file appears under its name by one atomic rename, so readers never see
 * half a file.
 */
export class FolderProtocol implements UploadProtocol {
  readonly kind = 'folder' as const;
  readonly root: string;
  readonly chunkSize: number;
  readonly batch: BatchSender;

  constructor(readonly options: FolderOptions) {
    this.root = path.resolve(options.root);
    this.chunkSize = options.chunkSize ?? DEFAULT_CHUNK;
    if (!Number.isSafeInteger(this.chunkSize) || this.chunkSize <= 0) throw invalidInput(`folder: bad chunk size ${options.chunkSize}`);
    this.batch = new FolderBatch(this, createDurableFlush());
  }

  /** The absolute target of a dataset-relative path, checked to stay under the root. */
  target(relativePath: string, op: string): string {
    const rel = checkRelativePath(relativePath, op);
    const target = path.join(this.root, ...rel.split('/'));
    if (!inside(this.root, target)) throw invalidInput(`${op}: resolves outside ${this.root}`);
    const refused = this.options.refusePath?.(target);
    if (refused) throw invalidInput(`${op}: ${refused}`);
    return target;
  }

  /** Never creates the root: an unmounted NAS must fail, not fill the local mount point. */
  checkRoot(op: string, info: { isDirectory(): boolean } | Error): void {
    if (info instanceof Error) throw ioError(`${op}: destination folder ${this.root}`, info);
    if (!info.isDirectory()) throw new FerryError('IO', `${op}: destination ${this.root} is not a directory`);
  }

  async begin(file: UploadFileInfo, saved: SavedSession | undefined, signal: AbortSignal): Promise<UploadSession> {
    const op = `upload(folder ${file.relativePath})`;
    const target = this.target(file.relativePath, op);
    const partial = target + PARTIAL_SUFFIX;
    throwIfAborted(signal, op);
    this.checkRoot(op, await stat(this.root).catch((err: Error) => err));
    await mkdir(path.dirname(target), { recursive: true }).catch((err) => {
      throw ioError(`${op}: create folder ${path.dirname(target)}`, err);
    });
    const resuming = saved?.protocol === 'folder' && saved.partialPath === partial;
    if (!this.options.overwrite && (await exists(target))) {
      // Our own partial, renamed into place by a run that died before it was recorded: finish
      // checks that the bytes there are this file's.
      if (resuming && !(await exists(partial))) return new FolderSession(this, file, target, partial, true);
      throw taken(`${op}: ${target} already exists`);
    }
    // Without our saved state a leftover partial may hold anyone's bytes: start it afresh.
    if (!resuming) await rm(partial, { force: true }).catch((err) => Promise.reject(ioError(`${op}: remove ${partial}`, err)));
    return new FolderSession(this, file, target, partial);
  }

  /** Removes a finished file, and the folders above it (up to the root) that it leaves empty. */
  async remove(relativePath: string, signal: AbortSignal): Promise<void> {
    const op = `delete(folder ${relativePath})`;
    const target = this.target(relativePath, op);
    throwIfAborted(signal, op);
    await rm(target, { force: true }).catch((err) => {
      throw ioError(op, err);
    });
    for (let dir = path.dirname(target); dir !== this.root && inside(this.root, dir); dir = path.dirname(dir)) {
      // rmdir refuses a folder that still holds something (someone else's file): that is the stop.
      if (!(await rmdir(dir).then(() => true, () => false))) break;
    }
  }

  /** Removes the partial a saved state names, if it is one of ours under this root. */
  async discard(saved: SavedSession, signal: AbortSignal): Promise<void> {
    if (saved.protocol !== 'folder') return;
    const partial = path.resolve(saved.partialPath);
    const op = `upload(folder remove ${partial})`;
    throwIfAborted(signal, op);
    if (!inside(this.root, partial) || !partial.endsWith(PARTIAL_SUFFIX)) {
      throw invalidInput(`${op}: not a ${PARTIAL_SUFFIX} file under ${this.root}`);
    }
    await rm(partial, { force: true }).catch((err) => {
      throw ioError(op, err);
    });
  }

  close(): void {
    // Nothing pooled: every session closes its own file.
  }
}

class FolderSession implements UploadSession {
  readonly chunkSize: number;
  readonly maxParallel = 1;
  private fd: FileHandle | undefined;
  /** Bytes in the partial file, or undefined when unknown (not opened yet, or after an error). */
  private size: number | undefined;

  constructor(
    private readonly folder: FolderProtocol,
    private readonly file: UploadFileInfo,
    private readonly target: string,
    private readonly partial: string,
    /** The partial was renamed into place already (see begin). */
    private readonly placed = false,
  ) {
    this.chunkSize = folder.chunkSize;
  }

  private op(what: string): string {
    return `upload(folder ${what} ${this.partial})`;
  }

  /** Opens (or creates) the partial without truncating, learning its size. */
  private async openPartial(): Promise<number> {
    if (this.fd && this.size !== undefined) return this.size;
    await this.closeFd();
    try {
      this.fd = await open(this.partial, constants.O_RDWR | constants.O_CREAT, 0o644);
      let { size } = await this.fd.stat();
      if (size > this.file.size) {
        await this.fd.truncate(0);
        size = 0;
      }
      this.size = size;
      return size;
    } catch (err) {
      await this.closeFd();
      throw ioError(this.op('open'), err);
    }
  }

  private async closeFd(): Promise<void> {
    const fd = this.fd;
    this.fd = undefined;
    this.size = undefined;
    await fd?.close().catch(() => undefined);
  }

  async resumeOffset(signal: AbortSignal): Promise<number> {
    throwIfAborted(signal, this.op('open'));
    if (this.placed) return this.file.size;
    await this.closeFd();
    return this.openPartial();
  }

  hasChunk(offset: number, length: number): boolean {
    return this.size !== undefined && offset + length <= this.size;
  }

  async sendChunk(chunk: OutgoingChunk, signal: AbortSignal): Promise<void> {
    const size = await this.openPartial();
    if (chunk.offset > size) {
      throw new FerryError('IO', `${this.op(`write at ${chunk.offset}`)}: partial holds only ${size} bytes`, { retriable: true, restart: true });
    }
    const fd = this.fd!;
    let position = chunk.offset;
    try {
      for await (const slice of chunk.body(signal)) {
        for (let done = 0; done < slice.length; ) {
          const { bytesWritten } = await fd.write(slice, done, slice.length - done, position);
          done += bytesWritten;
          position += bytesWritten;
        }
      }
      // Durable before we report it: after a crash the partial's size must not claim bytes that
      // never reached the disk (a resume trusts that size).
      await fd.datasync();
    } catch (err) {
      await this.closeFd();
      throw ioError(this.op(`write at ${position}`), err);
    }
    this.size = Math.max(size, position);
  }

  async finish(sha256: string, signal: AbortSignal): Promise<FinishResult> {
    throwIfAborted(signal, this.op('finish'));
    if (this.placed) {
      const there = await sha256File(this.target, signal).catch((err: unknown) => {
        throw ioError(`upload(folder check ${this.target})`, err);
      });
      if (there !== sha256) throw taken(`${this.op('finish')}: ${this.target} already exists with other bytes`);
      await this.syncDirectory();
      return { verified: 'local', location: this.target };
    }
    const size = await this.openPartial();
    if (size !== this.file.size) throw new FerryError('IO', `${this.op('finish')}: partial holds ${size} of ${this.file.size} bytes`);
    try {
      await this.fd!.sync();
    } catch (err) {
      throw ioError(this.op('fsync'), err);
    }
    await this.closeFd();
    if (!this.folder.options.overwrite && (await exists(this.target))) throw taken(`${this.op('finish')}: ${this.target} appeared meanwhile`);
    await rename(this.partial, this.target).catch((err) => {
      throw ioError(`upload(folder rename ${this.partial} → ${this.target})`, err);
    });
    await this.syncDirectory();
    return { verified: 'local', location: this.target };
  }

  /** Makes the rename itself durable; some platforms cannot fsync a directory, which is fine. */
  private async syncDirectory(): Promise<void> {
    let dir: FileHandle | undefined;
    try {
      dir = await open(path.dirname(this.target), 'r');
      await dir.sync();
    } catch {
      // Windows and some network file systems refuse this; the rename has happened either way.
    } finally {
      await dir?.close().catch(() => undefined);
    }
  }

  async abort(signal: AbortSignal): Promise<void> {
    await this.closeFd();
    await this.folder.discard(this.saved(), signal);
  }

  saved(): SavedFolderSession {
    return { protocol: 'folder', partialPath: this.partial, targetPath: this.target };
  }
}

/**
 * Small files in batches: each is written to its partial, one flush makes the whole batch durable,
 * the partials are renamed into place, and a second flush makes the names durable before the batch
 * counts as sent. Same promise as a session (a file is absent or complete and durable), with two
 * durability points per batch instead of three per file. A file already in place with the same
 * bytes counts as sent (its batch was cut after the renames, or the process died before recording
 * them); different bytes are a CONFLICT. The writes are synchronous (a few µs for a small file) in
 * slices of a few milliseconds, so the event loop keeps its turns.
 */
class FolderBatch implements BatchSender {
  readonly maxFileBytes = BATCH_FILE_BYTES;
  readonly maxFiles = BATCH_FILES;
  readonly maxBytes: number;
  /** Folders made or seen by this destination, so a dataset costs one mkdir per folder. */
  private readonly knownDirs = new Set<string>();

  constructor(
    private readonly folder: FolderProtocol,
    private readonly durable: DurableFlush,
  ) {
    this.maxBytes = folder.chunkSize;
  }

  async send(files: BatchFile[], signal: AbortSignal): Promise<FinishResult[]> {
    const op = `upload(folder batch of ${files.length})`;
    throwIfAborted(signal, op);
    this.folder.checkRoot(op, await stat(this.folder.root).catch((err: Error) => err));
    const overwrite = this.folder.options.overwrite === true;
    const targets = files.map((f) => this.folder.target(f.info.relativePath, `upload(folder ${f.info.relativePath})`));
    const written: string[] = [];
    const dirs = new Set<string>();
    try {
      let sliceStart = performance.now();
      for (let i = 0; i < files.length; i++) {
        if (performance.now() - sliceStart > SLICE_MS) {
          await new Promise<void>((resolve) => setImmediate(resolve));
          sliceStart = performance.now();
        }
        throwIfAborted(signal, op);
        const target = targets[i]!;
        const dir = path.dirname(target);
        dirs.add(dir);
        if (!this.knownDirs.has(dir)) {
          mkdirSync(dir, { recursive: true });
          this.knownDirs.add(dir);
        }
        if (!overwrite && existsSync(target)) {
          // The same bytes already there: this batch (or the run before a crash) placed them.
          if (sameBytes(target, files[i]!)) {
            written.push(target);
            continue;
          }
          throw taken(`upload(folder ${files[i]!.info.relativePath}): ${target} already exists`);
        }
        const partial = target + PARTIAL_SUFFIX;
        // Listed before the write: a write that fails (a full disk) has created the file already.
        written.push(partial);
        writeFileSync(partial, files[i]!.bytes);
      }
      await this.durable.flush(written, []);
      throwIfAborted(signal, op);
      for (let i = 0; i < files.length; i++) {
        if (written[i] === targets[i]) continue;
        renameSync(written[i]!, targets[i]!);
        written[i] = targets[i]!;
      }
    } catch (err) {
      // A batch fails whole: partials go; files already renamed stay (they are complete, and a
      // retry with overwrite replaces them, without it reports them as existing).
      for (const p of written) if (p.endsWith(PARTIAL_SUFFIX)) rmSync(p, { force: true });
      if (err instanceof FerryError) throw err;
      const failed = err as NodeJS.ErrnoException;
      if (failed.code === 'ENOENT') this.knownDirs.clear(); // a folder removed behind our back
      throw ioError(`${op}${failed.path ? ` (${failed.path})` : ''}`, err);
    }
    await this.durable.flush(targets, [...dirs]);
    return targets.map((location) => ({ verified: 'local' as const, location }));
  }
}
