/** Stable error codes that cross every boundary (IPC, WebSocket, CLI). */
export const ERROR_CODES = [
  'INVALID_INPUT',
  'NOT_FOUND',
  'CONFLICT',
  'IO',
  'REMOTE',
  'CANCELED',
  'UNAUTHORIZED',
  'UNAVAILABLE',
  'INTERNAL',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** The plain, clone-safe shape an error takes on the wire. */
export interface WireError {
  code: ErrorCode;
  message: string;
  details?: unknown;
}

/** The one error class of Ferry; `code` is what callers branch on. */
export class FerryError extends Error {
  readonly code: ErrorCode;
  readonly details?: unknown;

  constructor(code: ErrorCode, message: string, details?: unknown) {
    super(message);
    this.name = 'FerryError';
    this.code = code;
    if (details !== undefined) this.details = details;
  }

  toWire(): WireError {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details };
  }
}

export const invalidInput = (message: string, details?: unknown): FerryError =>
  new FerryError('INVALID_INPUT', message, details);
export const notFound = (message: string, details?: unknown): FerryError =>
  new FerryError('NOT_FOUND', message, details);
export const conflict = (message: string, details?: unknown): FerryError =>
  new FerryError('CONFLICT', message, details);

function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && (ERROR_CODES as readonly string[]).includes(value);
}

/** Turns anything thrown into a wire error; unknown failures become INTERNAL. */
export function toWireError(err: unknown): WireError {
  if (err instanceof FerryError) return err.toWire();
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) {
      return { code: 'IO', message: err.message, details: { errno: code } };
    }
    return { code: 'INTERNAL', message: err.message };
  }
  return { code: 'INTERNAL', message: String(err) };
}

/** Rebuilds a typed error from its wire shape (tolerates malformed input). */
export function fromWireError(wire: unknown): FerryError {
  if (wire && typeof wire === 'object') {
    const w = wire as Partial<WireError>;
    const code = isErrorCode(w.code) ? w.code : 'INTERNAL';
    const message = typeof w.message === 'string' ? w.message : 'unknown error';
    return new FerryError(code, message, w.details);
  }
  return new FerryError('INTERNAL', String(wire));
}

/** Result envelope used where exceptions cannot cross (IPC, contextBridge, WebSocket). */
export type Envelope<T> = { ok: true; value: T } | { ok: false; error: WireError };
