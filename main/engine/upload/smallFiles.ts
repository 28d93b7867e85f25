import { createHash } from 'node:crypto';
import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { FerryError } from '../../../shared/errors';
import type { BatchFile, BatchSender, FinishResult, UploadFileInfo } from './protocol';
import { changedError, type SourceStamp } from './fileSource';
import { DEFAULT_RETRY_POLICY, withRetry, type RetryPolicy } from './retry';
import { globalThrottle, type Throttle } from './throttle';
import { ioError, throwIfAborted } from './transferErrors';

/** One file a runner wants sent; `info.size` is what the scan saw. */
export interface SmallFileJob<T> {
  key: T;
  path: string;
  info: UploadFileInfo;
}

export interface SentFile<T> {
  file: SmallFileJob<T>;
  sha256: string;
  size: number;
  result: FinishResult;
}

export interface BatchRunOptions<T> {
  batch: BatchSender;
  files: SmallFileJob<T>[];
  /** Batches in flight at once (the next is read while earlier ones are on their way). */
  parallel: number;
  signal: AbortSignal;
  /** Asked before each batch is read: true starts no new batch (those in flight still land). */
  stop?: () => boolean;
  retry?: RetryPolicy;
  /** Default: the process-wide `globalThrottle`; a batch goes once the bucket granted its bytes. */
  throttle?: Throttle;
  /** A batch landed: every file with its SHA-256 (of the bytes read) and where it is. */
  onSent: (sent: SentFile<T>[]) => void;
  /** The file could not be read as the scan saw it (vanished, unreadable, changed). */
  onSourceError: (file: SmallFileJob<T>, err: Error) => void;
  /** The file grew past the batch limit: the caller sends it on its own. */
  onTooBig: (file: SmallFileJob<T>) => void;
  onRetry?: (err: unknown, attempt: number, delayMs: number) => void;
  /** A batch is on its way (for "now sending"). */
  onLaunch?: (files: SmallFileJob<T>[]) => void;
}

/** Read work done between turns given to the event loop (the file reads are synchronous). */
const SLICE_MS = 4;
const MIN_LIMITED_BATCH = 64 * 1024;

const yieldTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Reads a small file whole and hashes it. The file is stat'ed through its descriptor before and
 * after the read: a file truncated, grown or written meanwhile is a source error, never sent torn. Answers undefined when the file is now larger than `limit`.
 */
export function readSmallFile(path: string, limit: number): { bytes: Buffer; sha256: string; stamp: SourceStamp } | undefined {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    if ((err as { code?: string }).code === 'ENOENT') throw changedError(path, { size: 0, mtimeMs: 0 }, undefined, 'before the upload could read it');
    throw ioError(`read(${path})`, err);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new FerryError('IO', `read(${path}): not a regular file`);
    const stamp = { size: st.size, mtimeMs: st.mtimeMs };
    if (stamp.size > limit) return undefined;
    const bytes = Buffer.allocUnsafe(stamp.size);
    for (let filled = 0; filled < bytes.length; ) {
      let n: number;
      try {
        n = readSync(fd, bytes, filled, bytes.length - filled, filled);
      } catch (err) {
        throw ioError(`read(${path} at ${filled})`, err);
      }
      if (n === 0) throw changedError(path, stamp, currentStamp(path), 'during upload');
      filled += n;
    }
    // Through the descriptor: a write into this file meanwhile moves its mtime; a file replaced
    // by another under the same name leaves this one whole, so what was read is not torn.
    const after = fstatSync(fd);
    if (after.size !== stamp.size || after.mtimeMs !== stamp.mtimeMs) throw changedError(path, stamp, { size: after.size, mtimeMs: after.mtimeMs }, 'during upload');
    return { bytes, sha256: createHash('sha256').update(bytes).digest('hex'), stamp };
  } finally {
    closeSync(fd);
  }
}

function currentStamp(path: string): SourceStamp | undefined {
  try {
    const st = statSync(path);
    return { size: st.size, mtimeMs: st.mtimeMs };
  } catch (err) {
    if ((err as { code?: string }).code === 'ENOENT') return undefined;
    throw ioError(`read(${path})`, err);
  }
}

/** Whether a file goes in a batch rather than a session of its own. */
export function batchable(batch: BatchSender | undefined, size: number): batch is BatchSender {
  return batch !== undefined && size <= batch.maxFileBytes;
}

/**
 * Sends small files in batches: reads and hashes files into a batch until it holds `maxFiles` or
 * `maxBytes`, sends it (retrying transient failures of the whole batch), and reports every file.
 * Up to `parallel` batches are in flight; the reads of the next overlap the sending of the last.
 */
export async function sendInBatches<T>(o: BatchRunOptions<T>): Promise<void> {
  const { batch, signal } = o;
  const throttle = o.throttle ?? globalThrottle;
  // Under a bandwidth limit a batch holds about a second's worth, so progress stays smooth.
  const maxBytes = () => (throttle.rate > 0 ? Math.max(MIN_LIMITED_BATCH, Math.min(batch.maxBytes, throttle.rate)) : batch.maxBytes);
  const inFlight = new Set<Promise<void>>();
  let failure: unknown;
  const launch = (files: SmallFileJob<T>[], read: BatchFile[], bytes: number) => {
    o.onLaunch?.(files);
    const p = throttle
      .take(bytes, signal)
      .then(() => withRetry(() => batch.send(read, signal), { policy: o.retry ?? DEFAULT_RETRY_POLICY, signal, op: 'upload(batch)', ...(o.onRetry ? { onRetry: o.onRetry } : {}) }))
      .then((results) => o.onSent(files.map((file, i) => ({ file, sha256: read[i]!.sha256, size: read[i]!.bytes.length, result: results[i]! }))))
      .catch((err: unknown) => {
        failure ??= err;
      })
      .finally(() => inFlight.delete(p));
    inFlight.add(p);
  };

  let files: SmallFileJob<T>[] = [];
  let read: BatchFile[] = [];
  let bytes = 0;
  let sliceStart = performance.now();
  for (const file of o.files) {
    if (failure !== undefined) break;
    if (files.length === 0 && o.stop?.()) return finishInFlight();
    throwIfAborted(signal, 'upload(batch)');
    if (performance.now() - sliceStart > SLICE_MS) {
      await yieldTurn();
      sliceStart = performance.now();
    }
    let got: ReturnType<typeof readSmallFile>;
    try {
      got = readSmallFile(file.path, batch.maxFileBytes);
    } catch (err) {
      o.onSourceError(file, err as Error);
      continue;
    }
    if (!got) {
      o.onTooBig(file);
      continue;
    }
    files.push(file);
    read.push({ info: { ...file.info, size: got.stamp.size }, bytes: got.bytes, sha256: got.sha256 });
    bytes += got.bytes.length;
    if (files.length >= batch.maxFiles || bytes >= maxBytes()) {
      while (inFlight.size >= o.parallel) await Promise.race(inFlight);
      if (failure !== undefined) break;
      if (o.stop?.()) return finishInFlight();
      launch(files, read, bytes);
      files = [];
      read = [];
      bytes = 0;
      sliceStart = performance.now();
    }
  }
  if (failure === undefined && files.length > 0 && !o.stop?.()) launch(files, read, bytes);
  return finishInFlight();

  async function finishInFlight(): Promise<void> {
    await Promise.all(inFlight);
    if (failure !== undefined) throw failure;
    throwIfAborted(signal, 'upload(batch)');
  }
}
