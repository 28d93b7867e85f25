import { createHash } from 'node:crypto';
import { FerryError } from '../../../shared/errors';
import { FileSource, type SourceChunk } from './fileSource';
import { STREAM_PIECE_BYTES, type StreamingSession } from './protocol';
import { canceledError } from './transferErrors';
import type { PassContext } from './uploadFile';

/**
 * Sends a file to an append-only destination as a series of long requests (`requestBytes` each)
 * whose bodies are streamed from the file through a ring of two read buffers, the next piece read
 * and hashed while the previous one is on the wire. Memory stays at three pieces whatever the
 * request size, and progress moves with every piece, not with every acknowledgement.
 *
 * A request cut off part-way is retried from where the destination stands: bytes this pass had
 * read before are read again from the disk (not hashed again), new bytes come from the source.
 * A destination that checks a checksum per request gets each request's range hashed first, by
 * one more local read of that range (memory stays flat; the cost is CPU, measured in the README).
 * Returns the file's SHA-256 once every byte is acknowledged.
 */
export async function streamPass(stream: StreamingSession, offset: number, ctx: PassContext): Promise<string> {
  const { size } = ctx.file;
  const pieceBytes = Math.max(1, Math.min(STREAM_PIECE_BYTES, stream.requestBytes));
  const source = new FileSource(ctx.path, ctx.stamp);
  const pass = new AbortController();
  const stop = () => pass.abort(ctx.signal.reason);
  ctx.signal.addEventListener('abort', stop, { once: true });
  // Two buffers: the piece on the wire and the one read ahead. A piece is released once its last
  // slice was handed to the socket (or its request failed); only then is its buffer refilled.
  const pieces = source.chunks({ chunkSize: pieceBytes, from: offset, signal: pass.signal, pool: 2 });
  /** The piece being read ahead (at most one). */
  let ahead: Promise<IteratorResult<SourceChunk>> | undefined;
  /** End of the bytes the source has handed out: everything before it is hashed. */
  let readTo = offset;
  let scratch: Buffer | undefined;
  let confirmed = offset;
  /** The body of the request under way; a failed request's body is closed before the next. */
  let current: AsyncGenerator<Buffer> | undefined;

  /** A piece counts as read once taken from the source, whoever took it. */
  const took = (piece: SourceChunk) => {
    readTo = piece.offset + piece.bytes.length;
  };
  const nextPiece = async (): Promise<SourceChunk> => {
    const step = await (ahead ?? pieces.next());
    ahead = undefined;
    if (step.done) throw new FerryError('INTERNAL', `${ctx.label}: the file ended at ${readTo} of ${size} bytes`);
    took(step.value);
    if (step.value.last) checkDeclared();
    return step.value;
  };
  const checkDeclared = () => source.checkDeclared(ctx.file.sha256, ctx.label);
  /** Where the file's last piece starts: a destination that checks the file's SHA-256 gets it alone. */
  const lastPiece = size > offset ? offset + Math.floor((size - 1 - offset) / pieceBytes) * pieceBytes : size;
  /** Piece boundaries of this pass, so that a request never ends inside a piece. */
  const requestEnd = (from: number) => {
    const wanted = from + stream.requestBytes;
    const end = Math.min(size, offset + Math.ceil((wanted - offset) / pieceBytes) * pieceBytes);
    return stream.fileSha256 && from < lastPiece ? Math.min(end, lastPiece) : end;
  };

  /**
   * The checksum of `[from, end)` for a destination that checks each request: read from the disk
   * once more before the request (its header precedes the body), through the one scratch buffer.
   */
  async function rangeDigest(algorithm: 'sha256' | 'sha1', from: number, end: number): Promise<Buffer> {
    const hash = createHash(algorithm);
    for (let at = from; at < end; ) {
      if (pass.signal.aborted) throw canceledError(ctx.label);
      const n = Math.min(pieceBytes, end - at);
      scratch ??= Buffer.allocUnsafe(pieceBytes);
      hash.update(await source.reread(at, scratch.subarray(0, n)));
      at += n;
    }
    return hash.digest();
  }

  async function* body(from: number, end: number): AsyncGenerator<Buffer> {
    let at = from;
    while (at < end && at < readTo) {
      const n = Math.min(at + pieceBytes, end, readTo) - at;
      scratch ??= Buffer.allocUnsafe(pieceBytes);
      const again = await source.reread(at, scratch.subarray(0, n));
      yield* ctx.throttle.paced(again, pass.signal);
      at += n;
      ctx.onSent?.(at);
    }
    while (at < end) {
      const piece = await nextPiece();
      // Read the next piece into the other buffer while this one goes out.
      if (readTo < size) {
        ahead = pieces.next();
        // Whoever takes the piece sees a failure; a request that fails first must not leave it unhandled.
        ahead.catch(() => undefined);
      }
      try {
        yield* ctx.throttle.paced(piece.bytes, pass.signal);
      } finally {
        piece.release();
      }
      at = readTo;
      ctx.onSent?.(at);
    }
  }

  try {
    while (confirmed < size) {
      const op = `${ctx.label} at ${confirmed}`;
      confirmed = await ctx.retrying(
        op,
        async () => {
          if (current) {
            // The last request failed: close its body, and count a piece read ahead as read (the
            // destination may lack any of it, and it is sent again from the disk).
            await current.return(undefined).catch(() => undefined);
            current = undefined;
            const reading = ahead;
            ahead = undefined;
            const step = await reading; // a source that failed (changed, unreadable) fails the pass here
            if (step && !step.done) {
              took(step.value);
              step.value.release();
            }
          }
          const from = await stream.position(pass.signal);
          // The destination holds more than this pass has read (another writer): hash up to it.
          while (readTo < from) (await nextPiece()).release();
          if (from >= size) return from;
          const end = requestEnd(from);
          const digest = stream.checksum ? await rangeDigest(stream.checksum, from, end) : undefined;
          let fileSha256: string | undefined;
          if (stream.fileSha256 && end === size) {
            // The request that ends the file carries its SHA-256: read the rest first (at most
            // a piece; the body reads it again from the page cache).
            while (readTo < size) (await nextPiece()).release();
            fileSha256 = source.sha256();
          }
          current = body(from, end);
          const next = await stream.append(from, end - from, current, pass.signal, digest, fileSha256);
          current = undefined;
          ctx.sent(next - from);
          return next;
        },
        pass.signal,
      );
      await ctx.ack(confirmed);
    }
    // Read to the end, for the hash alone where the destination held the rest already (a pass
    // that starts at the end still has to finish the source, which hashed the prefix).
    for (;;) {
      const step = await (ahead ?? pieces.next());
      ahead = undefined;
      if (step.done) break;
      took(step.value);
      step.value.release();
    }
    checkDeclared();
    return source.sha256();
  } finally {
    ctx.signal.removeEventListener('abort', stop);
    await pieces.return(undefined).catch(() => undefined);
  }
}
