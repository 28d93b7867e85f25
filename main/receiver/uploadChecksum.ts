import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash, type Hash } from 'node:crypto';
import type http from 'node:http';
import { FILE_SHA256_HEADER } from '../../shared/receiverBatch';
import { CHECKSUM_MISMATCH, HttpError } from './httpError';

/**
 * The tus checksum extension: a PATCH (or a creation POST with its first bytes) may carry
 * `Upload-Checksum: sha256 <base64 digest>` of its body; the receiver appends the body only when
 * the bytes hash to it, and answers 460 otherwise, so a bad byte costs that one request.
 *
 * @tus/server has no checksum support and hands the store a body stream without its request, so
 * the expected digest travels with the request's async context (AsyncLocalStorage) from the HTTP
 * handler to the store's write.
 */

/** Offered in `Tus-Checksum-Algorithm`. */
export const CHECKSUM_ALGORITHMS = ['sha256'] as const;
export type ChecksumAlgorithm = (typeof CHECKSUM_ALGORITHMS)[number];

export interface ExpectedChecksum {
  algorithm: ChecksumAlgorithm;
  digest: Buffer;
}

const SHA256_BYTES = 32;
const expected = new AsyncLocalStorage<ExpectedChecksum | undefined>();

/**
 * The request's Upload-Checksum, or undefined when it has none. A malformed header, or an
 * algorithm not offered, is a 400 (as the extension says) before any byte is read.
 */
export function requestChecksum(req: http.IncomingMessage): ExpectedChecksum | undefined {
  const raw = req.headers['upload-checksum'];
  if (raw === undefined) return undefined;
  const value = Array.isArray(raw) ? raw.join(',') : raw;
  const match = /^\s*(\S+) ([A-Za-z0-9+/]+={0,2})\s*$/.exec(value);
  if (!match) throw new HttpError(400, 'Bad Request: Upload-Checksum must be "<algorithm> <base64 digest>"');
  const algorithm = match[1]!.toLowerCase();
  if (!(CHECKSUM_ALGORITHMS as readonly string[]).includes(algorithm)) {
    throw new HttpError(400, `Bad Request: checksum algorithm ${JSON.stringify(algorithm)} is not supported (Tus-Checksum-Algorithm: ${CHECKSUM_ALGORITHMS.join(',')})`);
  }
  const digest = Buffer.from(match[2]!, 'base64');
  if (digest.length !== SHA256_BYTES) throw new HttpError(400, `Bad Request: a sha256 Upload-Checksum is ${SHA256_BYTES} bytes, this one ${digest.length}`);
  return { algorithm: algorithm as ChecksumAlgorithm, digest };
}

/** Runs `handle` (the tus handling of one request) with that request's expected checksum in reach of the store. */
export function withChecksum<T>(checksum: ExpectedChecksum | undefined, handle: () => T): T {
  return expected.run(checksum, handle);
}

/**
 * What a store write checks its body against: `update` with every byte appended, then `verify`
 * once the body is in; undefined when the request carried no checksum.
 */
export function bodyCheck(operation: string): { update(bytes: Buffer): void; verify(): HttpError | undefined } | undefined {
  const want = expected.getStore();
  if (!want) return undefined;
  const hash: Hash = createHash(want.algorithm);
  return {
    update: (bytes) => void hash.update(bytes),
    verify: () =>
      hash.digest().equals(want.digest)
        ? undefined
        : new HttpError(CHECKSUM_MISMATCH, `Checksum Mismatch: ${operation}: the body does not hash to its Upload-Checksum; nothing was appended`),
  };
}

const HEX_SHA256 = /^[0-9a-f]{64}$/;

/**
 * The whole file's SHA-256 a request carries in FILE_SHA256_HEADER (`raw`, the header's value;
 * checked before filing when a PATCH completes the upload), or undefined; a malformed one is a
 * 400 before any byte is read.
 */
export function fileSha256Header(raw: string | string[] | null | undefined): string | undefined {
  if (raw === undefined || raw === null) return undefined;
  const value = (Array.isArray(raw) ? raw.join(',') : raw).trim().toLowerCase();
  if (!HEX_SHA256.test(value)) throw new HttpError(400, `Bad Request: ${FILE_SHA256_HEADER} must be 64 hexadecimal digits (the file's SHA-256)`);
  return value;
}
