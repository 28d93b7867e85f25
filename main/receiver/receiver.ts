import fsp from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { MemoryLocker, Server, type ServerOptions } from '@tus/server';
import { FerryError, invalidInput } from '../../shared/errors';
import { BATCH_PATH, FILE_SHA256_HEADER } from '../../shared/receiverBatch';
import { ByteAllowance, INDEX_MEMORY_BYTES, fileBatch } from './batchFiling';
import { HttpError, ferryHttpError } from './httpError';
import { handlePlainPatch, plainPatchId } from './patchRequest';
import { answerClientError, plain } from './plainAnswer';
import { ReceiverStore } from './receiverStore';
import { stderrLogger, type ReceiverLogger } from './receiverLogger';
import { isLoopbackHost, refusal } from './requestGuard';
import { SpaceBudget } from './spaceBudget';
import { CHECKSUM_ALGORITHMS, fileSha256Header, requestChecksum, withChecksum, type ExpectedChecksum } from './uploadChecksum';
import { UploadFinisher } from './uploadFinisher';
import { INCOMING_DIR, filingTarget } from './uploadMetadata';

export interface ReceiverOptions {
  /** Root of the final tree: files land in `<storageDir>/<dataset>/<relativePath>`. */
  storageDir: string;
  /** TCP port; 0 (the default) picks a free one. */
  port?: number;
  /** Interface to bind; default 127.0.0.1. Anything but loopback requires `token`. */
  host?: string;
  /** When set, every request must carry `Authorization: Bearer <token>` (on loopback too). */
  token?: string;
  /** Largest upload accepted (announced as Tus-Max-Size; larger ones get 413); default 4 TiB. */
  maxUploadBytes?: number;
  /**
   * Free space left on the storage disk beyond every upload under way (default 256 MiB): an upload
   * or batch that would eat into it is refused with 507 at creation, before a byte is sent.
   */
  freeSpaceMarginBytes?: number;
  /** How long an unfinished upload stays resumable (announced as Upload-Expires); default 7 days. */
  expirationMs?: number;
  /** How often expired uploads are swept; default the smaller of one hour and `expirationMs`. */
  cleanupIntervalMs?: number;
  logger?: ReceiverLogger;
}

export interface Receiver {
  /** The tus endpoint, e.g. `http://127.0.0.1:PORT/files/`. */
  url: string;
  port: number;
  /** Absolute storage dir. */
  storageDir: string;
  /** Removes expired unfinished uploads (and old tombstones) now; resolves how many went. */
  cleanupExpired(): Promise<number>;
  /** Stops accepting, cuts open connections, waits for running requests to settle. */
  close(): Promise<void>;
}

const TUS_PATH = '/files';
const DEFAULT_EXPIRATION_MS = 7 * 24 * 60 * 60 * 1000;
const HOUR_MS = 60 * 60 * 1000;
/** Cap on waiting for cut-off requests at close, so a stuck stream cannot hang shutdown. */
const CLOSE_DRAIN_MS = 5000;
const DEFAULT_MAX_UPLOAD_BYTES = 4 * 1024 ** 4;
const DEFAULT_FREE_SPACE_MARGIN_BYTES = 256 * 1024 ** 2;

export { isLoopbackHost };

function urlHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return net.isIPv6(host) ? `[${host}]` : host;
}

/** Starts the built-in tus 1.0 receiver; see ReceiverOptions. */
export async function startReceiver(opts: ReceiverOptions): Promise<Receiver> {
  const host = opts.host ?? '127.0.0.1';
  const token = opts.token;
  if (token !== undefined && token.length === 0) throw invalidInput('startReceiver: token must not be empty');
  if (!isLoopbackHost(host) && token === undefined) {
    throw invalidInput(`startReceiver: binding to ${host} (not loopback) requires a token`, { host });
  }
  const log = opts.logger ?? stderrLogger;
  const storageDir = path.resolve(opts.storageDir);
  const incomingDir = path.join(storageDir, INCOMING_DIR);
  // Created here, awaited: FileStore's own mkdir throws from a callback, which would crash the process.
  await fsp.mkdir(incomingDir, { recursive: true }).catch((err: Error) => {
    throw new FerryError('IO', `startReceiver: cannot create ${incomingDir}: ${err.message}`);
  });
  // Partial uploads are written there: a link would send them (and batch files) anywhere.
  if ((await fsp.lstat(incomingDir)).isSymbolicLink()) {
    throw new FerryError('IO', `startReceiver: ${incomingDir} is a symbolic link; it must be a real folder inside the storage folder`);
  }

  const expirationMs = opts.expirationMs ?? DEFAULT_EXPIRATION_MS;
  const budget = new SpaceBudget(incomingDir, opts.freeSpaceMarginBytes ?? DEFAULT_FREE_SPACE_MARGIN_BYTES);
  const indexMemory = new ByteAllowance(INDEX_MEMORY_BYTES);
  // The store asks the finisher what is busy, and the finisher files through the store.
  const store: ReceiverStore = new ReceiverStore({
    directory: incomingDir,
    expirationMs,
    isBusy: (id: string): boolean => finisher.isBusy(id),
    settle: (id: string): Promise<void> => finisher.settle(id),
    budget,
  });
  const finisher: UploadFinisher = new UploadFinisher(store, storageDir, log);

  /** Verifies and files a complete upload; the finishing answer's headers say what was stored. */
  const finishHeaders = async (id: string, fileSha256: string | undefined): Promise<Record<string, string>> => {
    const filed = await finisher.finish(id, fileSha256);
    return {
      'Ferry-Sha256': filed.sha256,
      'Ferry-Stored-As': encodeURIComponent(filed.storedAs),
      'Ferry-Duplicate': filed.duplicate ? '1' : '0',
    };
  };
  // Shared by @tus/server and the receiver's own PATCH handling, so each waits for the other.
  const locker = new MemoryLocker();
  const hooks: Pick<ServerOptions, 'onUploadCreate' | 'onUploadFinish' | 'onResponseError'> = {
    // Refuse bad names before any byte is sent, not after gigabytes.
    async onUploadCreate(_req, upload) {
      try {
        filingTarget(upload.metadata);
      } catch (err) {
        throw err instanceof FerryError ? ferryHttpError(err) : err;
      }
      return {};
    },
    async onUploadFinish(req, upload) {
      // Checked at the door (a malformed value never gets here).
      return { headers: await finishHeaders(upload.id, fileSha256Header(req.headers.get(FILE_SHA256_HEADER))) };
    },
    onResponseError(req, err) {
      const status = 'status_code' in err ? err.status_code : 500;
      if (status >= 500) log.error(`${req.method} ${new URL(req.url).pathname}: ${status} ${'body' in err ? err.body.trim() : err.message}`);
      return undefined;
    },
  };
  const tus = new Server({
    path: TUS_PATH,
    datastore: store,
    locker,
    // A finished upload has been filed; DELETE must not pretend to undo that.
    disableTerminationForFinishedUploads: true,
    maxSize: opts.maxUploadBytes ?? DEFAULT_MAX_UPLOAD_BYTES,
    // No page may read an answer: @tus/server would otherwise answer `Access-Control-Allow-Origin: *`.
    allowedOrigins: () => false,
    // Relative, so the client's Host header is never echoed (and a tunnel or proxy in front keeps working).
    relativeLocation: true,
    namingFunction: (_req, metadata) => store.newId(metadata),
    ...hooks,
  });

  /**
   * A HEAD on a filed upload carries the SHA-256 the receiver verified, like the finishing PATCH,
   * so a client that lost that answer (or resumes a finished upload) still learns it. @tus/server
   * has no hook for HEAD headers, so it is added as the head is written, after getUpload settled it.
   */
  const announceFiled = (req: http.IncomingMessage, res: http.ServerResponse, pathname: string): void => {
    if (req.method !== 'HEAD') return;
    const writeHead = res.writeHead.bind(res) as (...args: unknown[]) => http.ServerResponse;
    res.writeHead = ((...args: unknown[]) => {
      const sha256 = store.filedSha256(pathname.slice(TUS_PATH.length + 1));
      if (sha256) res.setHeader('Ferry-Sha256', sha256);
      return writeHead(...args);
    }) as typeof res.writeHead;
  };

  const loopbackOnly = isLoopbackHost(host);
  const server = http.createServer((req, res) => {
    const refused = refusal(req, { loopbackOnly, ...(token !== undefined ? { token } : {}) });
    if (refused) {
      plain(req, res, refused.status, refused.message, refused.headers);
      return;
    }
    const pathname = (req.url ?? '/').split('?')[0] ?? '/';
    if (pathname === BATCH_PATH) {
      fileBatch(req, { storageDir, incomingDir, log, budget, indexMemory }).then(
        (answer) => {
          res.writeHead(200, { 'Content-Type': 'application/json' });
          res.end(JSON.stringify(answer));
        },
        (err: unknown) => {
          if (err instanceof HttpError) plain(req, res, err.status_code, err.message, err.status_code === 405 ? { Allow: 'POST' } : err.status_code === 503 ? { 'Retry-After': '1' } : {});
          else {
            log.error(`POST ${BATCH_PATH}: unhandled: ${String(err)}`);
            plain(req, res, 500, 'Internal Server Error');
          }
        },
      );
      return;
    }
    if (pathname !== TUS_PATH && !pathname.startsWith(`${TUS_PATH}/`)) {
      plain(req, res, 404, 'Not Found');
      return;
    }
    // GET would serve partial uploads from .incoming; the receiver is a sink, not a file server.
    if (req.method === 'GET') {
      plain(req, res, 405, 'Method Not Allowed', { Allow: 'OPTIONS, HEAD, POST, PATCH, DELETE' });
      return;
    }
    let checksum: ExpectedChecksum | undefined;
    let fileSha256: string | undefined;
    try {
      checksum = requestChecksum(req);
      fileSha256 = fileSha256Header(req.headers[FILE_SHA256_HEADER.toLowerCase()]);
    } catch (err) {
      if (!(err instanceof HttpError)) throw err;
      plain(req, res, err.status_code, err.message);
      return;
    }
    if (req.method === 'OPTIONS') res.setHeader('Tus-Checksum-Algorithm', CHECKSUM_ALGORITHMS.join(','));
    // Not tracked for close(): after a client disconnect this promise never settles (srvx waits
    // for an end() callback on the dead response), so close() waits on the store and finisher.
    announceFiled(req, res, pathname);
    // The PATCHes that carry the bytes skip @tus/server's stream layers (patchRequest.ts).
    const patchId = plainPatchId(req, pathname, TUS_PATH);
    const handling =
      patchId !== undefined
        ? () => handlePlainPatch(req, res, patchId, { store, locker, finish: (id) => finishHeaders(id, fileSha256), onServerError: (status, message) => log.error(`PATCH ${pathname}: ${status} ${message}`) })
        : () => tus.handle(req, res);
    withChecksum(checksum, handling).catch((err: unknown) => {
      log.error(`${req.method} ${pathname}: unhandled: ${String(err)}`);
      if (!res.headersSent) plain(req, res, 500, 'Internal Server Error');
      else res.destroy();
    });
  });
  server.on('clientError', answerClientError);
  // Uploads left unfinished by an earlier run keep the space they were promised.
  await store.trackUnfinished().catch((err: Error) => {
    throw new FerryError('IO', `startReceiver: cannot read ${incomingDir}: ${err.message}`);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(new FerryError('IO', `startReceiver: cannot listen on ${host}:${opts.port ?? 0}: ${err.message}`, { errno: err.code })),
    );
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as net.AddressInfo).port;

  const cleanupExpired = () => store.deleteExpired();
  const sweep = () =>
    void cleanupExpired().catch((err: unknown) => log.warn(`cleanup of expired uploads failed: ${String(err)}`));
  const timer = setInterval(sweep, opts.cleanupIntervalMs ?? Math.min(HOUR_MS, Math.max(expirationMs, 1000)));
  timer.unref();
  // Uploads that expired while the receiver was down go before it is handed out, so no sweep of
  // its own runs behind a caller that has just started it.
  await cleanupExpired().catch((err: unknown) => log.warn(`cleanup of expired uploads failed: ${String(err)}`));

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      clearInterval(timer);
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await stopped;
      // Aborted PATCHes still flush what they received; let them, so a restart sees that offset.
      let drainTimer: NodeJS.Timeout | undefined;
      const drainCap = new Promise<void>((resolve) => (drainTimer = setTimeout(resolve, CLOSE_DRAIN_MS)));
      await Promise.race([Promise.all([store.writesSettled(), finisher.settled()]), drainCap]);
      clearTimeout(drainTimer);
    })());

  log.info(`listening on ${urlHost(host)}:${port}, storing into ${storageDir}`);
  return { url: `http://${urlHost(host)}:${port}${TUS_PATH}/`, port, storageDir, cleanupExpired, close };
}
