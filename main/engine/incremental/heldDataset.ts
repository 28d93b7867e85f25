import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { GetObjectCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { ResolvedDestination } from '../destinations/protocolFactory';
import { MANIFEST_NAME } from '../kinds/datasetFiles';
import type { UploadProtocol } from '../upload/protocol';
import { S3Protocol } from '../upload/s3Protocol';
import { networkError, remoteError, retriableStatus } from '../upload/transferErrors';
import { parseManifest } from './manifestText';

/**
 * What a destination holds of a dataset, read from the destination itself (its own
 * `manifest-sha256.txt`, its listing or file sizes), never from Ferry's records, so that it works
 * from another computer and after the database was lost.
 */
export type HeldDataset =
  | {
      readable: true;
      /** Whether the destination holds a manifest of the dataset at all. */
      found: boolean;
      /** The manifest's lines: dataset-relative path → SHA-256 (hex). */
      files: Map<string, string>;
      /** The size of the stored file, or undefined when it is not there. */
      sizeOf(relativePath: string): Promise<number | undefined>;
    }
  | { readable: false; why: string };

const statusOf = (err: unknown) => (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;

/** Reads the manifest of `dataset` where `dest` stores it; `protocol` is the S3 protocol for S3 destinations. */
export async function readHeldDataset(
  dest: ResolvedDestination,
  protocol: UploadProtocol | undefined,
  dataset: string,
  receiverDir: string | undefined,
  signal: AbortSignal,
): Promise<HeldDataset> {
  switch (dest.kind) {
    case 'folder':
      return localDataset(join(dest.config.path, dataset));
    case 'receiver':
      if (!receiverDir) return { readable: false, why: 'the built-in receiver is not running here' };
      return localDataset(join(receiverDir, dataset));
    case 's3': {
      if (!(protocol instanceof S3Protocol)) return { readable: false, why: 'not an S3 destination' };
      return s3Dataset(protocol.client, dest.config.bucket, `${dest.config.prefix}${dataset}/`, signal);
    }
    case 'tus':
      return {
        readable: false,
        why: 'a tus server keeps uploads by address, not by name, so the dataset it holds cannot be looked up there: every file is sent',
      };
  }
}

/** A dataset folder on this computer (a folder destination, the built-in receiver's storage). */
async function localDataset(root: string): Promise<HeldDataset> {
  let text: string;
  try {
    text = await readFile(join(root, MANIFEST_NAME), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR') {
      return { readable: true, found: false, files: new Map(), sizeOf: () => Promise.resolve(undefined) };
    }
    return { readable: false, why: `${join(root, MANIFEST_NAME)} cannot be read: ${(err as Error).message}` };
  }
  return {
    readable: true,
    found: true,
    files: parseManifest(text),
    sizeOf: async (rel) => {
      const info = await stat(join(root, ...rel.split('/'))).catch(() => undefined);
      return info?.isFile() ? info.size : undefined;
    },
  };
}

/** An S3 prefix: the manifest object, and each object's size from a HEAD. */
async function s3Dataset(client: S3Client, bucket: string, prefix: string, signal: AbortSignal): Promise<HeldDataset> {
  const key = `${prefix}${MANIFEST_NAME}`;
  const op = `plan(GET s3://${bucket}/${key})`;
  let text: string;
  try {
    const got = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: signal });
    text = await got.Body!.transformToString('utf8');
  } catch (err) {
    const status = statusOf(err);
    if (status === 404 || (err as { name?: string }).name === 'NoSuchKey') {
      return { readable: true, found: false, files: new Map(), sizeOf: () => Promise.resolve(undefined) };
    }
    if (status === undefined) throw networkError(op, err, signal);
    throw remoteError(`${op}: server answered ${status}: ${(err as Error).message}`, { status, retriable: retriableStatus(status) });
  }
  return {
    readable: true,
    found: true,
    files: parseManifest(text),
    // One HEAD per file the source and the manifest share (the manifest says which keys to ask about);
    // a listing of the prefix would be fewer requests, but gateways and s3rver sign it differently.
    sizeOf: async (rel) => {
      const where = `s3://${bucket}/${prefix}${rel}`;
      try {
        const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: `${prefix}${rel}` }), { abortSignal: signal });
        return head.ContentLength;
      } catch (err) {
        const status = statusOf(err);
        if (status === 404) return undefined;
        if (status === undefined) throw networkError(`plan(HEAD ${where})`, err, signal);
        throw remoteError(`plan(HEAD ${where}): server answered ${status}: ${(err as Error).message}`, { status, retriable: retriableStatus(status) });
      }
    },
  };
}
