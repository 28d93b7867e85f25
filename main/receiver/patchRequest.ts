import type http from 'node:http';
import { ERRORS, EXPOSED_HEADERS, TUS_RESUMABLE, type Locker } from '@tus/server';
import type { ReceiverStore } from './receiverStore';

/**
 * The receiver's own handling of a plain tus PATCH (the request that carries nearly every byte):
 * the body goes from the socket to the file in one step, hashed on the way, instead of through
 * @tus/server's layers (request → web ReadableStream → Node Readable → PassThrough → store), which
 * cost about as much CPU per GiB as the SHA-256 itself (bench/README.md, "Where the receiver's CPU
 * goes"). It keeps @tus/server's answers: the same checks in the same order, the same lock (a
 * newer request for the upload stops this one, which keeps what it received), the same finish hook.
 *
 * Only requests in the common shape come here (see `isPlainPatch`); anything unusual (a method
 * override, Upload-Length on a PATCH, a header @tus/server would refuse) goes to @tus/server, so
 * its answers to odd requests stay its own.
 */

export interface PatchDeps {
  store: ReceiverStore;
  locker: Locker;
  /** Verifies and files a complete upload; resolves the headers of the finishing answer. */
  finish: (id: string) => Promise<Record<string, string>>;
  /** Reports an answer of 500 or more (as @tus/server's onResponseError does). */
  onServerError: (status: number, message: string) => void;
}

const ID = /^[0-9A-Za-z_-]{1,128}$/;
/** Headers whose presence means the request is not the common shape (@tus/server validates them). */
const UNUSUAL = ['upload-length', 'upload-defer-length', 'upload-metadata', 'upload-concat', 'tus-version', 'x-forwarded-proto', 'x-http-method-override'];

/** The upload id when `req` is a PATCH in the shape this path answers, else undefined. */
export function plainPatchId(req: http.IncomingMessage, pathname: string, tusPath: string): string | undefined {
  if (req.method !== 'PATCH') return undefined;
  const h = req.headers;
  if (h['tus-resumable'] !== TUS_RESUMABLE || h['content-type'] !== 'application/offset+octet-stream') return undefined;
  const offset = h['upload-offset'];
  if (typeof offset !== 'string' || String(Number(offset)) !== offset || !Number.isSafeInteger(Number(offset))) return undefined;
  if (UNUSUAL.some((name) => h[name] !== undefined)) return undefined;
  const id = pathname.startsWith(`${tusPath}/`) ? pathname.slice(tusPath.length + 1) : '';
  return ID.test(id) ? id : undefined;
}

interface TusError {
  status_code: number;
  body: string;
}
const isTusError = (err: unknown): err is TusError =>
  typeof err === 'object' && err !== null && typeof (err as TusError).status_code === 'number' && typeof (err as TusError).body === 'string';

/** Answers a plain PATCH (plainPatchId said yes) the way @tus/server's PatchHandler would. */
export async function handlePlainPatch(req: http.IncomingMessage, res: http.ServerResponse, id: string, deps: PatchDeps): Promise<void> {
  const { store } = deps;
  const headers: Record<string, string> = { 'Tus-Resumable': TUS_RESUMABLE, 'Access-Control-Expose-Headers': EXPOSED_HEADERS };
  // Aborted when another request takes the lock (it asks this one to let go), or on an error:
  // the answer then closes the connection, as the body may be unread.
  const context = new AbortController();
  const answer = (status: number, body = '', extra: Record<string, string> = {}) => {
    if (res.headersSent || res.destroyed) return;
    const all = { ...headers, ...extra };
    if (context.signal.aborted || !req.readableEnded) all.Connection = 'close';
    if (status !== 204) all['Content-Length'] = String(Buffer.byteLength(body));
    res.writeHead(status, all);
    res.end(status === 204 ? undefined : body);
  };
  try {
    const offset = Number(req.headers['upload-offset']);
    const lock = deps.locker.newLock(id);
    await lock.lock(context.signal, () => context.abort());
    let upload;
    let newOffset: number;
    try {
      upload = await store.getUpload(id);
      const expiration = store.getExpiration();
      const created = upload.creation_date ? new Date(upload.creation_date).getTime() : Date.now();
      if (expiration > 0 && Date.now() > created + expiration) throw ERRORS.FILE_NO_LONGER_EXISTS;
      if (upload.offset !== offset) throw ERRORS.INVALID_OFFSET;
      const size = upload.size ?? 0;
      const declared = req.headers['content-length'];
      const length = declared === undefined ? undefined : Number.parseInt(declared, 10);
      if (offset + (length ?? 0) > size) throw ERRORS.ERR_SIZE_EXCEEDED;
      newOffset = await store.appendRequest(req, id, offset, length ?? size - offset, context.signal);
    } finally {
      await lock.unlock();
    }
    upload.offset = newOffset;
    const extra: Record<string, string> = { 'Upload-Offset': String(newOffset) };
    if (newOffset === upload.size) Object.assign(extra, await deps.finish(id));
    else if (store.getExpiration() > 0 && upload.creation_date) {
      extra['Upload-Expires'] = new Date(new Date(upload.creation_date).getTime() + store.getExpiration()).toUTCString();
    }
    answer(204, '', extra);
  } catch (err) {
    if (!context.signal.aborted) context.abort();
    const status = isTusError(err) ? err.status_code : 500;
    const body = isTusError(err) ? err.body : `${ERRORS.UNKNOWN_ERROR.body}${err instanceof Error ? err.message : String(err)}\n`;
    if (status >= 500) deps.onServerError(status, isTusError(err) ? err.body.trim() : String(err));
    answer(status, body);
  }
}
