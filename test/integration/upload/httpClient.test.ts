import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { describe, expect, test } from 'vitest';
import { HttpClient } from '../../../main/engine/upload/httpClient';

/**
 * A raw TCP server that answers every request at once with `status` and then stops reading, as a
 * server refusing a body by its headers does. `drain()` makes it read again (discarding), so it
 * can notice the client closing; `closed` resolves when that happens.
 */
async function refusingServer(status: string) {
  let closed!: () => void;
  const closedPromise = new Promise<void>((resolve) => (closed = resolve));
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.once('data', () => {
      socket.write(`HTTP/1.1 ${status}\r\nTus-Resumable: 1.0.0\r\nContent-Length: 0\r\n\r\n`);
      socket.pause();
    });
    socket.on('close', () => closed());
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/files/x`);
  return {
    url,
    closed: closedPromise,
    drain: () => sockets.forEach((s) => s.resume()),
    close: () =>
      new Promise<void>((resolve) => {
        sockets.forEach((s) => s.destroy());
        server.close(() => resolve());
      }),
  };
}

describe('HttpClient', () => {
  test('an answer that comes while the body is still going stops the body and drops the socket', async () => {
    const server = await refusingServer('409 Conflict');
    const client = new HttpClient();
    const slices = 1024;
    let pulled = 0;
    async function* body() {
      for (; pulled < slices; pulled++) yield Buffer.alloc(64 * 1024);
    }
    try {
      const answer = await client.request('test PATCH', {
        method: 'PATCH',
        url: server.url,
        headers: { 'Content-Length': slices * 64 * 1024 },
        body: body(),
        signal: new AbortController().signal,
      });
      expect(answer.status).toBe(409);
      // The server read nothing: the 64 MiB body must not have been produced in full.
      expect(pulled).toBeLessThan(slices);
      server.drain();
      let guard: ReturnType<typeof setTimeout> | undefined;
      const timedOut = new Promise<string>((resolve) => (guard = setTimeout(() => resolve('socket kept'), 5000)));
      expect(await Promise.race([server.closed.then(() => 'socket closed'), timedOut])).toBe('socket closed');
      clearTimeout(guard);
    } finally {
      client.close();
      await server.close();
    }
  });

  test('a connection refused is a retriable REMOTE error naming the operation', async () => {
    const server = await refusingServer('200 OK');
    const { url } = server;
    await server.close();
    const client = new HttpClient();
    await expect(client.request('upload(tus HEAD x)', { method: 'HEAD', url, headers: {}, signal: new AbortController().signal })).rejects.toMatchObject({
      code: 'REMOTE',
      message: expect.stringMatching(/^upload\(tus HEAD x\): ECONNREFUSED/),
      details: { retriable: true },
    });
    client.close();
  });
});
