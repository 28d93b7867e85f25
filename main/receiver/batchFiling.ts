import { createHash, randomBytes } from 'node:crypto';
import fsp from 'node:fs/promises';
import type http from 'node:http';
import path from 'node:path';
import { FerryError } from '../../shared/errors';
import { BATCH_INDEX_HEADER, BATCH_LIMITS, batchIndexSchema, type BatchAnswer, type BatchIndex } from '../../shared/receiverBatch';
import { BodyReader } from './bodyReader';
import { CHECKSUM_MISMATCH, HttpError, ferryHttpError, ioHttpError } from './httpError';
import { placeFile } from './placeFile';
import type { ReceiverLogger } from './receiverLogger';
import type { SpaceBudget } from './spaceBudget';
import { filingTarget, type FilingTarget } from './uploadMetadata';

/**
 * Bytes of batch indexes all batches together may hold in memory while they arrive. The files
 * themselves go straight to disk; the index must be whole before it can be read, so it is what a
 * crowd of slow batches could pile up. Beyond this a batch is asked to come back later (503).
 */
export const INDEX_MEMORY_BYTES = 4 * BATCH_LIMITS.indexBytes;

/** A counter of bytes lent out; a request that would go beyond `limit` is refused, not queued. */
export class ByteAllowance {
  private used = 0;
  constructor(private readonly limit: number) {}
  tryTake(bytes: number): boolean {
    if (this.used + bytes > this.limit) return false;
    this.used += bytes;
    return true;
  }
  give(bytes: number): void {
    this.used -= bytes;
  }
}

export interface BatchFilingContext {
  storageDir: string;
  /** Where each file is written before its rename into the tree (same file system). */
  incomingDir: string;
  log: ReceiverLogger;
  /** Disk space promised to uploads and batches under way. */
  budget: SpaceBudget;
  /** Memory all batch indexes share (INDEX_MEMORY_BYTES). */
  indexMemory: ByteAllowance;
}

function headerInt(req: http.IncomingMessage, name: string): number | undefined {
  const raw = req.headers[name.toLowerCase()];
  if (typeof raw !== 'string' || !/^\d{1,12}$/.test(raw)) return undefined;
  return Number(raw);
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

/** Every file's place in the tree, checked before a byte of files is read. */
function targetsOf(index: BatchIndex): FilingTarget[] {
  return index.files.map((f) => {
    try {
      return filingTarget({ ...index.metadata, relativePath: f.relativePath, sha256: f.sha256 });
    } catch (err) {
      // The rules are the tus metadata's; the words should name what this client sent.
      if (err instanceof FerryError) throw ferryHttpError(new FerryError(err.code, err.message.replace(/Upload-Metadata:? ?/g, 'batch index: ')));
      throw err;
    }
  });
}

/** Bytes of one file gathered before a write: one system call per MiB, not per socket read. */
const WRITE_GATHER_BYTES = 1024 * 1024;

/** Streams `size` bytes of body into a new file, hashing them on the way; resolves the hex SHA-256. */
async function receiveFile(body: BodyReader, file: string, size: number): Promise<string> {
  const hash = createHash('sha256');
  const fh = await fsp.open(file, 'wx');
  try {
    let gathered: Buffer[] = [];
    let gatheredBytes = 0;
    for (let left = size; left > 0; ) {
      const piece = await body.next(left);
      hash.update(piece);
      gathered.push(piece);
      gatheredBytes += piece.length;
      left -= piece.length;
      if (gatheredBytes >= WRITE_GATHER_BYTES || left === 0) {
        await fh.writev(gathered);
        gathered = [];
        gatheredBytes = 0;
      }
    }
  } finally {
    await fh.close();
  }
  return hash.digest('hex');
}

/**
 * Answers `POST /batch` (see shared/receiverBatch.ts). The files are streamed to disk beside the
 * tree as they arrive (memory stays flat however many batches are under way), each checked against
 * its SHA-256; only when every one matched are they filed, by the same rename, duplicate and suffix
 * rules as a finished tus upload.
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
  // Both refusals come before a byte of body is read, so the client gets them at once.
  if (!ctx.indexMemory.tryTake(indexLength)) {
    throw new HttpError(503, 'Service Unavailable: batch: too many batches arriving at once; send this one again shortly');
  }
  let indexHeld = true;
  const giveIndex = () => {
    if (indexHeld) ctx.indexMemory.give(indexLength);
    indexHeld = false;
  };
  const batchId = `batch-${randomBytes(6).toString('hex')}`;
  try {
    await ctx.budget.reserve('batch', batchId, length - indexLength);
  } catch (err) {
    giveIndex();
    throw err;
  }
  const body = new BodyReader(req, length, 'batch');
  const temps: string[] = [];
  try {
    let index: BatchIndex;
    try {
      index = parseIndex(await body.exactly(indexLength));
    } finally {
      giveIndex();
    }
    const total = index.files.reduce((n, f) => n + f.size, 0);
    if (indexLength + total !== length) throw new HttpError(400, `batch: the index lists ${total} bytes of files, the body holds ${length - indexLength}`);
    const targets = targetsOf(index);

    // Everything verified before anything is filed: a bad batch files nothing.
    const stem = path.join(ctx.incomingDir, `${batchId}-`);
    for (const [i, f] of index.files.entries()) {
      const temp = `${stem}${i}`;
      temps.push(temp);
      let got: string;
      try {
        got = await receiveFile(body, temp, f.size);
      } catch (err) {
        throw err instanceof HttpError ? err : ioHttpError(`batch: file(${targets[i]!.relative})`, err);
      }
      if (got !== f.sha256) {
        ctx.log.warn(`batch: sha256 mismatch for ${targets[i]!.relative}, expected ${f.sha256}, received ${got}`);
        throw new HttpError(CHECKSUM_MISMATCH, `Checksum Mismatch: ${targets[i]!.relative}: expected sha256 ${f.sha256}, received ${got}; nothing of this batch was filed`);
      }
    }

    const answer: BatchAnswer = { files: [] };
    let duplicates = 0;
    for (const [i, target] of targets.entries()) {
      try {
        const placed = await placeFile({ source: temps[i]!, storageDir: ctx.storageDir, segments: target.segments, sha256: index.files[i]!.sha256, size: index.files[i]!.size });
        if (placed.duplicate) duplicates++;
        answer.files.push(placed);
      } catch (err) {
        ctx.log.error(`batch: file(${target.relative}): ${String(err)}`);
        // Files placed so far stay (complete and verified); sent again, they count as duplicates.
        throw err instanceof FerryError ? ferryHttpError(err) : ioHttpError(`batch: file(${target.relative})`, err);
      }
    }
    ctx.log.info(`batch: filed ${targets.length} files${duplicates ? ` (${duplicates} duplicates dropped)` : ''} under ${targets[0]!.segments[0]}`);
    return answer;
  } catch (err) {
    // Read what the client is still sending, so it gets the answer instead of a reset connection.
    await body.drain();
    throw err;
  } finally {
    ctx.budget.release(batchId);
    // Placed files were renamed away; whatever is left here was not filed.
    await Promise.all(temps.map((t) => fsp.rm(t, { force: true })));
  }
}
