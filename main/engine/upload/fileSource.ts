import { createHash, type Hash } from 'node:crypto';
import { open, stat, type FileHandle } from 'node:fs/promises';
import { FerryError } from '../../../shared/errors';
import { BufferPool } from './bufferPool';
import { canceledError, ioError } from './transferErrors';

/** What stat saw when the upload began; any later difference means the file changed under us. */
export interface SourceStamp {
  size: number;
  mtimeMs: number;
}

/** One piece of the file, read into its own buffer (the sender keeps it until acknowledged). */
export interface SourceChunk {
  offset: number;
  bytes: Buffer;
  /** True for the final chunk; by then `FileSource#sha256()` is known. */
  last: boolean;
  /**
   * Hands `bytes` back to the pool (see `chunks`' `pool`) for a later chunk: call it once nothing
   * can read them any more, i.e. when every request that sends them (retries included) settled.
   * Calling it more than once is harmless; without a pool it does nothing.
   */
  release(): void;
}

const noRelease = () => undefined;

/** Buffer used to hash an already-sent prefix on resume; bounded whatever the chunk size. */
const PREFIX_BUFFER_BYTES = 4 * 1024 * 1024;

/** Stats the source; a missing, unreadable or non-regular file is an IO error naming it. */
export async function statSource(path: string): Promise<SourceStamp> {
  try {
    const st = await stat(path);
    if (!st.isFile()) throw new FerryError('IO', `read(${path}): not a regular file`);
    return { size: st.size, mtimeMs: st.mtimeMs };
  } catch (err) {
    throw ioError(`read(${path})`, err);
  }
}

/** IO error for a source whose size or mtime moved since `stamp`, or that is gone (`now` undefined). */
export function changedError(path: string, stamp: SourceStamp, now: SourceStamp | undefined, when: string): FerryError {
  if (!now) return new FerryError('IO', `read(${path}): file vanished ${when}`, { reason: 'vanished', path });
  const what = `size ${stamp.size} → ${now.size}, mtime ${new Date(stamp.mtimeMs).toISOString()} → ${new Date(now.mtimeMs).toISOString()}`;
  return new FerryError('IO', `read(${path}): file changed ${when} (${what})`, { reason: 'changed', path });
}

/**
 * Streams one file in chunks of a fixed size while computing its SHA-256, so the file is read
 * exactly once per pass. Memory is one chunk per chunk the caller still holds (plus a 4 MiB buffer
 * for a resumed prefix), whatever the file size.
 *
 * Resume: Node's Hash can be copied but not serialised, so a pass that starts at `from > 0`
 * re-reads the bytes before `from` once, hashing them without yielding them. That costs a local
 * read of the prefix (fast next to re-sending it) and keeps the persisted state plain JSON.
 *
 * Change detection: before each chunk is handed out (and after the last read), the path is stat'ed
 * again; a different size or mtime, or a vanished path, fails with IO `file changed during upload`.
 * A file that shrinks mid-read ends early and fails the same way.
 */
export class FileSource {
  private readonly hash: Hash = createHash('sha256');
  private digest: string | undefined;
  private started = false;

  constructor(
    readonly path: string,
    readonly stamp: SourceStamp,
  ) {}

  /** Hex SHA-256 of the whole file; available once the last chunk has been yielded. */
  sha256(): string {
    if (this.digest === undefined) throw new FerryError('INTERNAL', `read(${this.path}): SHA-256 asked before the end of the file`);
    return this.digest;
  }

  /** Fails when the bytes read differ from a SHA-256 declared beforehand; call once the last chunk is out. */
  checkDeclared(declared: string | undefined, label: string): void {
    if (declared && this.sha256() !== declared) {
      throw new FerryError('IO', `${label}: read SHA-256 ${this.sha256()}, expected ${declared}`, { reason: 'checksum' });
    }
  }

  /**
   * Yields chunks `[from, from + chunkSize)`, … up to the end of the file (a 0-byte file yields one
   * empty chunk, so every destination sees one request). Single use.
   *
   * `pool: n` reads into at most n buffers instead of a fresh buffer per chunk (no allocation, no
   * page faults, no garbage after the first n chunks). A buffer is refilled only after its chunk's
   * `release()`, so the caller must release what it is done with, or the next chunk waits.
   */
  async *chunks(options: { chunkSize: number; from: number; signal: AbortSignal; pool?: number }): AsyncGenerator<SourceChunk> {
    const { chunkSize, from, signal } = options;
    const { size } = this.stamp;
    if (this.started) throw new FerryError('INTERNAL', `read(${this.path}): a FileSource is read once`);
    this.started = true;
    if (!(chunkSize > 0) || !Number.isInteger(chunkSize)) throw new FerryError('INVALID_INPUT', `read(${this.path}): bad chunk size ${chunkSize}`);
    if (from < 0 || from > size) throw new FerryError('INVALID_INPUT', `read(${this.path}): resume offset ${from} outside 0..${size}`);

    let fd: FileHandle;
    try {
      fd = await open(this.path, 'r');
    } catch (err) {
      throw (err as { code?: string }).code === 'ENOENT'
        ? changedError(this.path, this.stamp, undefined, 'before the upload could read it')
        : ioError(`read(${this.path})`, err);
    }
    try {
      await this.checkUnchanged();
      await this.hashPrefix(fd, from, signal);
      if (size === 0) {
        this.finishDigest();
        yield { offset: 0, bytes: Buffer.alloc(0), last: true, release: noRelease };
        return;
      }
      const pool = options.pool ? new BufferPool(options.pool, Math.min(chunkSize, size - from)) : undefined;
      for (let offset = from; offset < size; offset += chunkSize) {
        if (signal.aborted) throw canceledError(`read(${this.path})`);
        const length = Math.min(chunkSize, size - offset);
        const lease = await pool?.take(signal, `read(${this.path})`);
        const bytes = lease ? lease.buffer.subarray(0, length) : Buffer.allocUnsafe(length);
        await this.readFully(fd, bytes, offset);
        this.hash.update(bytes);
        await this.checkUnchanged();
        const last = offset + bytes.length === size;
        if (last) this.finishDigest();
        yield { offset, bytes, last, release: lease ? lease.release : noRelease };
      }
      if (from === size) this.finishDigest();
    } finally {
      await fd.close().catch(() => undefined);
    }
  }

  /**
   * Reads `into.length` bytes at `position` again, without hashing them: a destination lost bytes
   * this pass had already read (a cut request), so they are sent once more from the disk.
   */
  async reread(position: number, into: Buffer): Promise<Buffer> {
    let fd: FileHandle;
    try {
      fd = await open(this.path, 'r');
    } catch (err) {
      const now = await statSource(this.path).catch(() => undefined);
      throw now ? ioError(`read(${this.path})`, err) : changedError(this.path, this.stamp, undefined, 'during upload');
    }
    try {
      await this.readFully(fd, into, position);
    } finally {
      await fd.close().catch(() => undefined);
    }
    await this.checkUnchanged();
    return into;
  }

  private async hashPrefix(fd: FileHandle, end: number, signal: AbortSignal): Promise<void> {
    if (end === 0) return;
    const buffer = Buffer.allocUnsafe(Math.min(PREFIX_BUFFER_BYTES, end));
    for (let offset = 0; offset < end; offset += buffer.length) {
      if (signal.aborted) throw canceledError(`read(${this.path})`);
      const piece = buffer.subarray(0, Math.min(buffer.length, end - offset));
      await this.readFully(fd, piece, offset);
      this.hash.update(piece);
    }
    await this.checkUnchanged();
  }

  private async readFully(fd: FileHandle, into: Buffer, position: number): Promise<void> {
    let filled = 0;
    while (filled < into.length) {
      let bytesRead: number;
      try {
        ({ bytesRead } = await fd.read(into, filled, into.length - filled, position + filled));
      } catch (err) {
        throw ioError(`read(${this.path} at ${position + filled})`, err);
      }
      if (bytesRead === 0) {
        const now = await statSource(this.path).catch(() => undefined);
        throw changedError(this.path, this.stamp, now, 'during upload');
      }
      filled += bytesRead;
    }
  }

  private async checkUnchanged(): Promise<void> {
    let now: SourceStamp | undefined;
    try {
      const st = await stat(this.path);
      now = { size: st.size, mtimeMs: st.mtimeMs };
    } catch (err) {
      if ((err as { code?: string }).code !== 'ENOENT') throw ioError(`read(${this.path})`, err);
    }
    if (!now || now.size !== this.stamp.size || now.mtimeMs !== this.stamp.mtimeMs) {
      throw changedError(this.path, this.stamp, now, 'during upload');
    }
  }

  private finishDigest(): void {
    this.digest = this.hash.digest('hex');
  }
}
