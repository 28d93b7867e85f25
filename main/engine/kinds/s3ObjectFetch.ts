import { createHash, type Hash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { mkdir, open, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { GetObjectCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { FerryError } from '../../../shared/errors';
import { s3Error } from '../upload/s3Protocol';
import { detailsOf, ioError, remoteError } from '../upload/transferErrors';

/** Where an object's bytes wait until they are checked: beside the file it becomes. */
export const PART_SUFFIX = '.ferry-part';
const BLOCK = 1024 * 1024;

/** An object's resume state, saved in its item's session after every block written. */
export interface ObjectSession {
  /** The ETag of the object the partial bytes came from (sent as If-Match on the next range). */
  etag: string;
  offset: number;
}

/** How an object's bytes were checked, shown per file and counted in the job's summary. */
export type ObjectCheck =
  /** The dataset's manifest-sha256.txt lists the file's SHA-256. */
  | 'manifest sha256'
  /** The store's full-object x-amz-checksum-sha256. */
  | 'store sha256'
  /** The ETag of an object sent in one part, which is the MD5 of its bytes. */
  | 'etag md5'
  /** Nothing to check against (a multipart ETag, no checksum, no manifest line): only the size. */
  | 'size only';

export interface FetchTarget {
  client: S3Client;
  bucket: string;
  key: string;
  /** The local file the object becomes. */
  file: string;
  /** The SHA-256 the dataset's manifest gives for it, if any. */
  expectedSha256: string | undefined;
}

export interface FetchHooks {
  signal: AbortSignal;
  /** Names the operation in messages. */
  op: string;
  saved: ObjectSession | undefined;
  /** Called after every block written (the session covers only written bytes). */
  onBlock(session: ObjectSession, bytes: number): void;
  /** Called when the fetch carries on from bytes already in the partial file. */
  onResume(offset: number): void;
  /** Called when bytes kept from before are thrown away (the object changed). */
  onRestart(why: string, dropped: number): void;
  /** Between blocks; blocks while the job is paused. */
  checkpoint(): Promise<void>;
}

export interface Fetched {
  size: number;
  sha256: string;
  check: ObjectCheck;
}

function permanent(err: FerryError): FerryError {
  return new FerryError(err.code, err.message, { ...((err.details as object | undefined) ?? {}), retriable: false });
}

/** Hex of a base64 SHA-256 of a whole object (not a composite `…-N` one), else undefined. */
function fullObjectSha256(checksum: string | undefined, type: string | undefined): string | undefined {
  if (!checksum || checksum.includes('-') || (type !== undefined && type !== 'FULL_OBJECT')) return undefined;
  const bytes = Buffer.from(checksum, 'base64');
  return bytes.length === 32 ? bytes.toString('hex') : undefined;
}

/** The MD5 an ETag is, for an object sent in one part (`"<32 hex>"`); multipart ETags end in `-N`. */
function etagMd5(etag: string): string | undefined {
  const m = /^"?([0-9a-fA-F]{32})"?$/.exec(etag);
  return m ? m[1]!.toLowerCase() : undefined;
}

/**
 * Fetches one object into its local file: HeadObject for the current ETag, size and stored
 * checksum; ranged GETs guarded by If-Match from the bytes already in the partial file; the bytes
 * hashed as they are written; then checked (manifest, store checksum, single-part ETag, in that
 * order) and renamed into place, so a file appears whole and checked or not at all. A mismatch
 * removes the partial file and throws a non-retriable REMOTE error.
 */
export class ObjectFetch {
  private fd: FileHandle | undefined;
  private sha = createHash('sha256');
  private md5: Hash = createHash('md5');
  private offset = 0;
  private etag = '';
  readonly part: string;

  constructor(
    private readonly target: FetchTarget,
    private readonly hooks: FetchHooks,
  ) {
    this.part = target.file + PART_SUFFIX;
  }

  /** One try: resumes from what is on disk, streams the rest, checks. Network failures throw retriable errors. */
  async run(): Promise<Fetched> {
    const { client, bucket, key } = this.target;
    const { signal, op } = this.hooks;
    let head;
    try {
      head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key, ChecksumMode: 'ENABLED' }), { abortSignal: signal });
    } catch (err) {
      const e = s3Error(`${op}: HeadObject`, err, signal);
      if (detailsOf(e)?.status === 404) throw permanent(remoteError(`${op}: the object is gone from the bucket`, { status: 404 }));
      throw e;
    }
    const size = head.ContentLength ?? 0;
    this.etag = head.ETag ?? '';
    try {
      await this.openPart(size);
      if (this.offset < size) await this.stream(size);
      await this.fd!.sync();
    } finally {
      await this.fd?.close().catch(() => undefined);
      this.fd = undefined;
    }
    return this.check(size, fullObjectSha256(head.ChecksumSHA256, head.ChecksumType));
  }

  /** Trusts only bytes both saved and present for the same ETag, and hashes them again. */
  private async openPart(size: number): Promise<void> {
    const { saved, op } = this.hooks;
    try {
      await mkdir(dirname(this.target.file), { recursive: true });
      const there = (await stat(this.part).catch(() => undefined))?.size ?? 0;
      let keep = saved && saved.etag === this.etag ? Math.min(saved.offset, there, size) : 0;
      if (saved && saved.offset > 0 && saved.etag !== this.etag) {
        this.hooks.onRestart(`the object changed in the bucket (ETag ${saved.etag} → ${this.etag})`, saved.offset);
        keep = 0;
      }
      this.fd = await open(this.part, keep > 0 ? 'r+' : 'w');
      if (there > keep) await this.fd.truncate(keep);
      const buf = Buffer.allocUnsafe(BLOCK);
      for (let pos = 0; pos < keep; ) {
        const { bytesRead } = await this.fd.read(buf, 0, Math.min(BLOCK, keep - pos), pos);
        if (bytesRead === 0) throw new Error(`unexpected end of ${this.part} at byte ${pos}`);
        this.sha.update(buf.subarray(0, bytesRead));
        this.md5.update(buf.subarray(0, bytesRead));
        pos += bytesRead;
      }
      this.offset = keep;
      if (keep > 0) this.hooks.onResume(keep);
    } catch (err) {
      throw permanent(ioError(`${op}: open ${this.part}`, err));
    }
  }

  private async stream(size: number): Promise<void> {
    const { client, bucket, key } = this.target;
    const { signal, op } = this.hooks;
    let got;
    try {
      got = await client.send(
        new GetObjectCommand({ Bucket: bucket, Key: key, Range: `bytes=${this.offset}-${size - 1}`, ...(this.etag ? { IfMatch: this.etag } : {}) }),
        { abortSignal: signal },
      );
    } catch (err) {
      const e = s3Error(`${op}: GET bytes ${this.offset}-`, err, signal);
      // Changed between the HEAD and the GET: the next try starts over with the new ETag.
      if (detailsOf(e)?.status === 412) throw remoteError(`${op}: the object changed while it was read`, { retriable: true, status: 412 });
      throw e;
    }
    const body = got.Body as Readable | undefined;
    if (!body) throw remoteError(`${op}: the server sent no body`, { retriable: true });
    const destroy = () => body.destroy();
    signal.addEventListener('abort', destroy, { once: true });
    const pending: Buffer[] = [];
    let pendingBytes = 0;
    try {
      for await (const chunk of body as AsyncIterable<Buffer>) {
        pending.push(chunk);
        pendingBytes += chunk.length;
        if (pendingBytes >= BLOCK) {
          await this.write(Buffer.concat(pending, pendingBytes));
          pending.length = 0;
          pendingBytes = 0;
          await this.hooks.checkpoint();
        }
      }
    } catch (err) {
      throw s3Error(`${op}: GET body at byte ${this.offset + pendingBytes}`, err, signal);
    } finally {
      signal.removeEventListener('abort', destroy);
      body.destroy();
      // Bytes that arrived before a break are good: kept.
      if (pendingBytes > 0) await this.write(Buffer.concat(pending, pendingBytes));
    }
    if (this.offset < size) throw remoteError(`${op}: the connection closed at byte ${this.offset} of ${size}`, { retriable: true });
    if (this.offset > size) throw remoteError(`${op}: the server sent more than ${size} bytes`, { retriable: false });
  }

  private async write(block: Buffer): Promise<void> {
    try {
      for (let done = 0; done < block.length; ) {
        const { bytesWritten } = await this.fd!.write(block, done, block.length - done, this.offset + done);
        done += bytesWritten;
      }
    } catch (err) {
      const e = ioError(`${this.hooks.op}: write ${this.part}`, err);
      throw detailsOf(e)?.retriable === true ? e : permanent(e);
    }
    this.sha.update(block);
    this.md5.update(block);
    this.offset += block.length;
    this.hooks.onBlock({ etag: this.etag, offset: this.offset }, block.length);
  }

  private async check(size: number, storeSha256: string | undefined): Promise<Fetched> {
    const { op } = this.hooks;
    const sha256 = this.sha.digest('hex');
    const md5 = this.md5.digest('hex');
    const expected = this.target.expectedSha256;
    let check: ObjectCheck = 'size only';
    let mismatch: string | undefined;
    if (expected) {
      check = 'manifest sha256';
      if (expected !== sha256) mismatch = `SHA-256 ${sha256}, the manifest says ${expected}`;
    } else if (storeSha256) {
      check = 'store sha256';
      if (storeSha256 !== sha256) mismatch = `SHA-256 ${sha256}, the store's checksum says ${storeSha256}`;
    } else if (etagMd5(this.etag)) {
      check = 'etag md5';
      if (etagMd5(this.etag) !== md5) mismatch = `MD5 ${md5}, the ETag says ${etagMd5(this.etag)}`;
    }
    if (mismatch) {
      await rm(this.part, { force: true });
      throw remoteError(`${op}: ${mismatch} (by ${check}); the partial file was removed`, { retriable: false, mismatch: true, check });
    }
    try {
      await rename(this.part, this.target.file);
    } catch (err) {
      throw permanent(ioError(`${op}: rename ${this.part} to ${this.target.file}`, err));
    }
    return { size, sha256, check };
  }
}
