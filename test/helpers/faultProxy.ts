import net from 'node:net';
import { seededRandom } from './seededRandom';

/**
 * A TCP proxy on 127.0.0.1 that breaks connections for real (RST via resetAndDestroy, early close,
 * stalls), so upload code is tested against the failures a network produces, not against HTTP
 * mocks. Faults are drawn from a seeded PRNG, so a failing run can be replayed with its seed.
 */

export interface Faults {
  /** Per connection: client→server bytes let through; the connection is reset (RST) when the client sends more. */
  resetAfterBytes?: number;
  /** Per 64 KiB of client→server bytes: chance the connection is reset at a random byte of that block. */
  resetProbability?: number;
  /** Delay before each chunk is forwarded, both ways (order kept): latency, or a stall when large. */
  stallMs?: number;
  /** Per connection: server→client bytes let through before the proxy closes the connection. */
  truncateResponseAfterBytes?: number;
  /** Reset every new connection at once, without reaching the target. */
  dropConnections?: boolean;
  /**
   * Client→server: a chunk in which `pattern` appears (a request line such as `?partNumber=2&`) is
   * held until `decide` answers, told how often the pattern has been seen since these faults were
   * set (1, 2, …): 'pass' forwards it, 'reset' resets the connection instead. Answering with a
   * promise holds the request until an event the test chooses (a stall that ends on an event).
   */
  match?: { pattern: string; decide: (seen: number) => MatchVerdict | Promise<MatchVerdict> };
  /**
   * Client→server: the byte at this offset of all client→server traffic since these faults were
   * set is inverted on its way, once (a bit error the TCP checksum missed).
   */
  flipByteAt?: number;
}

export type MatchVerdict = 'pass' | 'reset';

export interface FaultProxyStats {
  /** Connections accepted. */
  connections: number;
  /** Connections the proxy killed on purpose (resets, truncations, drops). */
  resets: number;
  /** Bytes forwarded client→server. */
  bytesUp: number;
  /** Bytes forwarded server→client. */
  bytesDown: number;
  /** Bytes inverted by `flipByteAt`. */
  flipped: number;
}

export interface FaultProxy {
  port: number;
  /** `http://127.0.0.1:<port><pathname>` (pathname defaults to "/"). */
  url(pathname?: string): string;
  /** Replaces the active faults (`{}` clears them); open connections see the change on their next chunk. */
  setFaults(faults: Faults): void;
  stats(): FaultProxyStats;
  close(): Promise<void>;
}

export interface FaultProxyOptions {
  target: { host: string; port: number };
  /** PRNG seed; the same seed and the same traffic give the same faults. Default 1. */
  seed?: number;
}

/** Block over which `resetProbability` applies: byte-based, so kernel chunking cannot change the outcome. */
const PROBABILITY_BLOCK = 64 * 1024;

interface Connection {
  client: net.Socket;
  upstream: net.Socket;
  up: number;
  down: number;
  dead: boolean;
  /** Random reset point drawn for `drawnFor` (the probability in force when it was drawn). */
  randomResetAt: number;
  drawnFor: number;
  /** The last bytes sent up, so a `match` pattern split across two chunks is still seen. */
  tail: Buffer;
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Writes and waits until the socket can take more (or is gone), keeping memory flat. */
function write(socket: net.Socket, chunk: Buffer): Promise<void> {
  return new Promise((resolve) => {
    if (socket.destroyed) return resolve();
    // The callback runs once the bytes are handed to the kernel (or the write failed).
    socket.write(chunk, () => resolve());
  });
}

export async function startFaultProxy(opts: FaultProxyOptions): Promise<FaultProxy> {
  const random = seededRandom(opts.seed ?? 1);
  let faults: Faults = {};
  const totals: FaultProxyStats = { connections: 0, resets: 0, bytesUp: 0, bytesDown: 0, flipped: 0 };
  /** Client→server bytes and pattern matches since the faults were last set. */
  let upSinceFaults = 0;
  let matchesSeen = 0;
  const live = new Set<Connection>();

  /** Geometric number of whole blocks, then a uniform byte inside the block where it hits. */
  const drawResetPoint = (p: number): number => {
    if (p <= 0) return Number.POSITIVE_INFINITY;
    const blocks = p >= 1 ? 0 : Math.floor(Math.log(1 - random()) / Math.log(1 - p));
    return blocks * PROBABILITY_BLOCK + Math.floor(random() * PROBABILITY_BLOCK);
  };

  const upLimit = (conn: Connection): number => {
    const p = faults.resetProbability ?? 0;
    if (p !== conn.drawnFor) {
      conn.randomResetAt = conn.up + drawResetPoint(p);
      conn.drawnFor = p;
    }
    return Math.min(faults.resetAfterBytes ?? Number.POSITIVE_INFINITY, conn.randomResetAt);
  };

  const kill = (conn: Connection, how: 'reset' | 'close') => {
    if (conn.dead) return;
    conn.dead = true;
    live.delete(conn);
    if (how === 'reset') {
      totals.resets++;
      conn.client.resetAndDestroy();
      conn.upstream.resetAndDestroy();
    } else {
      conn.client.destroy();
      conn.upstream.destroy();
    }
  };

  /** Moves bytes one way, applying the faults that belong to that direction. */
  const pump = async (conn: Connection, direction: 'up' | 'down') => {
    const [from, to] = direction === 'up' ? [conn.client, conn.upstream] : [conn.upstream, conn.client];
    try {
      for await (const data of from) {
        const chunk = data as Buffer;
        if ((faults.stallMs ?? 0) > 0) await delay(faults.stallMs ?? 0);
        if (conn.dead) return;
        if (direction === 'up' && faults.match && (await matched(conn, chunk, faults.match)) === 'reset') {
          kill(conn, 'reset');
          return;
        }
        if (conn.dead) return;
        const sent = direction === 'up' ? conn.up : conn.down;
        const limit = direction === 'up' ? upLimit(conn) : (faults.truncateResponseAfterBytes ?? Number.POSITIVE_INFINITY);
        const cut = limit - sent < chunk.length;
        let part = cut ? chunk.subarray(0, Math.max(0, limit - sent)) : chunk;
        if (direction === 'up') {
          const at = upSinceFaults;
          upSinceFaults += part.length;
          const flip = faults.flipByteAt;
          if (flip !== undefined && flip >= at && flip < at + part.length) {
            part = Buffer.from(part);
            part[flip - at] = part[flip - at]! ^ 0xff;
            totals.flipped++;
          }
        }
        if (part.length > 0) {
          await write(to, part);
          if (direction === 'up') {
            conn.up += part.length;
            totals.bytesUp += part.length;
          } else {
            conn.down += part.length;
            totals.bytesDown += part.length;
          }
        }
        if (cut) {
          if (direction === 'up') {
            kill(conn, 'reset');
          } else {
            // A truncated answer ends with FIN after the bytes let through, like a server dying mid-body.
            totals.resets++;
            conn.dead = true;
            live.delete(conn);
            conn.upstream.destroy();
            conn.client.end(() => conn.client.destroy());
          }
          return;
        }
      }
      if (!conn.dead) to.end();
    } catch {
      kill(conn, 'close');
    }
  };

  /** Counts the pattern's appearances in this chunk (and across its boundary) and asks for a verdict on each. */
  const matched = async (conn: Connection, chunk: Buffer, match: NonNullable<Faults['match']>): Promise<MatchVerdict> => {
    const text = Buffer.concat([conn.tail, chunk]).toString('latin1');
    conn.tail = Buffer.from(chunk.subarray(Math.max(0, chunk.length - (match.pattern.length - 1))));
    for (let i = text.indexOf(match.pattern); i >= 0; i = text.indexOf(match.pattern, i + 1)) {
      if ((await match.decide(++matchesSeen)) === 'reset') return 'reset';
    }
    return 'pass';
  };

  const server = net.createServer({ allowHalfOpen: true }, (client) => {
    totals.connections++;
    client.on('error', () => undefined);
    if (faults.dropConnections) {
      totals.resets++;
      client.resetAndDestroy();
      return;
    }
    const upstream = net.connect({ host: opts.target.host, port: opts.target.port, allowHalfOpen: true });
    upstream.on('error', () => undefined);
    const conn: Connection = { client, upstream, up: 0, down: 0, dead: false, randomResetAt: Number.POSITIVE_INFINITY, drawnFor: 0, tail: Buffer.alloc(0) };
    live.add(conn);
    // Either side fully closed (after both half-closes, or an error) ends the pair.
    const onClose = () => kill(conn, 'close');
    client.once('close', onClose);
    upstream.once('close', onClose);
    void pump(conn, 'up');
    void pump(conn, 'down');
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as net.AddressInfo).port;

  return {
    port,
    url: (pathname = '/') => `http://127.0.0.1:${port}${pathname.startsWith('/') ? pathname : `/${pathname}`}`,
    setFaults: (next) => {
      faults = { ...next };
      upSinceFaults = 0;
      matchesSeen = 0;
    },
    stats: () => ({ ...totals }),
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const conn of [...live]) kill(conn, 'close');
      await closed;
    },
  };
}
