/**
 * The versioned API's limits: open streams per client, requests per token, and what was refused,
 * as health reports it. A client is what a script says it is (`X-Ferry-Client`), else its
 * User-Agent: scripts on one computer share an address, so the address would name nobody.
 */
import type { IncomingMessage } from 'node:http';
import type { ApiLimitOptions, ApiUsage } from '../../../shared/contract';

export const DEFAULT_API_LIMITS: ApiLimitOptions = { streamsPerClient: 5, requestsPerSecond: 20, burst: 100, idleStreamMs: 5 * 60_000 };

export type Refusal = { status: 429; retryAfterS: number; message: string };

export class ApiLimits {
  private tokens: number;
  private refilledAt = Date.now();
  private readonly streams = new Map<string, number>();
  private readonly usage = { requests: 0, streamsOpened: 0, refusedRate: 0, refusedStreams: 0, idleClosed: 0 };

  constructor(readonly options: ApiLimitOptions = DEFAULT_API_LIMITS) {
    this.tokens = options.burst;
  }

  /** Counts a request against the token's rate; a refusal says when to try again. */
  admitRequest(): Refusal | null {
    this.refill();
    if (this.tokens < 1) {
      this.usage.refusedRate++;
      const retryAfterS = Math.max(1, Math.ceil((1 - this.tokens) / this.options.requestsPerSecond));
      return { status: 429, retryAfterS, message: `more than ${this.options.requestsPerSecond} requests per second (burst ${this.options.burst}): try again in ${retryAfterS} s` };
    }
    this.tokens -= 1;
    this.usage.requests++;
    return null;
  }

  /** Opens a stream for the request's client, or refuses it; `release` must be called once it ends. */
  admitStream(req: IncomingMessage): { release: () => void } | Refusal {
    const client = clientOf(req);
    const open = this.streams.get(client) ?? 0;
    if (open >= this.options.streamsPerClient) {
      this.usage.refusedStreams++;
      return { status: 429, retryAfterS: 5, message: `${client} already has ${open} streams open (at most ${this.options.streamsPerClient}): close one first` };
    }
    this.streams.set(client, open + 1);
    this.usage.streamsOpened++;
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        const n = (this.streams.get(client) ?? 1) - 1;
        if (n > 0) this.streams.set(client, n);
        else this.streams.delete(client);
      },
    };
  }

  private refill(): void {
    const now = Date.now();
    this.tokens = Math.min(this.options.burst, this.tokens + ((now - this.refilledAt) / 1000) * this.options.requestsPerSecond);
    this.refilledAt = now;
  }

  /** Counts a stream closed for sending nothing but heartbeats. */
  idleClosed(): void {
    this.usage.idleClosed++;
  }

  report(): ApiUsage {
    this.refill();
    let openStreams = 0;
    for (const n of this.streams.values()) openStreams += n;
    return { ...this.usage, available: Math.floor(this.tokens), openStreams, limits: this.options };
  }
}

function clientOf(req: IncomingMessage): string {
  const named = req.headers['x-ferry-client'];
  if (typeof named === 'string' && named.trim()) return named.trim().slice(0, 100);
  return (req.headers['user-agent'] ?? 'unnamed client').slice(0, 100);
}
