import type { FerryError } from '../../shared/errors';

/**
 * The error shape @tus/server turns into a response: anything thrown from a hook or a store with
 * `status_code` and `body` is answered with exactly that status and body (see Server#handler's
 * onError). Subclassing Error keeps the stack for our own logs.
 */
export class HttpError extends Error {
  readonly status_code: number;
  readonly body: string;

  constructor(status: number, message: string) {
    super(message);
    this.name = 'HttpError';
    this.status_code = status;
    this.body = `${message}\n`;
  }
}

/** tus checksum extension status, reused for a whole-file SHA-256 that does not match. */
export const CHECKSUM_MISMATCH = 460;
/** RFC 4918 "Insufficient Storage": the disk (or quota) is full; retrying later may work. */
export const INSUFFICIENT_STORAGE = 507;

const DISK_FULL_CODES = new Set(['ENOSPC', 'EDQUOT']);

function errnoOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * Maps a failed file system call to a 5xx answer whose body names the operation and the cause,
 * so a client (and its user) can tell a full disk from a bug.
 */
export function ioHttpError(operation: string, err: unknown): HttpError {
  const code = errnoOf(err) ?? 'EIO';
  if (DISK_FULL_CODES.has(code)) {
    return new HttpError(INSUFFICIENT_STORAGE, `Insufficient Storage: ${operation}: receiver disk is full (${code})`);
  }
  const detail = err instanceof Error ? err.message : String(err);
  return new HttpError(500, `${operation}: ${detail}`);
}

/**
 * Maps a Ferry error to an answer. CONFLICT is 422, not 409: tus clients read 409 as an offset
 * mismatch and retry, which can never succeed here.
 */
export function ferryHttpError(err: FerryError): HttpError {
  const status = err.code === 'INVALID_INPUT' ? 400 : err.code === 'CONFLICT' ? 422 : 500;
  return new HttpError(status, err.message);
}
