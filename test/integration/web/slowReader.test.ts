/**
 * A client that stops reading a followed log (a stuck script, a suspended laptop on the other end
 * of a tunnel) must not make the web host hold the log in memory: once more than 16 MiB wait to be
 * sent, the host cuts the connection and frees the stream's place. Against the shipped web host
 * with default settings, a real socket that reads nothing until the host has let go.
 */
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Health } from '../../../shared/contract';
import type { JobView } from '../../../shared/model';
import { startServedFerry, waitUntil, type ServedFerry } from '../../helpers/servedFerry';
import { makeTmpDir } from '../../helpers/tmpDir';

let ferry: ServedFerry;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  const tmp = makeTmpDir('ferry-slow-reader-');
  ferry = await startServedFerry(tmp.dir);
  cleanup = async () => {
    await ferry.stop();
    await tmp.cleanup();
  };
}, 60_000);
afterAll(() => cleanup?.());

async function api<T>(path: string): Promise<T> {
  const res = await fetch(new URL(`/api/v1${path}`, ferry.url), { headers: { Authorization: `Bearer ${ferry.token}` } });
  return (await res.json()) as T;
}

describe('a client that stops reading a followed log', () => {
  it('is cut off once 16 MiB wait for it, and its stream place is freed', { timeout: 240_000 }, async () => {
    // A log of over 30 MB, written as fast as the engine can.
    const job = await ferry.call<JobView>('createDemoJob', { items: 4000, itemDelayMs: 0, failRate: 0, linesPerItem: 150, name: 'a loud job' });
    await waitUntil('the job to end', async () => (await ferry.call<JobView>('getJob', { id: job.id })).state === 'completed');
    const whole = await fetch(new URL(`/api/v1/jobs/${job.id}/log`, ferry.url), { headers: { Authorization: `Bearer ${ferry.token}` } });
    const size = (await whole.arrayBuffer()).byteLength;
    expect(size).toBeGreaterThan(30 * 1024 * 1024);

    const url = new URL(ferry.url);
    const socket = connect(Number(url.port), '127.0.0.1');
    socket.pause();
    socket.write(`GET /api/v1/jobs/${job.id}/log?follow=1 HTTP/1.1\r\nHost: 127.0.0.1:${url.port}\r\nAuthorization: Bearer ${ferry.token}\r\nX-Ferry-Client: stuck-script\r\n\r\n`);
    await waitUntil('the stream to be open', async () => (await api<Health>('/health')).api!.openStreams === 1 || undefined, 30_000);
    // Nothing is read; the host lets go on its own.
    await waitUntil('the host to let the stream go', async () => (await api<Health>('/health')).api!.openStreams === 0 || undefined, 60_000);
    let received = 0;
    socket.on('data', (c: Buffer) => (received += c.length));
    const ended = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.on('error', () => undefined);
    socket.resume();
    await ended;
    // What reached the socket before the cut: well short of the log, never the whole of it.
    expect(received).toBeLessThan(size);
  });
});
