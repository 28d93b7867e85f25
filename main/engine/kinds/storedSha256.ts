import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { stat } from 'node:fs/promises';
import { GetObjectCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { FerryError } from '../../../shared/errors';
import { sha256File } from '../../util/sha256File';
import type { ResolvedDestination } from '../destinations/protocolFactory';
import type { UploadProtocol } from '../upload/protocol';
import { S3Protocol } from '../upload/s3Protocol';
import { TusProtocol } from '../upload/tusProtocol';
import { header } from '../upload/tusWire';
import { networkError, remoteError, retriableStatus } from '../upload/transferErrors';
import { describeUrl, httpGet } from './httpGet';

/**
 * Establishes the SHA-256 of the bytes a destination stores for one file, never from Ferry's own
 * records and never from the size alone: a full-object SHA-256 the server computed from the bytes
 * where it offers one, otherwise the bytes read back and hashed here.
 */

/** How the stored file's SHA-256 was learned; shown per file in the verify log. */
export type VerifyMethod =
  /** The stored bytes, read back and hashed by Ferry (a local file, ranged GETs, a tus GET). */
  | 'read-back sha256'
  /** S3's ChecksumSHA256 of type FULL_OBJECT, which S3 computed from the bytes it stored. */
  | 'server full-object sha256'
  /** A Ferry receiver's Ferry-Sha256, computed from the bytes it received and filed. */
  | 'receiver sha256';

export type Stored =
  | { kind: 'sha256'; sha256: string; method: VerifyMethod }
  | { kind: 'missing' }
  /** The size differs: no need to read a byte. */
  | { kind: 'size'; size: number }
  /** The destination offers no way to learn the stored bytes' SHA-256. */
  | { kind: 'unverifiable'; why: string };

export interface ReadOptions {
  signal: AbortSignal;
  /** Called between ranges: blocks while the job is paused (the hash so far stays in memory). */
  checkpoint: () => Promise<void>;
  /** Told about bytes read back, for progress. */
  onBytes?: (bytes: number) => void;
}

/** Ranged GETs of this size, this many at once; hashed in order, so memory is their product. */
export const READ_RANGE_BYTES = 8 * 1024 * 1024;
export const READ_PARALLEL = 4;

/** A file on this computer (a folder destination, or the built-in receiver's storage). */
export async function localSha256(path: string, size: number, signal: AbortSignal): Promise<Stored> {
  const info = await stat(path).catch(() => undefined);
  if (!info?.isFile()) return { kind: 'missing' };
  if (info.size !== size) return { kind: 'size', size: info.size };
  return { kind: 'sha256', sha256: await sha256File(path, signal), method: 'read-back sha256' };
}

const statusOf = (err: unknown) => (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;

/**
 * An S3 object: HeadObject asks for the stored checksum; only a FULL_OBJECT SHA-256 says what the
 * bytes are (a COMPOSITE one, `…-N` of a multipart upload, hashes the part digests, not the
 * object). Otherwise the object is read back with ranged GETs in parallel and hashed in order.
 */
export async function s3Sha256(client: S3Client, bucket: string, key: string, size: number, options: ReadOptions): Promise<Stored> {
  const where = `s3://${bucket}/${key}`;
  const { signal } = options;
  let head;
  try {
    head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key, ChecksumMode: 'ENABLED' }), { abortSignal: signal });
  } catch (err) {
    if (statusOf(err) === 404) return { kind: 'missing' };
    throw s3ReadError(`verify(HeadObject ${where})`, err, signal);
  }
  if (head.ContentLength !== size) return { kind: 'size', size: head.ContentLength ?? 0 };
  if (head.ChecksumType === 'FULL_OBJECT' && head.ChecksumSHA256 && !head.ChecksumSHA256.includes('-')) {
    return { kind: 'sha256', sha256: Buffer.from(head.ChecksumSHA256, 'base64').toString('hex'), method: 'server full-object sha256' };
  }
  const hash = createHash('sha256');
  // One controller for the ranges in flight: the first failure stops the others.
  const ranges = new AbortController();
  const stop = () => ranges.abort();
  signal.addEventListener('abort', stop, { once: true });
  const fetchRange = async (start: number): Promise<Buffer> => {
    const end = Math.min(size, start + READ_RANGE_BYTES);
    const op = `verify(GET ${where} bytes ${start}-${end - 1})`;
    try {
      const got = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key, Range: `bytes=${start}-${end - 1}` }), { abortSignal: ranges.signal });
      const bytes = Buffer.from(await got.Body!.transformToByteArray());
      if (bytes.length !== end - start) throw remoteError(`${op}: server sent ${bytes.length} bytes`, { retriable: true });
      return bytes;
    } catch (err) {
      throw s3ReadError(op, err, signal);
    }
  };
  const inFlight: Promise<Buffer>[] = [];
  try {
    for (let next = 0, hashed = 0; hashed < size; ) {
      while (inFlight.length < READ_PARALLEL && next < size) {
        await options.checkpoint();
        const range = fetchRange(next);
        range.catch(() => undefined); // awaited in order below; one failing early must not go unhandled
        inFlight.push(range);
        next += READ_RANGE_BYTES;
      }
      const bytes = await inFlight.shift()!;
      hash.update(bytes);
      hashed += bytes.length;
      options.onBytes?.(bytes.length);
    }
  } finally {
    ranges.abort();
    signal.removeEventListener('abort', stop);
  }
  return { kind: 'sha256', sha256: hash.digest('hex'), method: 'read-back sha256' };
}

function s3ReadError(op: string, err: unknown, signal: AbortSignal): FerryError {
  if (err instanceof FerryError) return err;
  const status = statusOf(err);
  if (status === undefined) return networkError(op, err, signal);
  return remoteError(`${op}: server answered ${status}: ${(err as Error).message}`, { status, retriable: retriableStatus(status) });
}

/**
 * A tus upload: a Ferry receiver answers HEAD with the SHA-256 of what it filed; other servers
 * are read back with GET where they allow it (@tus/server and tusd do for finished uploads).
 * A server that allows neither cannot be verified from here, and says so.
 */
export async function tusSha256(tus: TusProtocol, url: URL, size: number, options: ReadOptions): Promise<Stored> {
  const { signal } = options;
  const headOp = `verify(tus HEAD ${describeUrl(url)})`;
  const answer = await tus.http.request(headOp, { method: 'HEAD', url, headers: tus.headers({ 'Cache-Control': 'no-store' }), signal });
  if (answer.status === 404 || answer.status === 410) return { kind: 'missing' };
  if (retriableStatus(answer.status)) throw remoteError(`${headOp}: server answered ${answer.status}`, { status: answer.status, retriable: true });
  const length = header(answer.headers, 'upload-length');
  if (answer.status < 300 && length !== undefined && Number(length) !== size) return { kind: 'size', size: Number(length) };
  const filed = header(answer.headers, 'ferry-sha256')?.trim().toLowerCase();
  if (filed && /^[0-9a-f]{64}$/.test(filed)) return { kind: 'sha256', sha256: filed, method: 'receiver sha256' };

  const getOp = `verify(tus GET ${describeUrl(url)})`;
  const headers = Object.fromEntries(Object.entries(tus.headers()).map(([k, v]) => [k, String(v)]));
  const got = await httpGet(url, { op: getOp, headers, rangeHeaders: {}, signal, idleTimeoutMs: 120_000, maxRedirects: 3 });
  const status = got.res.statusCode ?? 0;
  if (status !== 200) {
    got.res.destroy();
    if (status === 404 || status === 410) return { kind: 'missing' };
    if (retriableStatus(status)) throw remoteError(`${getOp}: server answered ${status}`, { status, retriable: true });
    return { kind: 'unverifiable', why: `the server answered GET with ${status}: it does not let uploads be read back, and offers no checksum of what it stored` };
  }
  const hash = createHash('sha256');
  let read = 0;
  try {
    for await (const piece of got.res) {
      hash.update(piece as Buffer);
      read += (piece as Buffer).length;
      options.onBytes?.((piece as Buffer).length);
    }
  } catch (err) {
    throw networkError(getOp, err, signal);
  }
  if (read !== size) return { kind: 'size', size: read };
  return { kind: 'sha256', sha256: hash.digest('hex'), method: 'read-back sha256' };
}

/** A file of a dataset as Ferry's records place it at the destination. */
export type StoredFile = { relative_path: string; size: number; location: string | null };

/**
 * The stored bytes' SHA-256 of one file of a dataset, by the best method its destination offers.
 */
/** Where the receiver filed a file: what it answered, or (older records, lost answers) where it would. */
function filedAs(f: StoredFile, dataset: string): string {
  return receiverFiled(f.location) ?? `${dataset}/${f.relative_path}`;
}

/** A receiver's answer of where it filed a file (`<dataset>/<path>`, maybe `name (n).ext`), if the location is one. */
export function receiverFiled(location: string | null): string | undefined {
  if (!location || /^[a-z][a-z0-9+.-]*:/i.test(location)) return undefined;
  return location.split('/').every((s) => s !== '' && s !== '.' && s !== '..') ? location : undefined;
}

export async function storedFor(
  dest: ResolvedDestination,
  protocol: UploadProtocol | undefined,
  dataset: string,
  f: StoredFile,
  receiverDir: string | undefined,
  options: ReadOptions,
): Promise<Stored> {
  switch (dest.kind) {
    case 'receiver':
      if (!receiverDir) return { kind: 'unverifiable', why: 'the built-in receiver is not running here' };
      // The receiver files a name taken by other bytes as `name (n).ext`, and says so.
      return localSha256(join(receiverDir, ...filedAs(f, dataset).split('/')), f.size, options.signal);
    case 'folder':
      return localSha256(join(dest.config.path, dataset, ...f.relative_path.split('/')), f.size, options.signal);
    case 's3': {
      if (!(protocol instanceof S3Protocol)) throw new FerryError('INTERNAL', `verify(${dest.name}): not an S3 destination`);
      // The location says exactly where the object went; older records fall back to the key rule.
      const prefix = `s3://${dest.config.bucket}/`;
      const key = f.location?.startsWith(prefix) ? f.location.slice(prefix.length) : `${dest.config.prefix}${dataset}/${f.relative_path}`;
      return s3Sha256(protocol.client, dest.config.bucket, key, f.size, options);
    }
    case 'tus': {
      if (!(protocol instanceof TusProtocol)) throw new FerryError('INTERNAL', `verify(${dest.name}): not a tus destination`);
      const url = uploadUrl(f.location);
      if (!url) return { kind: 'unverifiable', why: 'no upload address was recorded for it (the server filed it under a name, not a URL)' };
      return tusSha256(protocol, url, f.size, options);
    }
  }
}

function uploadUrl(location: string | null): URL | undefined {
  try {
    const url = location ? new URL(location) : undefined;
    return url && (url.protocol === 'http:' || url.protocol === 'https:') ? url : undefined;
  } catch {
    return undefined;
  }
}
