import http from 'node:http';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startFaultProxy, type FaultProxy } from '../../helpers/faultProxy';
import { seededRandom } from '../../helpers/seededRandom';
import { request } from './tusHttp';

/** The proxy is itself test code the receiver tests rely on, so its faults are checked here. */

/** A TCP sink: reads everything, counts it, half-closes back when the client does. */
async function startSink(): Promise<{ port: number; received: number[]; close: () => Promise<void> }> {
  const received: number[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer({ allowHalfOpen: true }, (socket) => {
    sockets.add(socket);
    const slot = received.push(0) - 1;
    socket.on('data', (chunk) => (received[slot] = (received[slot] ?? 0) + chunk.length));
    socket.on('end', () => socket.end());
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    received,
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** Sends `bytes` on one connection and resolves how it ended. */
function send(port: number, bytes: number): Promise<'closed' | 'reset'> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    let outcome: 'closed' | 'reset' = 'closed';
    socket.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ECONNRESET' || err.code === 'EPIPE') outcome = 'reset';
    });
    socket.on('close', () => resolve(outcome));
    socket.resume();
    socket.end(Buffer.alloc(bytes, 1));
  });
}

describe('faultProxy: real TCP faults, replayable by seed', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });
  const proxyTo = async (port: number, seed?: number): Promise<FaultProxy> => {
    const proxy = await startFaultProxy({ target: { host: '127.0.0.1', port }, seed });
    cleanups.push(() => proxy.close());
    return proxy;
  };

  it('seededRandom is deterministic and spread over [0, 1)', () => {
    const a = seededRandom(42);
    const b = seededRandom(42);
    const xs = Array.from({ length: 1000 }, () => a());
    expect(xs).toEqual(Array.from({ length: 1000 }, () => b()));
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    expect(xs.reduce((s, x) => s + x, 0) / xs.length).toBeCloseTo(0.5, 1);
    expect(seededRandom(43)()).not.toBe(seededRandom(42)());
  });

  it('resets a connection (RST) once the client sends more than resetAfterBytes', async () => {
    const sink = await startSink();
    cleanups.push(sink.close);
    const proxy = await proxyTo(sink.port);
    proxy.setFaults({ resetAfterBytes: 30_000 });
    expect(await send(proxy.port, 100_000)).toBe('reset');
    expect(proxy.stats()).toMatchObject({ connections: 1, resets: 1, bytesUp: 30_000 });
    expect(sink.received[0]).toBeLessThanOrEqual(30_000);
    // Under the limit nothing happens.
    expect(await send(proxy.port, 20_000)).toBe('closed');
    expect(proxy.stats()).toMatchObject({ connections: 2, resets: 1, bytesUp: 50_000 });
  });

  it('replays the same reset points for the same seed, different ones for another seed', async () => {
    const sink = await startSink();
    cleanups.push(sink.close);
    const schedule = async (seed: number) => {
      const proxy = await proxyTo(sink.port, seed);
      proxy.setFaults({ resetProbability: 0.3 });
      const perConnection: number[] = [];
      for (let i = 0; i < 8; i++) {
        const before = proxy.stats().bytesUp;
        await send(proxy.port, 400_000);
        perConnection.push(proxy.stats().bytesUp - before);
      }
      return { perConnection, resets: proxy.stats().resets };
    };
    const first = await schedule(7);
    expect(first.resets).toBeGreaterThan(0);
    expect(first.perConnection.some((n) => n < 400_000)).toBe(true);
    expect(await schedule(7)).toEqual(first);
    expect((await schedule(8)).perConnection).not.toEqual(first.perConnection);
  });

  it('truncates responses after truncateResponseAfterBytes', async () => {
    const server = http.createServer((_req, res) => res.end(Buffer.alloc(10_000, 2)));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => server.close(() => resolve())));
    const proxy = await proxyTo((server.address() as net.AddressInfo).port);
    proxy.setFaults({ truncateResponseAfterBytes: 100 });
    await expect(request(proxy.url('/x'), { method: 'GET' })).rejects.toThrow();
    expect(proxy.stats()).toMatchObject({ resets: 1, bytesDown: 100 });
    proxy.setFaults({});
    expect((await request(proxy.url('/x'), { method: 'GET' })).body).toHaveLength(10_000);
  });

  it('holds every chunk back for stallMs', async () => {
    const server = http.createServer((_req, res) => res.end('ok'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => server.close(() => resolve())));
    const proxy = await proxyTo((server.address() as net.AddressInfo).port);
    proxy.setFaults({ stallMs: 200 });
    const started = Date.now();
    expect((await request(proxy.url(), { method: 'GET' })).body).toBe('ok');
    expect(Date.now() - started).toBeGreaterThanOrEqual(2 * 200);
  });

  it('cuts live connections on close()', async () => {
    const sink = await startSink();
    cleanups.push(sink.close);
    const proxy = await startFaultProxy({ target: { host: '127.0.0.1', port: sink.port } });
    const socket = net.connect({ port: proxy.port, host: '127.0.0.1' });
    socket.on('error', () => undefined);
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write('hello');
    const closed = new Promise((resolve) => socket.once('close', resolve));
    await proxy.close();
    await closed;
    expect(socket.destroyed).toBe(true);
  });
});
