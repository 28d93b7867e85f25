/**
 * The versioned HTTP API against the shipped web host (`out/main/serve.js` as a process, a fresh
 * data directory, default limits): the routes, their errors, the OpenAPI document, a log followed
 * by the real curl, server-sent events resumed by Last-Event-ID, and the 429s.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobPage } from '../../../shared/contract';
import type { JobEvent, JobView } from '../../../shared/model';
import { REST_ROUTES } from '../../../shared/restApi';
import { startServedFerry, waitUntil, type ServedFerry } from '../../helpers/servedFerry';
import { readSse as readSseAt, type SseEvent } from '../../helpers/sseReader';
import { makeTmpDir } from '../../helpers/tmpDir';

let ferry: ServedFerry;
let dataDir: string;
let cleanup: () => Promise<void>;

const api = (path: string) => new URL(`/api/v1${path}`, ferry.url).toString();
const auth = () => ({ Authorization: `Bearer ${ferry.token}` });

async function rest<T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T; headers: Headers }> {
  const res = await fetch(api(path), {
    method,
    headers: { ...auth(), ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T, headers: res.headers };
}

/** A demo job that takes a while (one item per `itemDelayMs`), made through the command route. */
function demoJob(items: number, itemDelayMs: number, linesPerItem = 1): Promise<JobView> {
  return ferry.call<JobView>('createDemoJob', { items, itemDelayMs, failRate: 0, linesPerItem });
}

function waitState(id: number, states: string[]): Promise<JobView> {
  return waitUntil(`job ${id} in ${states.join('/')}`, async () => {
    const { body } = await rest<JobView>('GET', `/jobs/${id}`);
    return states.includes(body.state) ? body : undefined;
  });
}

const readSse = (path: string, headers: Record<string, string>, stop: (events: SseEvent[]) => boolean) => readSseAt(api(path), { ...auth(), ...headers }, stop);

beforeAll(async () => {
  ({ dir: dataDir, cleanup } = makeTmpDir('ferry-rest-'));
  ferry = await startServedFerry(dataDir);
});

afterAll(async () => {
  await ferry?.stop();
  await cleanup?.();
});

describe('the versioned API (/api/v1)', () => {
  it('publishes a valid OpenAPI 3.1 document that names every route', async () => {
    const { status, body } = await rest<{ openapi: string; paths: Record<string, Record<string, unknown>> }>('GET', '/openapi.json');
    expect(status).toBe(200);
    expect(body.openapi).toBe('3.1.0');
    const result = await new Validator().validate(body as unknown as Parameters<Validator['validate']>[0]);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    for (const route of REST_ROUTES) expect(body.paths[route.path]?.[route.method.toLowerCase()], `${route.method} ${route.path}`).toBeDefined();
    for (const path of ['/jobs/{id}/log', '/jobs/{id}/events', '/jobs/export']) expect(body.paths[path]?.get, path).toBeDefined();
  });

  it('refuses a request without the token, and one from a web page of another origin', async () => {
    const anon = await fetch(api('/jobs'));
    expect(anon.status).toBe(401);
    expect(await anon.json()).toMatchObject({ code: 'UNAUTHORIZED', message: expect.stringContaining('token') });
    const page = await fetch(api('/jobs'), { headers: { ...auth(), Origin: 'https://example.org' } });
    expect(page.status).toBe(403);
    expect(await page.json()).toMatchObject({ code: 'UNAUTHORIZED' });
  });

  it('lists, gets and controls jobs, with the contract errors and their HTTP statuses', async () => {
    const slow = await demoJob(10_000, 50);
    const quick = await demoJob(3, 1);
    await waitState(quick.id, ['completed']);
    await waitState(slow.id, ['running']);

    const running = await rest<JobPage>('GET', '/jobs?state=running&kind=demo');
    expect(running.status).toBe(200);
    expect(running.body.jobs.map((j) => j.id)).toContain(slow.id);
    expect(running.body.jobs.map((j) => j.id)).not.toContain(quick.id);
    // Batch status: the jobs named and no other, however many there are.
    const batch = await rest<JobPage>('GET', `/jobs?ids=${quick.id},${slow.id}&limit=500`);
    expect(batch.body.jobs.map((j) => j.id).sort((a, b) => a - b)).toEqual([slow.id, quick.id].sort((a, b) => a - b));
    expect(batch.body.total).toBe(2);

    expect((await rest<JobView>('POST', `/jobs/${slow.id}/pause`)).body.state).toMatch(/pausing|paused/);
    await waitState(slow.id, ['paused']);
    expect((await rest<JobView>('PUT', `/jobs/${slow.id}/priority`, { priority: 'high' })).body.priority).toBe('high');
    expect((await rest<JobView>('POST', `/jobs/${slow.id}/resume`)).status).toBe(200);
    await waitState(slow.id, ['running', 'queued']);
    expect((await rest<JobView>('POST', `/jobs/${slow.id}/cancel`)).status).toBe(200);
    await waitState(slow.id, ['canceled']);
    expect((await rest<JobView>('POST', `/jobs/${slow.id}/retry`)).status).toBe(200);
    await rest('POST', `/jobs/${slow.id}/cancel`);
    await waitState(slow.id, ['canceled']);
    expect(await rest('DELETE', `/jobs/${slow.id}`)).toMatchObject({ status: 200, body: { id: slow.id } });

    // What goes wrong says so, in the contract's words, with the matching status.
    const gone = await rest<{ code: string; message: string }>('GET', `/jobs/${slow.id}`);
    expect(gone.status).toBe(404);
    expect(gone.body.code).toBe('NOT_FOUND');
    const bad = await rest<{ code: string; message: string }>('GET', '/jobs?limit=none');
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ code: 'INVALID_INPUT' });
    expect(bad.body.message).toMatch(/limit/);
    const unknown = await rest<{ code: string }>('GET', '/jobs?colour=blue');
    expect(unknown.status).toBe(400);
    const method = await rest<{ code: string }>('DELETE', '/jobs');
    expect(method.status).toBe(405);
    expect(method.headers.get('allow')).toBe('GET');
    const noRoute = await rest<{ code: string }>('GET', '/nothing-here');
    expect(noRoute.status).toBe(404);
    const notJson = await fetch(api(`/jobs/${quick.id}/pause`), { method: 'POST', headers: { ...auth(), 'Content-Type': 'text/plain' }, body: '{}' });
    expect(notJson.status).toBe(400);
    const done = await rest<{ code: string }>('POST', `/jobs/${quick.id}/pause`);
    expect(done.status).toBe(409);
  });

  it('curl -N follows a running job log to its end, byte for byte', async () => {
    const job = await demoJob(40, 20, 3);
    const curl = spawn('curl', ['-sS', '-N', '--fail', '-H', `Authorization: Bearer ${ferry.token}`, api(`/jobs/${job.id}/log?follow=1`)]);
    const chunks: Buffer[] = [];
    curl.stdout.on('data', (c: Buffer) => chunks.push(c));
    let stderr = '';
    curl.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const code = await new Promise<number | null>((r) => curl.once('exit', r));
    expect(stderr).toBe('');
    expect(code).toBe(0);
    // curl ended by itself: the job had finished and its log was whole.
    expect((await rest<JobView>('GET', `/jobs/${job.id}`)).body.state).toBe('completed');
    const onDisk = readFileSync(join(dataDir, 'jobs', String(job.id), 'job.log'));
    expect(Buffer.concat(chunks).equals(onDisk)).toBe(true);
    expect(onDisk.length).toBeGreaterThan(40 * 3 * 10);

    // Without follow, and from an offset: what the file holds there now.
    const tail = await fetch(api(`/jobs/${job.id}/log?offset=100`), { headers: auth() });
    expect(tail.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(Buffer.from(await tail.arrayBuffer()).equals(onDisk.subarray(100))).toBe(true);
  });

  it('an event stream dropped mid-way resumes from Last-Event-ID without a gap or a repeat', async () => {
    const job = await demoJob(100_000, 1000);
    await waitState(job.id, ['running']);
    const bump = async (n: number) => {
      for (let i = 0; i < n; i++) await rest('PUT', `/jobs/${job.id}/priority`, { priority: i % 2 ? 'low' : 'high' });
    };
    // Events arrive while the first stream reads; it drops after the fifth priority change.
    const reading = readSse(`/jobs/${job.id}/events`, {}, (events) => events.filter((e) => e.event === 'priority').length >= 5);
    await bump(6);
    const first = await reading;
    expect(first.status).toBe(200);
    const seen = first.events.filter((e) => e.id);
    // More happens while no one listens, and the job ends.
    await bump(4);
    await rest('POST', `/jobs/${job.id}/cancel`);
    await waitState(job.id, ['canceled']);
    const second = await readSse(`/jobs/${job.id}/events`, { 'Last-Event-ID': seen[seen.length - 1]!.id! }, (events) => events.some((e) => e.event === 'end'));
    const resumed = second.events.filter((e) => e.id);
    expect(second.events[second.events.length - 1]!.event).toBe('end');
    expect(resumed.map((e) => e.event)).toContain('canceled');
    // Together: the job's events as polling returns them, each once, in order.
    const polled = await rest<{ events: JobEvent[] }>('GET', `/jobs/${job.id}/events/page?limit=10000`);
    expect([...seen, ...resumed].map((e) => Number(e.id))).toEqual(polled.body.events.map((e) => e.seq));
    expect(polled.body.events.filter((e) => e.type === 'priority')).toHaveLength(10);
    const data = JSON.parse(resumed[0]!.data) as JobEvent & { jobId: number };
    expect(data).toMatchObject({ jobId: job.id, seq: Number(resumed[0]!.id), type: resumed[0]!.event });

    // `since` and a filter by type, on the finished job: its events of those types, then the end.
    const filtered = await readSse(`/jobs/${job.id}/events?types=priority,canceled&since=0`, {}, (events) => events.some((e) => e.event === 'end'));
    expect(filtered.events.map((e) => e.event)).toEqual([...Array(10).fill('priority'), 'canceled', 'end']);
  });

  it('streams an export of the jobs that match the filters', async () => {
    const res = await fetch(api('/jobs/export?format=csv&kind=demo&state=completed'), { headers: auth() });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    const lines = (await res.text()).trim().split('\n');
    const { body } = await rest<JobPage>('GET', '/jobs?kind=demo&state=completed&limit=500');
    expect(lines.length - 1).toBe(body.total);
    expect(Number(res.headers.get('x-ferry-count'))).toBe(body.total);
  });

  it('answers 429 with Retry-After past the stream cap per client, and counts it in health', async () => {
    const job = await demoJob(100_000, 1000);
    await waitState(job.id, ['running']);
    const heads: Promise<{ status: number }>[] = [];
    const open: ReturnType<typeof request>[] = [];
    const follow = () =>
      new Promise<{ status: number; retryAfter?: string }>((resolve, reject) => {
        const url = new URL(api(`/jobs/${job.id}/log?follow=1`));
        const req = request({ host: url.hostname, port: url.port, path: url.pathname + url.search, headers: { ...auth(), 'X-Ferry-Client': 'cap-test' } }, (res) => {
          resolve({ status: res.statusCode ?? 0, retryAfter: res.headers['retry-after'] as string | undefined });
          if (res.statusCode !== 200) res.resume();
        });
        req.on('error', reject);
        req.end();
        open.push(req);
      });
    const before = (await rest<{ api: { limits: { streamsPerClient: number } } }>('GET', '/health')).body.api.limits.streamsPerClient;
    for (let i = 0; i < before; i++) heads.push(follow());
    expect((await Promise.all(heads)).map((h) => h.status)).toEqual(Array(before).fill(200));
    const refused = await follow();
    expect(refused.status).toBe(429);
    expect(Number(refused.retryAfter)).toBeGreaterThan(0);
    // Another client is not held back by this one's streams.
    const other = await fetch(api(`/jobs/${job.id}/log`), { headers: { ...auth(), 'X-Ferry-Client': 'someone-else' } });
    expect(other.status).toBe(200);
    const health = await rest<{ api: { openStreams: number; refusedStreams: number } }>('GET', '/health');
    expect(health.body.api.openStreams).toBe(before);
    expect(health.body.api.refusedStreams).toBeGreaterThanOrEqual(1);
    for (const req of open) req.destroy();
    await waitUntil('streams released', async () => ((await rest<{ api: { openStreams: number } }>('GET', '/health')).body.api.openStreams === 0 ? true : undefined));
    await rest('POST', `/jobs/${job.id}/cancel`);
  });

  it('answers 429 with Retry-After to a token that sends requests faster than the rate limit', async () => {
    // What the token may still send at once (earlier tests used some of the burst).
    const available = (await rest<{ api: { available: number } }>('GET', '/health')).body.api.available;
    // Waves of requests at once (a cheap route: every request counts, answered or not) until the
    // limit answers; a loaded machine delivers them slower, so it may take more than one wave.
    let answered = 0;
    let refused = 0;
    let retryAfter: string | null = null;
    for (let wave = 0; wave < 30 && refused === 0; wave++) {
      const answers = await Promise.all(Array.from({ length: 200 }, () => fetch(api('/no-such-route'), { headers: auth() })));
      for (const res of answers) {
        if (res.status === 429) {
          refused++;
          retryAfter = res.headers.get('retry-after');
          expect(await res.json()).toMatchObject({ code: 'UNAVAILABLE' });
        } else {
          answered++;
          expect(res.status).toBe(404);
          await res.arrayBuffer();
        }
      }
    }
    expect(refused).toBeGreaterThan(0);
    // What was available was let through before any refusal.
    expect(answered).toBeGreaterThanOrEqual(available);
    expect(Number(retryAfter)).toBeGreaterThan(0);
    // The limit recovers: after the wait it names, requests are answered again.
    const health = await waitUntil(
      'the rate limit to let requests through',
      async () => {
        const answer = await rest<{ api: { refusedRate: number } }>('GET', '/health');
        return answer.status === 200 ? answer.body : undefined;
      },
      30_000,
    );
    expect(health.api.refusedRate).toBeGreaterThan(0);
  });
});
