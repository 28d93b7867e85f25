/**
 * `GET /api/v1/events` on the shipped `ferry serve`: every job's events in one server-sent stream,
 * resumed by Last-Event-ID across a dropped connection and a restart of the host, without a gap or
 * a repeat; the `types=` and `job=` filters; and its bad inputs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FeedEvent } from '../../../shared/contract';
import type { JobEvent, JobView } from '../../../shared/model';
import { startServedFerry, waitUntil, type ServedFerry } from '../../helpers/servedFerry';
import { readSse as readSseAt, type SseEvent as Sse } from '../../helpers/sseReader';
import { makeTmpDir } from '../../helpers/tmpDir';

let ferry: ServedFerry;
let dataDir: string;
let cleanup: () => Promise<void>;

const api = (path: string) => new URL(`/api/v1${path}`, ferry.url).toString();
const auth = () => ({ Authorization: `Bearer ${ferry.token}` });

async function rest<T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(api(path), {
    method,
    headers: { ...auth(), ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
}

const readSse = (path: string, headers: Record<string, string>, stop: (events: Sse[]) => boolean, onOpen?: () => void) =>
  readSseAt(api(path), { ...auth(), ...headers }, stop, onOpen);

const feedEvents = (events: Sse[]) => events.filter((e) => e.id).map((e) => JSON.parse(e.data) as FeedEvent);

function demoJob(items: number, itemDelayMs: number): Promise<JobView> {
  return ferry.call<JobView>('createDemoJob', { items, itemDelayMs, failRate: 0, linesPerItem: 1 });
}

function waitState(id: number, states: string[]): Promise<JobView> {
  return waitUntil(`job ${id} in ${states.join('/')}`, async () => {
    const { body } = await rest<JobView>('GET', `/jobs/${id}`);
    return states.includes(body.state) ? body : undefined;
  });
}

async function polled(id: number): Promise<JobEvent[]> {
  return (await rest<{ events: JobEvent[] }>('GET', `/jobs/${id}/events/page?limit=10000`)).body.events;
}

/** Each job's events from the stream, in order, against what polling returns: each once, none missing. */
async function expectEveryEventOnce(events: FeedEvent[], ids: number[]): Promise<void> {
  const gids = events.map((e) => e.gid);
  expect(new Set(gids).size, 'no event twice').toBe(gids.length);
  expect([...gids].sort((a, b) => a - b), 'ids only grow').toEqual(gids);
  for (const id of ids) {
    const mine = events.filter((e) => e.jobId === id);
    expect(mine.map((e) => [e.seq, e.type]), `job ${id}`).toEqual((await polled(id)).map((e) => [e.seq, e.type]));
  }
}

beforeAll(async () => {
  ({ dir: dataDir, cleanup } = makeTmpDir('ferry-events-'));
  ferry = await startServedFerry(dataDir);
});

afterAll(async () => {
  await ferry?.stop();
  await cleanup?.();
});

describe('GET /api/v1/events', () => {
  it('resumes after a dropped connection and after a restart of ferry serve with no gap or repeat across jobs', async () => {
    const jobs = await Promise.all([demoJob(100_000, 1000), demoJob(100_000, 1000), demoJob(100_000, 1000)]);
    await Promise.all(jobs.map((j) => waitState(j.id, ['running'])));
    const bump = async (rounds: number) => {
      for (let i = 0; i < rounds; i++) {
        for (const j of jobs) await rest('PUT', `/jobs/${j.id}/priority`, { priority: i % 2 ? 'low' : 'high' });
      }
    };
    // The first reader drops after ten priority changes while the three jobs keep changing.
    let opened!: () => void;
    const open = new Promise<void>((r) => (opened = r));
    const reading = readSse('/events?since=0', {}, (events) => events.filter((e) => e.event === 'priority').length >= 10, opened);
    await open;
    await bump(6);
    const first = await reading;
    expect(first.status).toBe(200);
    expect(first.body.startsWith('retry: 2000\n\n')).toBe(true);
    const seen = feedEvents(first.events);
    expect(new Set(seen.map((e) => e.jobId)).size).toBe(3);

    // More happens while no one listens: a second connection resumes from Last-Event-ID.
    await bump(2);
    const [a, b, c] = jobs as [JobView, JobView, JobView];
    await rest('POST', `/jobs/${a.id}/cancel`);
    await waitState(a.id, ['canceled']);
    const second = await readSse('/events', { 'Last-Event-ID': String(seen[seen.length - 1]!.gid) }, (events) => events.some((e) => e.event === 'canceled'));
    const resumed = feedEvents(second.events);

    // The host restarts between connections; the cursor still holds, for events before and after.
    await rest('PUT', `/jobs/${b.id}/priority`, { priority: 'high' });
    await ferry.stop();
    ferry = await startServedFerry(dataDir);
    for (const j of [b, c]) {
      await waitState(j.id, ['running', 'queued']);
      await rest('POST', `/jobs/${j.id}/cancel`);
      await waitState(j.id, ['canceled']);
    }
    const last = resumed[resumed.length - 1]!.gid;
    const third = await readSse(`/events?since=${last}`, {}, (events) => feedEvents(events).filter((e) => e.type === 'canceled').length >= 2);
    const afterRestart = feedEvents(third.events);
    expect(afterRestart.some((e) => e.jobId === b.id && e.type === 'priority')).toBe(true);
    await expectEveryEventOnce([...seen, ...resumed, ...afterRestart], jobs.map((j) => j.id));

    // The same events from the start with a type filter, and for one job only.
    const types = await readSse('/events?since=0&types=canceled,priority', {}, (events) => events.filter((e) => e.event === 'canceled').length >= 3);
    const filtered = feedEvents(types.events);
    expect(new Set(filtered.map((e) => e.type))).toEqual(new Set(['canceled', 'priority']));
    expect(filtered.filter((e) => e.type === 'priority')).toHaveLength(3 * 8 + 1);
    const one = await readSse(`/events?since=0&job=${c.id}`, {}, (events) => events.some((e) => e.event === 'canceled'));
    const ofC = feedEvents(one.events);
    expect(ofC.every((e) => e.jobId === c.id)).toBe(true);
    expect(ofC.map((e) => e.seq)).toEqual((await polled(c.id)).map((e) => e.seq));
  });

  it('resumes after ferry serve is killed with kill -9 and recovers its running jobs, with no gap or repeat', async () => {
    const jobs = await Promise.all([demoJob(100_000, 200), demoJob(100_000, 200)]);
    await Promise.all(jobs.map((j) => waitState(j.id, ['running'])));
    const ids = new Set(jobs.map((j) => j.id));
    const first = await readSse(`/events?job=${jobs.map((j) => j.id).join(',')}&since=0`, {}, (events) => feedEvents(events).length >= 6);
    const seen = feedEvents(first.events);
    expect(seen.every((e) => ids.has(e.jobId))).toBe(true);
    await ferry.kill9();
    ferry = await startServedFerry(dataDir);
    for (const j of jobs) {
      await waitState(j.id, ['running']);
      await rest('POST', `/jobs/${j.id}/cancel`);
      await waitState(j.id, ['canceled']);
    }
    const resumed = await readSse(`/events?job=${jobs.map((j) => j.id).join(',')}`, { 'Last-Event-ID': String(seen[seen.length - 1]!.gid) }, (events) =>
      feedEvents(events).filter((e) => e.type === 'canceled').length >= 2,
    );
    await expectEveryEventOnce([...seen, ...feedEvents(resumed.events)], [...ids]);
  });

  it('starts from now without a cursor and sends a heartbeat when quiet', async () => {
    const before = await polled(1);
    expect(before.length).toBeGreaterThan(0);
    const job = await demoJob(1, 0);
    await waitState(job.id, ['completed']);
    const quiet = await readSse('/events', {}, (events) => events.some((e) => e.event === 'heartbeat'));
    // Nothing of what already happened; the heartbeat comes after 5 s of silence.
    expect(quiet.events.map((e) => e.event)).toEqual(['heartbeat']);
  });

  it.each([
    ['/events?since=abc', 400, 'INVALID_INPUT', /not an event id/],
    ['/events?since=999999999', 400, 'INVALID_INPUT', /past the newest event id/],
    ['/events?types=exploded', 400, 'INVALID_INPUT', /not an event type/],
    ['/events?job=0', 400, 'INVALID_INPUT', /not a job id/],
    ['/events?job=999999', 404, 'NOT_FOUND', /999999/],
    ['/events?colour=red', 400, 'INVALID_INPUT', /unknown parameter "colour"/],
  ])('refuses %s with %i %s', async (path, status, code, message) => {
    const res = await rest<{ code: string; message: string }>('GET', path);
    expect(res.status).toBe(status);
    expect(res.body.code).toBe(code);
    expect(res.body.message).toMatch(message);
  });

  it('counts against the stream cap per client with the job streams: the sixth open stream gets 429 with Retry-After', async () => {
    const client = { 'X-Ferry-Client': 'feed-cap-test' };
    const held: Promise<unknown>[] = [];
    const open: (() => void)[] = [];
    for (let i = 0; i < 5; i++) {
      await new Promise<void>((opened) => {
        // Each holds its connection until the end of the test.
        let done = false;
        held.push(readSse('/events', client, () => done, opened));
        open.push(() => (done = true));
      });
    }
    const refused = await fetch(api('/events'), { headers: { ...auth(), ...client } });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await refused.json()) as { message: string }).message).toMatch(/streams/);
    // Another client is not held back by this one.
    const other = await readSse('/events', { 'X-Ferry-Client': 'someone-else' }, () => true);
    expect(other.status).toBe(200);
    for (const end of open) end();
    // A heartbeat (5 s) lets each reader see `done` and drop its connection.
    await Promise.all(held);
  });

  it('needs the token like every route', async () => {
    const res = await fetch(api('/events'));
    expect(res.status).toBe(401);
  });
});
