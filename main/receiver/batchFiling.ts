import { createHash, randomBytes } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import type http from 'node:http';
import path from 'node:path';
import { FerryError } from '../../shared/errors';
import { BATCH_INDEX_HEADER, BATCH_LIMITS, batchIndexSchema, type BatchAnswer, type BatchIndex } from '../../shared/receiverBatch';
import { CHECKSUM_MISMATCH, HttpError, ferryHttpError, ioHttpError } from './httpError';
import { placeFile } from './placeFile';
import type { ReceiverLogger } from './receiverLogger';
import { filingTarget, type FilingTarget } from './uploadMetadata';

export interface BatchFilingContext {
  storageDir: string;
  /** Where each file is written before its rename into the tree (same file system). */
  incomingDir: string;
  log: ReceiverLogger;
}

function headerInt(req: http.IncomingMessage, name: string): number | undefined {
  const raw = req.headers[name.toLowerCase()];
  if (typeof raw !== 'string' || !/^\d{1,12}$/.test(raw)) return undefined;
  return Number(raw);
}

/** Reads exactly `length` bytes of body, as they come; a body that ends early or runs long is a 400. */
function readBody(req: http.IncomingMessage, length: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let filled = 0;
    req.on('data', (data: Buffer) => {
      filled += data.length;
      if (filled > length) {
        req.removeAllListeners('data');
        reject(new HttpError(400, `batch: body longer than Content-Length ${length}`));
        return;
      }
      parts.push(data);
    });
    req.on('end', () => (filled === length ? resolve(Buffer.concat(parts, length)) : reject(new HttpError(400, `batch: body ended after ${filled} of ${length} bytes`))));
    req.on('error', reject);
    req.on('aborted', () => reject(new HttpError(400, 'batch: request aborted')));
  });
}

function parseIndex(raw: Buffer): BatchIndex {
  let json: unknown;
  try {
    json = JSON.parse(raw.toString('utf8'));
  } catch {
    throw new HttpError(400, 'batch: the index is not JSON');
  }
  const parsed = batchIndexSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new HttpError(400, `batch: bad index at ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}

/**
 * Answers `POST /batch` (see shared/receiverBatch.ts): every file is checked against its SHA-256
 * before any is filed, then each is written beside the tree and filed by the same rename, duplicate
 * and suffix rules as a finished tus upload.
 */
export async function fileBatch(req: http.IncomingMessage, ctx: BatchFilingContext): Promise<BatchAnswer> {
  if (req.method !== 'POST') throw new HttpError(405, 'Method Not Allowed: POST a batch');
  const length = headerInt(req, 'content-length');
  const indexLength = headerInt(req, BATCH_INDEX_HEADER);
  if (length === undefined) throw new HttpError(411, 'batch: Content-Length required');
  if (indexLength === undefined || indexLength > BATCH_LIMITS.indexBytes || indexLength > length) {
    throw new HttpError(400, `batch: ${BATCH_INDEX_HEADER} missing or out of range`);
  }
  if (length - indexLength > BATCH_LIMITS.bytes) {
    throw new HttpError(413, `batch: ${length - indexLength} bytes of files is more than the ${BATCH_LIMITS.bytes} one batch may hold`);
  }
  const body = await readBody(req, length);
  const index = parseIndex(body.subarray(0, indexLength));
  const total = index.files.reduce((n, f) => n + f.size, 0);
  if (indexLength + total !== length) throw new HttpError(400, `batch: the index lists ${total} bytes of files, the body holds ${length - indexLength}`);

  // Validate and verify everything before touching the disk: a bad batch files nothing.
  const targets: FilingTarget[] = [];
  const slices: Buffer[] = [];
  let at = indexLength;
  for (const f of index.files) {
    let target: FilingTarget;
    try {
      target = filingTarget({ ...index.metadata, relativePath: f.relativePath, sha256: f.sha256 });
    } catch (err) {
      // The rules are the tus metadata's; the words should name what this client sent.
      if (err instanceof FerryError) throw ferryHttpError(new FerryError(err.code, err.message.replace(/Upload-Metadata:? ?/g, 'batch index: ')));
      throw err;
    }
    const bytes = body.subarray(at, at + f.size);
    at += f.size;
    const got = createHash('sha256').update(bytes).digest('hex');
    if (got !== f.sha256) {
      ctx.log.warn(`batch: sha256 mismatch for ${target.relative}, expected ${f.sha256}, received ${got}`);
      throw new HttpError(CHECKSUM_MISMATCH, `Checksum Mismatch: ${target.relative}: expected sha256 ${f.sha256}, received ${got}; nothing of this batch was filed`);
    }
    targets.push(target);
    slices.push(bytes);
  }

  const stem = path.join(ctx.incomingDir, `batch-${randomBytes(6).toString('hex')}-`);
  const answer: BatchAnswer = { files: [] };
  let duplicates = 0;
  for (let i = 0; i < targets.length; i++) {
    const target = targets[i]!;
    const source = `${stem}${i}`;
    try {
      writeFileSync(source, slices[i]!);
      const placed = await placeFile({ source, storageDir: ctx.storageDir, segments: target.segments, sha256: index.files[i]!.sha256, size: slices[i]!.length });
      if (placed.duplicate) duplicates++;
      answer.files.push(placed);
    } catch (err) {
      rmSync(source, { force: true });
      ctx.log.error(`batch: file(${target.relative}): ${String(err)}`);
      // Files placed so far stay (complete and verified); sent again, they count as duplicates.
      throw err instanceof FerryError ? ferryHttpError(err) : ioHttpError(`batch: file(${target.relative})`, err);
    }
  }
  ctx.log.info(`batch: filed ${targets.length} files${duplicates ? ` (${duplicates} duplicates dropped)` : ''} under ${targets[0]!.segments[0]}`);
  return answer;
}
