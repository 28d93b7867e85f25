import { FerryError } from '../../../shared/errors';

/**
 * The `details` a transfer error carries. `retriable` marks transient failures (5xx, resets,
 * timeouts) that the retry policy may repeat; `restart` means the destination lost state we relied
 * on (expired upload, offset behind what it had acknowledged), so the engine must ask for the
 * resume offset again instead of resending the chunk in hand.
 */
export interface TransferErrorDetails {
  retriable?: boolean;
  restart?: boolean;
  status?: number;
  [key: string]: unknown;
}

/** HTTP statuses worth another try: server trouble, throttling, a lock held by a dying request. */
export function retriableStatus(status: number): boolean {
  return status >= 500 || status === 429 || status === 423;
}

/** A server answered something we cannot accept. */
export function remoteError(message: string, details?: TransferErrorDetails): FerryError {
  return new FerryError('REMOTE', message, details);
}

export function canceledError(op: string): FerryError {
  return new FerryError('CANCELED', `${op}: canceled`);
}

/** Throws CANCELED when the signal is aborted; call before starting any I/O. */
export function throwIfAborted(signal: AbortSignal, op: string): void {
  if (signal.aborted) throw canceledError(op);
}

const LOCAL_REASONS: Record<string, string> = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EISDIR: 'is a directory',
  ENOTDIR: 'a parent is not a directory',
  ENOSPC: 'no space left on device',
  EROFS: 'read-only file system',
  EMFILE: 'too many open files',
  EIO: 'input/output error',
};

/** Local errors worth another try (busy or flaky network mounts); the rest need a person. */
const LOCAL_TRANSIENT = new Set(['EAGAIN', 'EBUSY', 'EINTR', 'ETIMEDOUT', 'ESTALE']);

/** Turns a local file-system failure into an IO FerryError naming the operation and the path. */
export function ioError(op: string, err: unknown): FerryError {
  if (err instanceof FerryError) return err;
  const errno = (err as { code?: unknown } | null)?.code;
  const code = typeof errno === 'string' ? errno : undefined;
  const reason = (code && LOCAL_REASONS[code]) ?? (err instanceof Error ? err.message : String(err));
  return new FerryError('IO', `${op}: ${reason}`, {
    errno: code,
    ...(code && LOCAL_TRANSIENT.has(code) ? { retriable: true } : {}),
  });
}

/** Socket-level failures: the request may or may not have reached the server, so try again. */
const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'EAI_AGAIN',
  'ENOTFOUND',
  'UND_ERR_SOCKET',
  'ERR_STREAM_PREMATURE_CLOSE',
]);

function isAbortError(err: unknown): boolean {
  const name = (err as { name?: unknown } | null)?.name;
  return name === 'AbortError' || (err as { code?: unknown } | null)?.code === 'ABORT_ERR';
}

/**
 * Maps whatever a network call threw to a FerryError: aborts become CANCELED (when our signal
 * asked for it), socket errors REMOTE retriable; FerryErrors pass through.
 */
export function networkError(op: string, err: unknown, signal: AbortSignal): FerryError {
  if (err instanceof FerryError) return err;
  if (signal.aborted || isAbortError(err)) {
    return signal.aborted ? canceledError(op) : remoteError(`${op}: request aborted`, { retriable: true });
  }
  const code = (err as { code?: unknown } | null)?.code;
  const message = err instanceof Error ? err.message : String(err);
  if (typeof code === 'string' && NETWORK_CODES.has(code)) {
    return remoteError(`${op}: ${code} ${message}`.trim(), { retriable: true, errno: code });
  }
  if (/socket hang up|timed? ?out|premature close|other side closed/i.test(message)) {
    return remoteError(`${op}: ${message}`, { retriable: true });
  }
  return remoteError(`${op}: ${message}`);
}

export function detailsOf(err: unknown): TransferErrorDetails | undefined {
  if (!(err instanceof FerryError)) return undefined;
  const details = err.details;
  return details && typeof details === 'object' ? (details as TransferErrorDetails) : undefined;
}

/** The destination lost state: ask for the resume offset again (see TransferErrorDetails). */
export function needsRestart(err: unknown): boolean {
  return detailsOf(err)?.restart === true;
}
