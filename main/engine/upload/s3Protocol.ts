import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListPartsCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { FerryError, invalidInput } from '../../../shared/errors';
import { createLogger } from '../util/logger';
import type { FinishResult, OutgoingChunk, S3SavedPart, SavedS3Session, SavedSession, UploadFileInfo, UploadProtocol, UploadSession } from './protocol';
import { checkRelativePath } from '../../../shared/storedPath';
import { canceledError, detailsOf, networkError, remoteError, retriableStatus } from './transferErrors';

const log = createLogger('upload/s3');

const MiB = 1024 * 1024;
export const S3_MIN_PART = 5 * MiB;
export const S3_MAX_PART = 5 * 1024 * MiB;
export const S3_MAX_PARTS = 10_000;
/** ListParts answers at most this many parts per page. */
const LIST_PAGE = 1000;
/**
 * How much earlier than our clock says a lost CreateMultipartUpload may look in the server's
 * Initiated time (clock skew): uploads of the key initiated since then are taken for ours.
 */
const CREATE_SKEW_MS = 5 * 60_000;

export interface S3Options {
  bucket: string;
  /** Put before the relative path to form the key, e.g. `incoming/2024/`. */
  prefix?: string;
  region?: string;
  endpoint?: string;
  forcePathStyle?: boolean;
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** Preferred part size (raised to fit 10 000 parts and the 5 MiB minimum). Default 16 MiB. */
  partSize?: number;
  /** Parts in flight per file. Default 4. */
  maxParallel?: number;
  /** Socket idle timeout. */
  timeoutMs?: number;
  /** A ready client (shared across destinations, or configured differently). */
  client?: S3Client;
}

/**
 * The part size for a file: at least the preferred size and 5 MiB, large enough that the file
 * fits in 10 000 parts, rounded up to whole MiB. A file that would need parts over 5 GiB cannot
 * go as one S3 object.
 */
export function choosePartSize(size: number, preferred = 16 * MiB): number {
  const part = Math.ceil(Math.max(preferred, S3_MIN_PART, Math.ceil(size / S3_MAX_PARTS)) / MiB) * MiB;
  if (part > S3_MAX_PART) throw invalidInput(`upload(s3): ${size} bytes need parts over 5 GiB; too large for one S3 object`);
  return part;
}

/** S3 user metadata travels in headers: ASCII only, so other values are percent-encoded. */
function s3Metadata(file: UploadFileInfo): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries({ ...file.metadata, ...(file.sha256 ? { sha256: file.sha256 } : {}) })) {
    if (!/^[A-Za-z0-9._-]+$/.test(key)) throw invalidInput(`upload(s3): metadata key ${JSON.stringify(key)} must be letters, digits, '.', '_' or '-'`);
    out[key] = /^[\x20-\x7e]*$/.test(value) ? value : encodeURIComponent(value);
  }
  return out;
}

/** Maps an SDK failure to a FerryError: status and S3 code in details, 5xx/throttling retriable. */
export function s3Error(op: string, err: unknown, signal: AbortSignal): FerryError {
  if (err instanceof FerryError) return err;
  if (signal.aborted) return canceledError(op);
  const e = err as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const status = e.$metadata?.httpStatusCode;
  if (status === undefined) return networkError(op, err, signal);
  const code = e.name ?? 'Error';
  const retriable = retriableStatus(status) || code === 'SlowDown' || code === 'RequestTimeout';
  return remoteError(`${op}: server answered ${status} ${code}${e.message ? `: ${e.message}` : ''}`, { status, code, retriable });
}

const codeOf = (err: unknown) => detailsOf(err)?.code;
const isNoSuchUpload = (err: unknown) => codeOf(err) === 'NoSuchUpload';
/** s3rver and some gateways lack ListParts/AbortMultipartUpload (405 MethodNotAllowed, 501). */
const isUnsupported = (err: unknown) => {
  const status = detailsOf(err)?.status;
  return status === 405 || status === 501 || codeOf(err) === 'NotImplemented' || codeOf(err) === 'MethodNotAllowed';
};

/** The SDK logs a failed command as an object holding its input (part bodies too); a log line wants the gist. */
function describeSdkLog(entry: unknown): string {
  if (typeof entry === 'string') return entry;
  if (entry instanceof Error) return entry.message;
  const failed = entry as { commandName?: unknown; error?: { name?: unknown; code?: unknown; message?: unknown } } | null;
  if (typeof failed?.commandName === 'string') {
    const why = [failed.error?.code, failed.error?.name, failed.error?.message].filter((w) => typeof w === 'string' && w).join(' ');
    return `${failed.commandName} failed${why ? `: ${why}` : ''}`;
  }
  return String(entry);
}

/**
 * The SDK warns on the console whenever a streamed body fails, which is every cancel and every
 * failure our own retry policy then handles: that one goes to debug, the rest to our log. Its
 * errors are failed commands, which the session reports itself.
 */
const sdkLogger = {
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: (...args: unknown[]) =>
    String(args[0]).includes('non-retryable streaming request') ? log.debug(String(args[0])) : log.warn(String(args[0]), ...args.slice(1)),
  // A failed command is reported (and retried) by the session that sent it: here it is detail.
  error: (...args: unknown[]) => log.debug(describeSdkLog(args[0])),
};

/** The composite checksum S3 reports for a multipart object: SHA-256 of the part digests, `-N`. */
export function compositeSha256(parts: readonly S3SavedPart[]): string | undefined {
  if (parts.some((p) => !p.ChecksumSHA256)) return undefined;
  const hash = createHash('sha256');
  for (const part of parts) hash.update(Buffer.from(part.ChecksumSHA256!, 'base64'));
  return `${hash.digest('base64')}-${parts.length}`;
}

/** An S3-compatible bucket: PutObject for files of one part, multipart with SHA-256 parts above. */
export class S3Protocol implements UploadProtocol {
  readonly kind = 's3' as const;
  readonly client: S3Client;
  private readonly warned = new Set<string>();

  constructor(readonly options: S3Options) {
    this.client =
      options.client ??
      new S3Client({
        region: options.region ?? 'us-east-1',
        ...(options.endpoint ? { endpoint: options.endpoint } : {}),
        forcePathStyle: options.forcePathStyle ?? false,
        ...(options.credentials ? { credentials: options.credentials } : {}),
        // One retry policy for the whole uploader (retry.ts); the SDK's own would double it.
        maxAttempts: 1,
        // We send x-amz-checksum-sha256 ourselves; the SDK default would add CRC32 trailers
        // (aws-chunked), which S3-compatible servers often reject.
        requestChecksumCalculation: 'WHEN_REQUIRED',
        responseChecksumValidation: 'WHEN_REQUIRED',
        logger: sdkLogger,
        requestHandler: {
          connectionTimeout: 30_000,
          socketTimeout: options.timeoutMs ?? 120_000,
          httpAgent: { keepAlive: true, maxSockets: 64 },
          httpsAgent: { keepAlive: true, maxSockets: 64 },
        },
      });
  }

  async begin(file: UploadFileInfo, saved: SavedSession | undefined, _signal: AbortSignal): Promise<UploadSession> {
    const key = (this.options.prefix ?? '') + checkRelativePath(file.relativePath, `upload(s3 ${file.relativePath})`);
    const prior = saved?.protocol === 's3' && saved.bucket === this.options.bucket && saved.key === key ? saved : undefined;
    const partSize = prior?.partSize ?? choosePartSize(file.size, this.options.partSize);
    return new S3Session(this, file, key, partSize, prior);
  }

  async discard(saved: SavedSession, signal: AbortSignal): Promise<void> {
    if (saved.protocol !== 's3' || !saved.uploadId) return;
    const op = `upload(s3 AbortMultipartUpload s3://${saved.bucket}/${saved.key})`;
    try {
      await this.client.send(new AbortMultipartUploadCommand({ Bucket: saved.bucket, Key: saved.key, UploadId: saved.uploadId }), { abortSignal: signal });
    } catch (caught) {
      const err = s3Error(op, caught, signal);
      if (isUnsupported(err)) throw remoteError(`${op}: not supported by the server; the parts stay until removed there`, detailsOf(err));
      if (!isNoSuchUpload(err)) throw err;
    }
  }

  /** DeleteObject of a finished file (S3 answers success for a key that is not there). */
  async remove(relativePath: string, signal: AbortSignal): Promise<void> {
    const key = (this.options.prefix ?? '') + checkRelativePath(relativePath, `delete(s3 ${relativePath})`);
    const op = `delete(s3 s3://${this.options.bucket}/${key})`;
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.options.bucket, Key: key }), { abortSignal: signal });
    } catch (caught) {
      throw s3Error(op, caught, signal);
    }
  }

  close(): void {
    if (!this.options.client) this.client.destroy();
  }

  /** A server's shortcomings are logged once per destination, not once per file. */
  warnOnce(what: string, message: string): void {
    if (this.warned.has(what)) return;
    this.warned.add(what);
    log.warn(message);
  }
}

class S3Session implements UploadSession {
  readonly chunkSize: number;
  readonly maxParallel: number;
  readonly saveBeforePass = true;
  private readonly single: boolean;
  private readonly bucket: string;
  private uploadId: string | null;
  /** SavedS3Session.creatingSince: set while a multipart file has no UploadId. */
  private creatingSince: number | undefined;
  /**
   * A CreateMultipartUpload may have made an upload whose UploadId never reached us: one failed
   * in this process, or an earlier process saved `creatingSince` and ended before saving an id.
   */
  private mayHaveLost: boolean;
  private readonly parts = new Map<number, S3SavedPart>();
  private checksumEchoed: boolean | undefined;

  constructor(
    private readonly s3: S3Protocol,
    private readonly file: UploadFileInfo,
    private readonly key: string,
    partSize: number,
    saved: SavedS3Session | undefined,
  ) {
    this.chunkSize = partSize;
    this.single = file.size <= partSize;
    this.maxParallel = this.single ? 1 : Math.max(1, s3.options.maxParallel ?? 4);
    this.bucket = s3.options.bucket;
    this.uploadId = saved?.uploadId ?? null;
    this.mayHaveLost = !this.single && !this.uploadId && saved?.creatingSince !== undefined;
    this.creatingSince = this.single || this.uploadId ? undefined : (saved?.creatingSince ?? Date.now());
    for (const part of saved?.parts ?? []) this.parts.set(part.PartNumber, { ...part });
  }

  /** The upload is gone (expired, aborted by a lifecycle rule): the next pass creates another. */
  private forgetUpload(): void {
    this.uploadId = null;
    this.parts.clear();
    this.creatingSince = Date.now();
  }

  private op(what: string): string {
    return `upload(s3 ${what} s3://${this.bucket}/${this.key})`;
  }

  private async call<T>(what: string, signal: AbortSignal, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (err) {
      throw s3Error(this.op(what), err, signal);
    }
  }

  private partLength(partNumber: number): number {
    return Math.min(this.chunkSize, this.file.size - (partNumber - 1) * this.chunkSize);
  }

  async resumeOffset(signal: AbortSignal): Promise<number> {
    if (!this.single) {
      if (this.uploadId) {
        try {
          await this.listParts(signal);
        } catch (err) {
          if (isNoSuchUpload(err)) {
            // A new pass, so that the state saved before it says a creation is under way.
            this.forgetUpload();
            throw remoteError(`${this.op('ListParts')}: the multipart upload is gone, starting a new one`, { retriable: true, restart: true });
          }
          if (isUnsupported(err)) this.s3.warnOnce('ListParts', `${this.op('ListParts')}: not supported by the server; resuming from the saved parts`);
          else throw err;
        }
      }
      if (!this.uploadId) await this.create(signal);
    }
    let next = 1;
    while (this.parts.has(next)) next++;
    return Math.min(this.file.size, (next - 1) * this.chunkSize);
  }

  /** Rebuilds the part list from the server, which is the truth about what it holds. */
  private async listParts(signal: AbortSignal): Promise<void> {
    const listed = new Map<number, S3SavedPart>();
    let marker: string | undefined;
    do {
      const page = await this.call('ListParts', signal, () =>
        this.s3.client.send(
          new ListPartsCommand({ Bucket: this.bucket, Key: this.key, UploadId: this.uploadId!, MaxParts: LIST_PAGE, PartNumberMarker: marker }),
          { abortSignal: signal },
        ),
      );
      for (const p of page.Parts ?? []) {
        if (!p.PartNumber || !p.ETag || p.Size !== this.partLength(p.PartNumber)) continue;
        const known = this.parts.get(p.PartNumber);
        // A part whose checksum differs from the one we sent is not ours (or is damaged): resend it.
        if (known?.ChecksumSHA256 && p.ChecksumSHA256 && known.ChecksumSHA256 !== p.ChecksumSHA256) continue;
        listed.set(p.PartNumber, { PartNumber: p.PartNumber, ETag: p.ETag, Size: p.Size, ChecksumSHA256: p.ChecksumSHA256 ?? known?.ChecksumSHA256 });
      }
      marker = page.IsTruncated ? page.NextPartNumberMarker : undefined;
    } while (marker);
    this.parts.clear();
    for (const [n, part] of listed) this.parts.set(n, part);
  }

  private async create(signal: AbortSignal): Promise<void> {
    if (this.mayHaveLost) await this.abortLost(signal);
    this.creatingSince ??= Date.now();
    this.mayHaveLost = true;
    const created = await this.call('CreateMultipartUpload', signal, () =>
      this.s3.client.send(
        new CreateMultipartUploadCommand({ Bucket: this.bucket, Key: this.key, ChecksumAlgorithm: 'SHA256', Metadata: s3Metadata(this.file) }),
        { abortSignal: signal },
      ),
    );
    if (!created.UploadId) throw remoteError(`${this.op('CreateMultipartUpload')}: server answered without an UploadId`);
    this.uploadId = created.UploadId;
    this.mayHaveLost = false;
    this.creatingSince = undefined;
    this.parts.clear();
  }

  /**
   * Aborts the multipart uploads of this key initiated since `creatingSince` (less the skew
   * margin): made by a creation whose answer never arrived, they would hold their parts (and
   * their storage cost) until a lifecycle rule removes them. A server without
   * ListMultipartUploads keeps them; that is said once in the log.
   */
  private async abortLost(signal: AbortSignal): Promise<void> {
    const since = (this.creatingSince ?? Date.now()) - CREATE_SKEW_MS;
    const lost: string[] = [];
    try {
      let keyMarker: string | undefined;
      let idMarker: string | undefined;
      do {
        const page = await this.call('ListMultipartUploads', signal, () =>
          this.s3.client.send(
            new ListMultipartUploadsCommand({ Bucket: this.bucket, Prefix: this.key, KeyMarker: keyMarker, UploadIdMarker: idMarker }),
            { abortSignal: signal },
          ),
        );
        for (const u of page.Uploads ?? []) {
          if (u.Key === this.key && u.UploadId && (!u.Initiated || u.Initiated.getTime() >= since)) lost.push(u.UploadId);
        }
        [keyMarker, idMarker] = page.IsTruncated ? [page.NextKeyMarker, page.NextUploadIdMarker] : [undefined, undefined];
      } while (keyMarker || idMarker);
    } catch (err) {
      if (!isUnsupported(err)) throw err;
      this.s3.warnOnce('ListMultipartUploads', `${this.op('ListMultipartUploads')}: not supported by the server; an upload whose creation answer was lost stays until removed there`);
      this.mayHaveLost = false;
      return;
    }
    for (const uploadId of lost) {
      await this.s3.discard({ ...this.saved(), uploadId }, signal);
      log.info(`${this.op('AbortMultipartUpload')}: aborted ${uploadId}, created by a request whose answer was lost`);
    }
    this.mayHaveLost = false;
  }

  hasChunk(offset: number, length: number): boolean {
    return this.parts.get(Math.floor(offset / this.chunkSize) + 1)?.Size === length;
  }

  async sendChunk(chunk: OutgoingChunk, signal: AbortSignal): Promise<void> {
    const partNumber = chunk.offset / this.chunkSize + 1;
    const length = chunk.bytes.length;
    if (!Number.isInteger(partNumber) || length !== this.partLength(partNumber)) {
      throw new FerryError('INTERNAL', `${this.op(`part at ${chunk.offset}`)}: chunk of ${length} bytes does not match the part size ${this.chunkSize}`);
    }
    const checksum = chunk.sha256().toString('base64');
    const body = Readable.from(chunk.body(signal), { objectMode: false });
    // On cancel the body fails after the SDK has let go of it; unheard, that error would crash
    // the process. The SDK call itself reports the failure.
    body.on('error', () => undefined);
    const common = {
      Bucket: this.bucket,
      Key: this.key,
      Body: body,
      ContentLength: length,
      ChecksumAlgorithm: 'SHA256' as const,
      ChecksumSHA256: checksum,
    };
    let answer: { ETag?: string; ChecksumSHA256?: string };
    if (this.single) {
      answer = await this.call('PutObject', signal, () =>
        this.s3.client.send(new PutObjectCommand({ ...common, Metadata: s3Metadata({ ...this.file, sha256: chunk.sha256().toString('hex') }) }), {
          abortSignal: signal,
        }),
      );
    } else {
      if (!this.uploadId) throw remoteError(`${this.op(`part ${partNumber}`)}: no multipart upload`, { retriable: true, restart: true });
      const uploadId = this.uploadId;
      try {
        answer = await this.call(`part ${partNumber}`, signal, () =>
          this.s3.client.send(new UploadPartCommand({ ...common, UploadId: uploadId, PartNumber: partNumber }), { abortSignal: signal }),
        );
      } catch (err) {
        if (!isNoSuchUpload(err)) throw err;
        // Expired or aborted by a lifecycle rule: start a new upload (the engine asks resumeOffset again).
        if (this.uploadId === uploadId) this.forgetUpload();
        throw remoteError(`${this.op(`part ${partNumber}`)}: the multipart upload is gone, starting a new one`, { retriable: true, restart: true });
      }
    }
    if (!answer.ETag) throw remoteError(`${this.op(`part ${partNumber}`)}: server answered without an ETag`);
    this.noteChecksum(answer.ChecksumSHA256, checksum, partNumber);
    this.parts.set(partNumber, { PartNumber: partNumber, ETag: answer.ETag, ChecksumSHA256: checksum, Size: length });
  }

  /** Real S3 echoes the checksum it verified; s3rver ignores it (then we can only count bytes). */
  private noteChecksum(echoed: string | undefined, sent: string, partNumber: number): void {
    if (echoed !== undefined && echoed !== sent) {
      throw remoteError(`${this.op(`part ${partNumber}`)}: server computed SHA-256 ${echoed}, we sent ${sent}`, { retriable: true });
    }
    if (echoed === undefined) {
      this.s3.warnOnce('checksum', `${this.op('checksum')}: server does not confirm x-amz-checksum-sha256; parts are checked by size only`);
    }
    this.checksumEchoed = (this.checksumEchoed ?? true) && echoed !== undefined;
  }

  async finish(_sha256: string, signal: AbortSignal): Promise<FinishResult> {
    const location = `s3://${this.bucket}/${this.key}`;
    const count = Math.max(1, Math.ceil(this.file.size / this.chunkSize));
    const parts = Array.from({ length: count }, (_, i) => this.parts.get(i + 1));
    const missing = parts.findIndex((p) => !p);
    if (missing >= 0) throw new FerryError('INTERNAL', `${this.op('finish')}: part ${missing + 1} of ${count} was never acknowledged`);
    if (this.single) return { verified: this.checksumEchoed ? 'checksum' : 'size', location };

    const done = parts as S3SavedPart[];
    let answer: { ChecksumSHA256?: string };
    try {
      answer = await this.call('CompleteMultipartUpload', signal, () =>
        this.s3.client.send(
          new CompleteMultipartUploadCommand({
            Bucket: this.bucket,
            Key: this.key,
            UploadId: this.uploadId!,
            MultipartUpload: { Parts: done.map(({ PartNumber, ETag, ChecksumSHA256 }) => ({ PartNumber, ETag, ChecksumSHA256 })) },
          }),
          { abortSignal: signal },
        ),
      );
    } catch (err) {
      // A retry after a lost answer finds the upload already completed: the object tells.
      if (!isNoSuchUpload(err)) throw err;
      const head = await this.call('HeadObject', signal, () =>
        this.s3.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.key }), { abortSignal: signal }),
      );
      if (head.ContentLength !== this.file.size) throw err;
      return { verified: 'size', location };
    }
    const expected = compositeSha256(done);
    if (answer.ChecksumSHA256 && expected && answer.ChecksumSHA256 !== expected) {
      throw remoteError(`${this.op('CompleteMultipartUpload')}: object checksum ${answer.ChecksumSHA256}, expected ${expected}`);
    }
    return { verified: answer.ChecksumSHA256 ? 'checksum' : 'size', location };
  }

  async abort(signal: AbortSignal): Promise<void> {
    await this.s3.discard(this.saved(), signal);
    // A cancel during a creation: its upload may exist without our knowing its id.
    if (!this.uploadId && this.mayHaveLost) await this.abortLost(signal);
    this.uploadId = null;
    this.parts.clear();
  }

  saved(): SavedS3Session {
    const parts = [...this.parts.values()].sort((a, b) => a.PartNumber - b.PartNumber).map((p) => ({ ...p }));
    return {
      protocol: 's3',
      bucket: this.bucket,
      key: this.key,
      uploadId: this.uploadId,
      partSize: this.chunkSize,
      parts,
      ...(this.creatingSince !== undefined ? { creatingSince: this.creatingSince } : {}),
    };
  }
}
