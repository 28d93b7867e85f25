import { canceledError } from './transferErrors';

/** A buffer on loan from a BufferPool; `release` hands it back (once; later calls do nothing). */
export interface PooledBuffer {
  buffer: Buffer;
  release(): void;
}

/**
 * A fixed number of equal buffers, allocated on first use and lent out one at a time. A buffer
 * comes back only when its holder releases it, never by position: parallel chunks settle out of
 * order, and a chunk that is still being retried must keep its bytes while later ones move on.
 */
export class BufferPool {
  private readonly free: Buffer[] = [];
  private created = 0;
  private waiters: Array<() => void> = [];

  constructor(
    private readonly count: number,
    private readonly bytes: number,
  ) {}

  /** Waits for a free buffer; rejects with CANCELED when `signal` aborts first. */
  async take(signal: AbortSignal, label: string): Promise<PooledBuffer> {
    for (;;) {
      if (signal.aborted) throw canceledError(label);
      const buffer = this.free.pop() ?? (this.created < this.count ? this.allocate() : undefined);
      if (buffer) return this.lend(buffer);
      await new Promise<void>((resolve) => {
        const wake = () => {
          signal.removeEventListener('abort', wake);
          resolve();
        };
        this.waiters.push(wake);
        signal.addEventListener('abort', wake, { once: true });
      });
    }
  }

  private allocate(): Buffer {
    this.created++;
    return Buffer.allocUnsafe(this.bytes);
  }

  private lend(buffer: Buffer): PooledBuffer {
    let out = true;
    return {
      buffer,
      release: () => {
        if (!out) return;
        out = false;
        this.free.push(buffer);
        // Every waiter looks again: one that was woken by its abort must not swallow the turn.
        for (const wake of this.waiters.splice(0)) wake();
      },
    };
  }
}
