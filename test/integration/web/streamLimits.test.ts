/**
 * Event streams of the versioned API against the shipped web host, started as a user would with a
 * short idle limit (`ferry serve --idle-stream-seconds 12`): a heartbeat every 5 s while nothing
 * else is sent, even when a `types=` filter holds back every event that flows, and a stream that
 * sends nothing but heartbeats for the limit is closed with `event: idle`, counted in health.
 */
import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Health } from '../../../shared/contract';
import type { JobView } from '../../../shared/model';
import { startServedFerry, waitUntil, type ServedFerry } from '../../helpers/servedFerry';
import { makeTmpDir } from '../../helpers/tmpDir';

const IDLE_SECONDS = 12;
let ferry: ServedFerry;
let cleanup: () => Promise<void>;

type SseEvent = { event: string; data: string; at: number };

/** Opens an event stream; `events` fill as they come, `ended` resolves when the server closes it. */
function openSse(path: string) {
  const events: SseEvent[] = [];
  const waiters = new Set<() => void>();
  const url = new URL(`/api/v1${path}`, ferry.url);
  let req!: ReturnType<typeof request>;
  const ended = new Promise<{ status: number; byServer: boolean }>((resolve, reject) => {
    req = request({ host: url.hostname, port: url.port, path: url.pathname + url.search, headers: { Authorization: `Bearer ${ferry.token}`, 'X-Ferry-Client': `sse-${path}` } }, (res) => {
      let buffer = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1];
          if (event) events.push({ event, data: /^data: (.*)$/m.exec(block)?.[1] ?? '', at: Date.now() });
          for (const w of [...waiters]) w();
        }
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, byServer: true }));
      res.on('close', () => resolve({ status: res.statusCode ?? 0, byServer: res.complete }));
    });
    req.on('error', reject);
    req.end();
  });
  const until = (what: string, done: (e: SseEvent[]) => boolean, timeoutMs = 60_000) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (!done(events)) return;
        waiters.delete(check);
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => reject(new Error(`no ${what} on ${path} in ${timeoutMs} ms: ${events.map((e) => e.event).join(', ')}`)), timeoutMs);
      waiters.add(check);
      check();
    });
  return { events, ended, until, close: () => req.destroy() };
}

const count = (events: SseEvent[], name: string) => events.filter((e) => e.event === name).length;

beforeAll(async () => {
  const tmp = makeTmpDir('ferry-streams');
  ferry = await startServedFerry(join(tmp.dir, 'data'), ['--idle-stream-seconds', String(IDLE_SECONDS)]);
  cleanup = async () => {
    await ferry.stop();
    await tmp.cleanup();
  };
}, 60_000);

afterAll(async () => {
  await cleanup();
});

describe('event streams: heartbeats and the idle limit', () => {
  it('sends a heartbeat every 5 s, then closes a stream that sent nothing else for the idle limit', async () => {
    const job = await ferry.call<JobView>('createDemoJob', { items: 100_000, itemDelayMs: 200, failRate: 0 });
    await waitUntil('the job running', async () => (await ferry.call<JobView>('getJob', { id: job.id })).state === 'running' || undefined);
    await ferry.call('pauseJob', { id: job.id });
    await waitUntil('the job paused', async () => (await ferry.call<JobView>('getJob', { id: job.id })).state === 'paused' || undefined);

    const stream = openSse(`/jobs/${job.id}/events`);
    await stream.until('the paused event', (e) => e.some((x) => x.event === 'paused'));
    const { byServer } = await stream.ended;
    expect(byServer).toBe(true);
    const tail = stream.events.slice(stream.events.findIndex((e) => e.event === 'paused') + 1);
    // Heartbeats, each about 5 s after the one before (the server's own clock), then `idle`.
    expect(tail.at(-1)!.event).toBe('idle');
    expect(JSON.parse(tail.at(-1)!.data)).toEqual({ jobId: job.id, idleMs: IDLE_SECONDS * 1000 });
    const beats = tail.filter((e) => e.event === 'heartbeat').map((e) => (JSON.parse(e.data) as { ts: number }).ts);
    expect(tail.slice(0, -1).every((e) => e.event === 'heartbeat')).toBe(true);
    expect(beats.length).toBeGreaterThanOrEqual(2);
    for (let i = 1; i < beats.length; i++) {
      expect(beats[i]! - beats[i - 1]!).toBeGreaterThanOrEqual(4_900);
      expect(beats[i]! - beats[i - 1]!).toBeLessThanOrEqual(6_500);
    }

    const health = await fetch(new URL('/api/v1/health', ferry.url), { headers: { Authorization: `Bearer ${ferry.token}` } });
    const api = ((await health.json()) as Health).api!;
    expect(api.limits.idleStreamMs).toBe(IDLE_SECONDS * 1000);
    expect(api.idleClosed).toBe(1);
    expect(api.openStreams).toBe(0);
    await ferry.call('cancelJob', { id: job.id });
  }, 90_000);

  it('keeps sending heartbeats to a stream whose filter holds back every event that flows', async () => {
    const job = await ferry.call<JobView>('createDemoJob', { items: 100_000, itemDelayMs: 20, failRate: 0 });
    const all = openSse(`/jobs/${job.id}/events`);
    const filtered = openSse(`/jobs/${job.id}/events?types=completed,failed`);
    try {
      // Progress events flow, one every 5 s from the start (0, 5, 10, 15 s): by the fourth, the
      // filtered stream had a heartbeat at 5-6 s and one at 10-12 s.
      await all.until('four progress events', (e) => count(e, 'progress') >= 4);
      expect(count(filtered.events, 'progress')).toBe(0);
      expect(count(filtered.events, 'heartbeat')).toBeGreaterThanOrEqual(2);
      // Events flowed, so neither stream was idle.
      expect(count(all.events, 'idle') + count(filtered.events, 'idle')).toBe(0);
    } finally {
      all.close();
      filtered.close();
      await ferry.call('cancelJob', { id: job.id });
    }
  }, 90_000);
});
