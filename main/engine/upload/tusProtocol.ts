import { createHash, randomBytes } from 'node:crypto';
import { FerryError, invalidInput } from '../../../shared/errors';
import { HttpClient, type HttpAnswer } from './httpClient';
import type {
  BatchSender,
  FinishResult,
  OutgoingChunk,
  SavedSession,
  SavedTusSession,
  StreamingSession,
  UploadFileInfo,
  UploadProtocol,
  UploadSession,
} from './protocol';
import { STREAM_PIECE_BYTES } from './protocol';
import { FILE_SHA256_HEADER } from '../../../shared/receiverBatch';
import { checkRelativePath, storedPathProblem } from '../../../shared/storedPath';
import { ReceiverBatch } from './receiverBatch';
import { remoteError, retriableStatus } from './transferErrors';
import { TusConcatSession } from './tusConcat';
import { TUS_VERSION, createdUrl, encodeTusMetadata, header, numberHeader, unexpected } from './tusWire';

export { encodeTusMetadata } from './tusWire';

export interface TusOptions {
  /** The creation URL (where POST creates uploads). */
  endpoint: string;
  /** Sent with every request (e.g. Authorization); cannot replace the tus headers. */
  headers?: Record<string, string>;
  /**
   * Bytes per PATCH, streamed from the file in small pieces (a server that wants an
   * Upload-Checksum per PATCH gets at most CHECKSUMMED_REQUEST_BYTES, each hashed before it is
   * sent). With concatenation, the size of each part. Default 8 MiB.
   */
  chunkSize?: number;
  /** Send files no larger than one chunk in the creation POST when offered. Default true. */
  creationWithUpload?: boolean;
  /** Socket idle timeout. */
  timeoutMs?: number;
  /** The server is Ferry's built-in receiver: small files then go in batches (POST /batch). */
  ferryReceiver?: boolean;
  /** With the concatenation extension, parts of one file in flight at once (1: never concatenate). Default 4. */
  parallelParts?: number;
}

/** What OPTIONS told us about the server. */
export interface TusServerInfo {
  extensions: Set<string>;
  /** The algorithm we will use for Upload-Checksum, if the server offers one we have. */
  checksum?: 'sha256' | 'sha1';
  maxSize?: number;
}

const DEFAULT_CHUNK = 8 * 1024 * 1024;
/**
 * Upper bound on a PATCH that carries an Upload-Checksum: a bad byte costs one request, so a
 * request is kept short enough to send again cheaply (and to be read a second time for its
 * checksum from the page cache rather than the disk), yet long enough that the round trip and
 * the record update per request stay small next to the transfer.
 */
export const CHECKSUMMED_REQUEST_BYTES = 64 * 1024 * 1024;
/** Parts of one file in flight at once on a server with concatenation. */
const DEFAULT_PARALLEL_PARTS = 4;

/** A tus 1.0 destination (creation, creation-with-upload, checksum, termination, expiration). */
export class TusProtocol implements UploadProtocol {
  readonly kind = 'tus' as const;
  readonly http: HttpClient;
  readonly endpoint: URL;
  readonly chunkSize: number;
  private info: Promise<TusServerInfo> | undefined;

  readonly batch?: BatchSender;

  constructor(readonly options: TusOptions) {
    this.endpoint = new URL(options.endpoint);
    this.chunkSize = options.chunkSize ?? DEFAULT_CHUNK;
    if (!Number.isSafeInteger(this.chunkSize) || this.chunkSize <= 0) throw invalidInput(`tus: bad chunk size ${options.chunkSize}`);
    this.http = new HttpClient(options.timeoutMs);
    if (options.ferryReceiver) this.batch = new ReceiverBatch({ endpoint: this.endpoint, http: this.http, headers: () => ({ ...this.options.headers }) });
  }

  /** Ferry's receiver files under `<dataset>/<path>` by a rule Ferry knows; other servers say at creation. */
  nameProblem(relativePath: string, metadata: Record<string, string>): string | undefined {
    if (!this.options.ferryReceiver) return undefined;
    const stored = metadata.dataset ? `${metadata.dataset}/${relativePath}` : relativePath;
    return storedPathProblem(stored, process.platform);
  }

  /** Headers every request carries; the protocol's own win over custom ones. */
  headers(extra: Record<string, string | number> = {}): Record<string, string | number> {
    return { ...this.options.headers, 'Tus-Resumable': TUS_VERSION, ...extra };
  }

  /** OPTIONS once per destination (a failure is not remembered, so the next file asks again). */
  discover(signal: AbortSignal): Promise<TusServerInfo> {
    this.info ??= this.askOptions(signal).catch((err) => {
      this.info = undefined;
      throw err;
    });
    return this.info;
  }

  private async askOptions(signal: AbortSignal): Promise<TusServerInfo> {
    const op = `upload(tus OPTIONS ${this.endpoint.href})`;
    const answer = await this.http.request(op, { method: 'OPTIONS', url: this.endpoint, headers: this.headers(), signal });
    if (retriableStatus(answer.status)) throw unexpected(op, answer);
    // A proxy that refuses OPTIONS hides the server's features: assume core + creation only.
    if (answer.status >= 300) return { extensions: new Set(['creation']) };
    const versions = (header(answer.headers, 'tus-version') ?? TUS_VERSION).split(',').map((v) => v.trim());
    if (!versions.includes(TUS_VERSION)) throw remoteError(`${op}: server speaks tus ${versions.join(', ')}, not ${TUS_VERSION}`);
    const list = (name: string) => new Set((header(answer.headers, name) ?? '').split(',').map((v) => v.trim().toLowerCase()).filter(Boolean));
    const extensions = list('tus-extension');
    const algorithms = list('tus-checksum-algorithm');
    const checksum = !extensions.has('checksum') ? undefined : algorithms.has('sha256') ? 'sha256' : algorithms.has('sha1') ? 'sha1' : undefined;
    const maxSize = header(answer.headers, 'tus-max-size') === undefined ? undefined : numberHeader(answer, 'Tus-Max-Size', op);
    return { extensions, checksum, maxSize };
  }

  async begin(file: UploadFileInfo, saved: SavedSession | undefined, signal: AbortSignal): Promise<UploadSession> {
    checkRelativePath(file.relativePath, `upload(tus ${file.relativePath})`);
    const info = await this.discover(signal);
    if (info.maxSize !== undefined && info.maxSize > 0 && file.size > info.maxSize) {
      throw invalidInput(`upload(tus ${file.relativePath}): ${file.size} bytes exceed the server's Tus-Max-Size of ${info.maxSize}`);
    }
    const resume = saved?.protocol === 'tus' ? saved : undefined;
    const parallel = this.options.parallelParts ?? DEFAULT_PARALLEL_PARTS;
    // A plain upload under way stays plain; a new one larger than a chunk goes as parallel parts.
    const plainUnderWay = resume?.url != null && resume.concat === undefined;
    if (resume?.concat || (info.extensions.has('concatenation') && parallel > 1 && file.size > this.chunkSize && !plainUnderWay)) {
      return new TusConcatSession(this, info, file, resume, parallel);
    }
    return new TusSession(this, info, file, resume);
  }

  /** DELETE of the upload (and of every part of a concatenated one); gone already is fine. */
  async discard(saved: SavedSession, signal: AbortSignal): Promise<void> {
    if (saved.protocol !== 'tus') return;
    const urls = [...(saved.concat?.parts.map((p) => p.url) ?? []), ...(saved.url ? [saved.url] : [])];
    if (urls.length === 0) return;
    const info = await this.discover(signal);
    if (!info.extensions.has('termination')) throw remoteError(`upload(tus DELETE ${urls[0]}): server does not offer termination; the upload stays until it expires`);
    for (const url of urls) {
      const op = `upload(tus DELETE ${url})`;
      const answer = await this.http.request(op, { method: 'DELETE', url: new URL(url), headers: this.headers(), signal });
      if (![200, 204, 404, 410].includes(answer.status)) throw unexpected(op, answer);
    }
  }

  async removeProblem(signal: AbortSignal): Promise<string | undefined> {
    const info = await this.discover(signal);
    return info.extensions.has('termination') ? undefined : 'the server does not offer tus termination (DELETE)';
  }

  /** DELETE of a finished upload at the URL its creation answered (tus termination). */
  async remove(relativePath: string, signal: AbortSignal, location?: string | null): Promise<void> {
    let url: URL;
    try {
      url = new URL(location ?? '');
      if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http');
    } catch {
      throw invalidInput(`delete(tus ${relativePath}): no upload address was recorded for it`);
    }
    const op = `delete(tus DELETE ${url.href})`;
    const answer = await this.http.request(op, { method: 'DELETE', url, headers: this.headers(), signal });
    if (![200, 204, 404, 410].includes(answer.status)) throw unexpected(op, answer);
  }

  close(): void {
    this.http.close();
  }
}

/** One file's tus upload. Sends strictly in order; the server's offset is the only truth. */
class TusSession implements UploadSession {
  readonly chunkSize: number;
  readonly maxParallel = 1;
  readonly saveBeforePass = true;
  private url: URL | null;
  private expiresAt: number | undefined;
  /** Bytes the server holds, valid while `known`; any doubtful exchange clears `known` (→ HEAD). */
  private offset = 0;
  private known = false;
  /** Whether every byte went with an Upload-Checksum the server checked. */
  private checksummed: boolean;
  /** SHA-256 the server says it stored (Ferry's receiver answers it when the upload completes). */
  private storedSha256: string | undefined;
  /** Where Ferry's receiver filed the upload (`<dataset>/<path>`, maybe with a ` (n)` suffix). */
  private storedAs: string | undefined;
  private readonly deferCreation: boolean;
  /** Idempotency key of this file's creation POST (SavedTusSession.key); kept across passes and restarts. */
  private readonly key: string;
  readonly stream: StreamingSession | undefined;

  constructor(
    private readonly tus: TusProtocol,
    private readonly info: TusServerInfo,
    private readonly file: UploadFileInfo,
    saved: SavedTusSession | undefined,
  ) {
    this.chunkSize = tus.chunkSize;
    this.url = saved?.url ? new URL(saved.url) : null;
    this.expiresAt = saved?.expiresAt;
    this.key = saved?.key && /^[0-9a-f]{32}$/.test(saved.key) ? saved.key : randomBytes(16).toString('hex');
    this.checksummed = info.checksum !== undefined;
    // Small files ride in the creation POST, held whole: at most one read piece.
    const inPost = Math.min(this.chunkSize, STREAM_PIECE_BYTES);
    this.deferCreation =
      tus.options.creationWithUpload !== false && info.extensions.has('creation-with-upload') && file.size > 0 && file.size <= inPost;
    this.stream =
      !this.deferCreation && file.size > 0
        ? {
            // Ferry's receiver checks the whole file's SHA-256 before it files it: one hash of
            // every byte on each side, instead of a second one per request.
            ...(tus.options.ferryReceiver
              ? { requestBytes: this.chunkSize, fileSha256: true }
              : info.checksum
                ? { requestBytes: Math.min(this.chunkSize, CHECKSUMMED_REQUEST_BYTES), checksum: info.checksum }
                : { requestBytes: this.chunkSize }),
            position: (signal) => this.position(signal),
            append: (...args) => this.append(...args),
          }
        : undefined;
  }

  private op(what: string): string {
    return `upload(tus ${what} ${this.file.relativePath})`;
  }

  async resumeOffset(signal: AbortSignal): Promise<number> {
    if (this.url && (await this.head(signal)) !== 'gone') return this.offset;
    this.url = null;
    if (this.deferCreation) {
      this.offset = 0;
      return 0;
    }
    await this.create(signal, undefined);
    return this.offset;
  }

  hasChunk(offset: number, length: number): boolean {
    return this.url !== null && this.known && offset + length <= this.offset;
  }

  async sendChunk(chunk: OutgoingChunk, signal: AbortSignal): Promise<void> {
    const end = chunk.offset + chunk.bytes.length;
    if (!this.url) await this.create(signal, this.deferCreation && chunk.offset === 0 ? chunk : undefined);
    for (let conflicts = 0; ; ) {
      if (!this.known && (await this.head(signal)) === 'gone') throw this.gone('HEAD');
      if (this.offset >= end) return;
      if (this.offset < chunk.offset) {
        throw remoteError(`${this.op(`PATCH at ${chunk.offset}`)}: server holds only ${this.offset} bytes`, { retriable: true, restart: true });
      }
      const from = this.offset;
      const answer = await this.patch(chunk, from, signal);
      if (this.patchAnswer(answer, from, end, this.op(`PATCH at ${from}`)) === 'conflict' && ++conflicts > 3) {
        throw remoteError(`${this.op(`PATCH at ${from}`)}: server answered 409 ${conflicts} times in a row`, { status: 409, retriable: true });
      }
    }
  }

  /**
   * Applies a PATCH answer: `moved` (the offset advanced), or `conflict` (409: our offset was stale,
   * after a lost answer or another writer; the next step asks the server). Anything else throws.
   */
  private patchAnswer(answer: HttpAnswer, from: number, end: number, op: string): 'moved' | 'conflict' {
    if (answer.status === 204 || answer.status === 200) {
      const next = numberHeader(answer, 'Upload-Offset', op);
      if (next <= from || next > end) {
        throw remoteError(`${op}: server answered Upload-Offset ${next} after ${end - from} bytes sent from ${from}`, {
          status: answer.status,
          retriable: next <= from,
        });
      }
      this.offset = next;
      this.known = true;
      this.noteAnswer(answer);
      return 'moved';
    }
    if (answer.status === 409) return 'conflict';
    if (answer.status === 404 || answer.status === 410) throw this.gone(`PATCH at ${from}`, answer.status);
    if (answer.status === 460) throw remoteError(`${op}: server answered 460, checksum mismatch; the chunk was discarded`, { status: 460, retriable: true });
    throw unexpected(op, answer);
  }

  /** The server's offset; a HEAD when the last exchange left it unsure. */
  private async position(signal: AbortSignal): Promise<number> {
    if (!this.known && (await this.head(signal)) === 'gone') throw this.gone('HEAD');
    return this.offset;
  }

  /** One PATCH of `length` bytes streamed from `body`, with its Upload-Checksum when the server checks one. */
  private async append(from: number, length: number, body: AsyncIterable<Buffer>, signal: AbortSignal, digest?: Buffer, fileSha256?: string): Promise<number> {
    const op = this.op(`PATCH at ${from}`);
    const headers: Record<string, string | number> = { 'Upload-Offset': from, 'Content-Type': 'application/offset+octet-stream', 'Content-Length': length };
    if (this.stream?.checksum) {
      if (!digest) throw new FerryError('INTERNAL', `${op}: the server checks ${this.info.checksum} per request, and no digest was given`);
      headers['Upload-Checksum'] = `${this.stream.checksum} ${digest.toString('base64')}`;
    }
    if (this.stream?.fileSha256 && from + length === this.file.size) {
      if (!fileSha256) throw new FerryError('INTERNAL', `${op}: the request that ends the file goes with the file's SHA-256, and none was given`);
      headers[FILE_SHA256_HEADER] = fileSha256;
    }
    this.known = false;
    const answer = await this.tus.http.request(op, { method: 'PATCH', url: this.url!, headers: this.tus.headers(headers), body, signal });
    if (answer.status === 460 && headers[FILE_SHA256_HEADER] !== undefined) {
      this.url = null;
      throw remoteError(`${op}: the receiver stored bytes whose SHA-256 is not the file's, and discarded them; the file is sent anew`, {
        status: 460,
        retriable: true,
        restart: true,
      });
    }
    if (this.patchAnswer(answer, from, from + length, op) === 'conflict') {
      throw remoteError(`${op}: server answered 409, it holds a different offset`, { status: 409, retriable: true });
    }
    return this.offset;
  }

  private patch(chunk: OutgoingChunk, from: number, signal: AbortSignal): Promise<HttpAnswer> {
    const skip = from - chunk.offset;
    const headers: Record<string, string | number> = {
      'Upload-Offset': from,
      'Content-Type': 'application/offset+octet-stream',
      'Content-Length': chunk.bytes.length - skip,
    };
    if (this.info.checksum) headers['Upload-Checksum'] = `${this.info.checksum} ${this.digest(chunk, skip)}`;
    this.known = false;
    return this.tus.http.request(this.op(`PATCH at ${from}`), {
      method: 'PATCH',
      url: this.url!,
      headers: this.tus.headers(headers),
      body: chunk.body(signal, skip),
      signal,
    });
  }

  private digest(chunk: OutgoingChunk, skip: number): string {
    if (this.info.checksum === 'sha256' && skip === 0) return chunk.sha256().toString('base64');
    return createHash(this.info.checksum ?? 'sha256').update(chunk.bytes.subarray(skip)).digest('base64');
  }

  /** POST; with `chunk`, the first bytes ride along (creation-with-upload). */
  private async create(signal: AbortSignal, chunk: OutgoingChunk | undefined): Promise<void> {
    const op = this.op('POST');
    const metadata = {
      ...this.file.metadata,
      filename: this.file.name,
      relativePath: this.file.relativePath,
      ...(this.file.sha256 ? { sha256: this.file.sha256 } : {}),
      idempotencyKey: this.key,
    };
    const headers: Record<string, string | number> = { 'Upload-Length': this.file.size, 'Upload-Metadata': encodeTusMetadata(metadata) };
    if (chunk) {
      headers['Content-Type'] = 'application/offset+octet-stream';
      headers['Content-Length'] = chunk.bytes.length;
      // The server may check it (the built-in receiver does); not every one does on a POST, so the
      // upload does not count as checksummed on that ground alone.
      if (this.info.checksum) headers['Upload-Checksum'] = `${this.info.checksum} ${this.digest(chunk, 0)}`;
      this.checksummed = false;
    }
    const answer = await this.tus.http.request(op, {
      method: 'POST',
      url: this.tus.endpoint,
      headers: this.tus.headers(headers),
      ...(chunk ? { body: chunk.body(signal) } : {}),
      signal,
    });
    if (answer.status === 413) throw remoteError(`${op}: server refuses ${this.file.size} bytes (413)`, { status: 413 });
    if (answer.status !== 201 && answer.status !== 200) throw unexpected(op, answer);
    const url = createdUrl(answer, this.tus.endpoint, op);
    this.url = url;
    this.noteAnswer(answer);
    if (!chunk) {
      this.offset = 0;
      this.known = true;
    } else if (header(answer.headers, 'upload-offset') !== undefined) {
      this.offset = numberHeader(answer, 'Upload-Offset', op);
      this.known = this.offset <= this.file.size;
    } else {
      this.known = false;
    }
  }

  /** Learns the server's offset; 'gone' when the upload expired or was removed (404, 410). */
  private async head(signal: AbortSignal): Promise<number | 'gone'> {
    const op = this.op('HEAD');
    const answer = await this.tus.http.request(op, {
      method: 'HEAD',
      url: this.url!,
      headers: this.tus.headers({ 'Cache-Control': 'no-store' }),
      signal,
    });
    if (answer.status === 404 || answer.status === 410) return 'gone';
    if (answer.status !== 200 && answer.status !== 204) throw unexpected(op, answer);
    const offset = numberHeader(answer, 'Upload-Offset', op);
    const length = header(answer.headers, 'upload-length');
    if (length !== undefined && numberHeader(answer, 'Upload-Length', op) !== this.file.size) {
      throw new FerryError('CONFLICT', `${op}: the upload at ${this.url!.href} is ${length} bytes long, the file ${this.file.size}`);
    }
    if (offset > this.file.size) throw remoteError(`${op}: server claims ${offset} bytes of a ${this.file.size}-byte file`, { status: answer.status });
    this.offset = offset;
    this.known = true;
    this.noteAnswer(answer);
    return offset;
  }

  private gone(what: string, status?: number): FerryError {
    this.url = null;
    this.known = false;
    return remoteError(`${this.op(what)}: the upload is gone${status ? ` (${status})` : ''}, starting a new one`, {
      status,
      retriable: true,
      restart: true,
    });
  }

  private noteAnswer(answer: HttpAnswer): void {
    const expires = header(answer.headers, 'upload-expires');
    const at = expires ? Date.parse(expires) : NaN;
    if (Number.isFinite(at)) this.expiresAt = at;
    const stored = header(answer.headers, 'ferry-sha256');
    if (stored) this.storedSha256 = stored.trim().toLowerCase();
    const storedAs = header(answer.headers, 'ferry-stored-as');
    if (storedAs) {
      try {
        this.storedAs = decodeURIComponent(storedAs);
      } catch {
        // Not ours to fail on: the place is for people, the check is the SHA-256.
      }
    }
  }

  async finish(sha256: string, signal: AbortSignal): Promise<FinishResult> {
    if (!this.url) throw new FerryError('INTERNAL', `${this.op('finish')}: no upload was created`);
    if (!this.known || this.offset !== this.file.size) {
      const offset = await this.head(signal);
      if (offset === 'gone') throw this.gone('finish');
      if (offset !== this.file.size) {
        throw remoteError(`${this.op('finish')}: server holds ${offset} of ${this.file.size} bytes`, { retriable: true, restart: true });
      }
    }
    // Ferry's receiver hashes what it stored; any other tus server leaves us per-chunk checksums.
    if (this.storedSha256 !== undefined && this.storedSha256 !== sha256) {
      throw remoteError(`${this.op('finish')}: server stored SHA-256 ${this.storedSha256}, the file has ${sha256}`, { stored: this.storedSha256 });
    }
    const verified = this.storedSha256 !== undefined || (this.checksummed && this.file.size > 0) ? 'checksum' : 'size';
    // Where the file is (on Ferry's receiver, what it was filed as) says more than the upload URL.
    return { verified, location: this.storedAs ?? this.url.href };
  }

  async abort(signal: AbortSignal): Promise<void> {
    await this.tus.discard(this.saved(), signal);
    this.url = null;
    this.known = false;
  }

  saved(): SavedTusSession {
    return { protocol: 'tus', url: this.url?.href ?? null, ...(this.expiresAt !== undefined ? { expiresAt: this.expiresAt } : {}), key: this.key };
  }
}
