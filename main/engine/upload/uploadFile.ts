import { createHash } from 'node:crypto';
import path from 'node:path';
import { FerryError, invalidInput } from '../../../shared/errors';
import { createLogger } from '../util/logger';
import { changedError, FileSource, statSource, type SourceChunk, type SourceStamp } from './fileSource';
import type { FinishResult, OutgoingChunk, SavedSession, UploadFileInfo, UploadProtocol, UploadSession } from './protocol';
import { DEFAULT_RETRY_POLICY, isRetriable, retryDelay, sleep, withRetry, type RetryPolicy } from './retry';
import { streamPass } from './streamPass';
import { globalThrottle, type Throttle } from './throttle';
import { canceledError, needsRestart } from './transferErrors';

const log = createLogger('upload');

/** What the engine persists after every ack: the destination's resume state and the file it is for. */
export interface UploadState {
  source: SourceStamp;
  session: SavedSession;
}

export interface UploadFileOptions {
  protocol: UploadProtocol;
  /** Local path of the file to send. */
  path: string;
  /** Path inside the dataset, '/'-separated. */
  relativePath: string;
  /** Defaults to the last segment of `relativePath`. */
  name?: string;
  metadata?: Record<string, string>;
  /** Hex SHA-256 known beforehand; the bytes read must match it before the last chunk goes out. */
  sha256?: string;
  /** The state the last `onAck` gave, to continue an interrupted upload. */
  resume?: UploadState;
  /** Abort to stop (pause, cancel, shutdown): nothing is discarded remotely. */
  signal: AbortSignal;
  /**
   * Called, one call at a time, after the session exists and after every acknowledged chunk, with
   * the state to persist and the bytes the destination has confirmed (never decreasing).
   */
  onAck?: (state: UploadState, bytesConfirmed: number) => void | Promise<void>;
  /**
   * Told the highest offset put on the wire so far in this pass (unacknowledged), so progress can
   * move within a long request; only streamed destinations report it.
   */
  onSent?: (offset: number) => void;
  /** Default: the process-wide `globalThrottle`. */
  throttle?: Throttle;
  /** Upper bound on chunks in flight (the destination's own limit applies too). */
  parallel?: number;
  retry?: RetryPolicy;
  /** Told about every retry (for the job log). */
  onRetry?: (err: unknown, attempt: number, delayMs: number) => void;
}

export interface UploadResult extends FinishResult {
  size: number;
  /** Hex SHA-256 of the bytes read (and sent). */
  sha256: string;
  /** Bytes this call sent and had acknowledged (what a resume saved is `size - bytesSent`). */
  bytesSent: number;
  /** Where the first pass started. */
  resumedFrom: number;
  state: UploadState;
}

function outgoing(piece: SourceChunk, throttle: Throttle): OutgoingChunk {
  let digest: Buffer | undefined;
  return {
    offset: piece.offset,
    bytes: piece.bytes,
    sha256: () => (digest ??= createHash('sha256').update(piece.bytes).digest()),
    body: (signal, from = 0) => throttle.paced(piece.bytes.subarray(from), signal),
  };
}

/**
 * Uploads one file to one destination, resumably: begin (or pick up `resume`), ask the
 * destination where it stands, read the file once from there (re-hashing the prefix), send chunks
 * (in parallel where the destination allows), persist after every ack, retry transient failures
 * with backoff, and finish once every byte is acknowledged and the SHA-256 is known.
 *
 * A destination that lost state it had acknowledged (expired tus upload, vanished UploadId) makes
 * the whole pass start again from its new resume offset; progress holds at its highest point
 * until the new pass passes it.
 */
export async function uploadFile(options: UploadFileOptions): Promise<UploadResult> {
  const { signal, protocol } = options;
  const policy = options.retry ?? DEFAULT_RETRY_POLICY;
  const throttle = options.throttle ?? globalThrottle;
  const label = `upload(${protocol.kind} ${options.relativePath})`;

  if (options.sha256 !== undefined && !/^[0-9a-f]{64}$/i.test(options.sha256)) {
    throw invalidInput(`${label}: declared SHA-256 must be 64 hex digits, got ${JSON.stringify(options.sha256)}`);
  }
  const stamp = await statSource(options.path);
  const before = options.resume?.source;
  if (before && (before.size !== stamp.size || before.mtimeMs !== stamp.mtimeMs)) {
    throw changedError(options.path, before, stamp, 'since the upload began');
  }
  const file: UploadFileInfo = {
    size: stamp.size,
    name: options.name ?? path.posix.basename(options.relativePath),
    relativePath: options.relativePath,
    metadata: options.metadata ?? {},
    ...(options.sha256 ? { sha256: options.sha256.toLowerCase() } : {}),
  };
  const retrying = <T>(op: string, task: () => Promise<T>, within: AbortSignal = signal) =>
    withRetry(task, { policy, signal: within, op, shouldRetry: (e) => isRetriable(e) && !needsRestart(e), onRetry: options.onRetry });

  const session = await retrying(`${label} begin`, () => protocol.begin(file, options.resume?.session, signal));

  let reported = 0;
  let acks = Promise.resolve();
  const state = (): UploadState => ({ source: stamp, session: session.saved() });
  /** Persists in order; the state is taken when the call runs, so it is never older than the last. */
  const ack = (confirmed: number): Promise<void> => {
    reported = Math.max(reported, confirmed);
    acks = acks.then(() => options.onAck?.(state(), reported));
    return acks;
  };

  /**
   * Before each pass a session that asks for it has its state saved, when it changed since the
   * last time: it holds what finds a remote upload again whose creation answer is lost (protocol.ts).
   */
  let lastSaved = JSON.stringify(options.resume?.session ?? null);
  const saveBeforePass = async (): Promise<void> => {
    if (!session.saveBeforePass) return;
    const now = JSON.stringify(session.saved());
    if (now === lastSaved) return;
    lastSaved = now;
    await ack(reported);
  };

  let bytesSent = 0;
  let resumedFrom: number | undefined;
  for (let restarts = 0; ; ) {
    try {
      await saveBeforePass();
      const offset = await retrying(`${label} resume`, () => session.resumeOffset(signal));
      resumedFrom ??= offset;
      await ack(offset);
      const ctx: PassContext = { ...options, file, stamp, throttle, retrying, ack, label, sent: (n) => (bytesSent += n) };
      const sha256 = session.stream ? await streamPass(session.stream, offset, ctx) : await sendPass(session, offset, ctx);
      const finished = await retrying(`${label} finish`, () => session.finish(sha256, signal));
      await acks;
      return { ...finished, size: file.size, sha256, bytesSent, resumedFrom, state: state() };
    } catch (err) {
      if (signal.aborted) throw err instanceof FerryError && err.code === 'CANCELED' ? err : canceledError(label);
      if (!needsRestart(err) || ++restarts >= policy.maxAttempts) throw err;
      const delay = retryDelay(restarts, policy);
      log.info(`${label}: ${(err as Error).message}; new pass in ${delay} ms`);
      options.onRetry?.(err, restarts, delay);
      await sleep(delay, signal, label);
    }
  }
}

export interface PassContext extends UploadFileOptions {
  file: UploadFileInfo;
  stamp: SourceStamp;
  throttle: Throttle;
  retrying: <T>(op: string, task: () => Promise<T>, within?: AbortSignal) => Promise<T>;
  ack: (confirmed: number) => Promise<void>;
  label: string;
  sent: (bytes: number) => void;
}

/** Reads the file once from `offset` and sends what the destination lacks; returns the SHA-256. */
async function sendPass(session: UploadSession, offset: number, ctx: PassContext): Promise<string> {
  const source = new FileSource(ctx.path, ctx.stamp);
  // Siblings stop as soon as one chunk fails for good; the caller's signal stops them all.
  const pass = new AbortController();
  const stop = () => pass.abort();
  ctx.signal.addEventListener('abort', stop, { once: true });
  const limit = Math.max(1, Math.min(session.maxParallel, ctx.parallel ?? Infinity));
  const inflight = new Set<Promise<void>>();
  let confirmed = offset;
  let failure: { err: unknown } | undefined;
  const fail = (err: unknown) => {
    failure ??= { err };
    pass.abort();
  };
  const checkDeclared = () => source.checkDeclared(ctx.file.sha256, ctx.label);

  try {
    // `limit` buffers in flight plus the one being read. A buffer goes back to the pool only when
    // its task settled, retries included: chunks finish out of order, and a chunk still retrying
    // must not have its bytes replaced by a later chunk's.
    for await (const piece of source.chunks({ chunkSize: session.chunkSize, from: offset, signal: pass.signal, pool: limit + 1 })) {
      if (piece.last) checkDeclared();
      const length = piece.bytes.length;
      if (session.hasChunk(piece.offset, length)) {
        piece.release();
        confirmed += length;
        await ctx.ack(confirmed);
        continue;
      }
      while (inflight.size >= limit && !failure) await Promise.race(inflight);
      if (failure) break;
      const chunk = outgoing(piece, ctx.throttle);
      const op = `${ctx.label} at ${piece.offset}`;
      const task: Promise<void> = ctx
        .retrying(op, () => session.sendChunk(chunk, pass.signal), pass.signal)
        .then(() => {
          confirmed += length;
          ctx.sent(length);
          return ctx.ack(confirmed);
        })
        .catch(fail)
        .finally(() => {
          piece.release();
          inflight.delete(task);
        });
      inflight.add(task);
    }
  } catch (err) {
    fail(err);
  } finally {
    await Promise.all(inflight);
    ctx.signal.removeEventListener('abort', stop);
  }
  if (failure) throw failure.err;
  checkDeclared();
  return source.sha256();
}
