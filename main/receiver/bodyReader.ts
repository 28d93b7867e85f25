import type http from 'node:http';
import { HttpError } from './httpError';

/**
 * Hands out a request body in pieces of a size the caller asks for, as it arrives: the socket is
 * read only as fast as the caller takes pieces (backpressure), so nothing piles up in memory.
 */
export class BodyReader {
  private readonly chunks: AsyncIterator<Buffer>;
  private pending: Buffer = Buffer.alloc(0);
  private received = 0;
  private ended = false;

  constructor(
    req: http.IncomingMessage,
    private readonly length: number,
    private readonly what: string,
  ) {
    this.chunks = req[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  }

  /** The next 1 to `max` bytes; a body that ends (or is cut) before `length` is a 400. */
  async next(max: number): Promise<Buffer> {
    if (this.pending.length === 0) {
      let step: IteratorResult<Buffer>;
      try {
        step = await this.chunks.next();
      } catch {
        this.ended = true;
        throw new HttpError(400, `${this.what}: request aborted after ${this.received} of ${this.length} bytes`);
      }
      if (step.done) {
        this.ended = true;
        throw new HttpError(400, `${this.what}: body ended after ${this.received} of ${this.length} bytes`);
      }
      this.pending = step.value;
      this.received += step.value.length;
    }
    const piece = this.pending.subarray(0, max);
    this.pending = this.pending.subarray(piece.length);
    return piece;
  }

  /** Exactly `size` bytes in one buffer (for parts that must be whole to be read, like an index). */
  async exactly(size: number): Promise<Buffer> {
    const out = Buffer.alloc(size);
    for (let at = 0; at < size; ) {
      const piece = await this.next(size - at);
      piece.copy(out, at);
      at += piece.length;
    }
    return out;
  }

  /** Reads and drops the rest of the body (at most the declared length), so an answer can follow it. */
  async drain(): Promise<void> {
    this.pending = Buffer.alloc(0);
    while (!this.ended) {
      try {
        const step = await this.chunks.next();
        if (step.done) this.ended = true;
      } catch {
        this.ended = true;
      }
    }
  }
}
