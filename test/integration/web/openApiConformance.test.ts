/**
 * Every route of the OpenAPI document, called against the shipped web host (`out/main/serve.js` as
 * a process, a fresh data directory, default settings), each answer checked against the document:
 * its status is one the operation declares, its media type one the response declares, and a JSON
 * body validates against the response's schema (successes and the contract's errors alike).
 *
 * Not reached: the 500 answers (IO, INTERNAL: a disk failure or a bug; nothing a request can cause
 * on purpose), and the success of `POST /jobs/{id}/resend-failed` and `POST /jobs/commands`: the
 * first needs an upload that completed with failed files, the second command jobs allowed with
 * `--allow-command-jobs`, which default settings do not; their refusals are checked instead.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobView } from '../../../shared/model';
import { matchPath } from '../../../shared/restApi';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { startS3Server } from '../../helpers/s3Server';
import { startServedFerry, waitUntil, type ServedFerry } from '../../helpers/servedFerry';
import { readSse, type SseEvent } from '../../helpers/sseReader';
import { makeTmpDir } from '../../helpers/tmpDir';

type Schema = Record<string, unknown>;
type Operation = { responses: Record<string, Schema> };
interface Document {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema>; responses: Record<string, Schema> };
}

let ferry: ServedFerry;
let doc: Document;
let files: Server;
const cleanups: (() => Promise<void>)[] = [];
const ajv = new Ajv2020({ strict: false, allErrors: true });
const validators = new Map<Schema, ReturnType<typeof ajv.compile>>();
/** `GET /jobs/{id}` → the statuses it answered. */
const answered = new Map<string, Set<number>>();

const api = (path: string) => new URL(`/api/v1${path}`, ferry.url).toString();

/** The template and operation a request path names in the document. */
function operationOf(method: string, path: string): { template: string; op: Operation } {
  const template = Object.keys(doc.paths)
    .filter((t) => matchPath(t, path) !== null)
    // A fixed segment wins over `{id}` (`/jobs/search` is not job "search").
    .sort((a, b) => a.split('{').length - b.split('{').length)[0];
  if (!template) throw new Error(`${method} ${path} is not in the document`);
  const op = doc.paths[template]![method.toLowerCase()];
  if (!op) throw new Error(`${method} ${template} is not in the document`);
  return { template, op };
}

function validator(schema: Schema) {
  let validate = validators.get(schema);
  if (!validate) {
    validate = ajv.compile({ ...schema, components: doc.components });
    validators.set(schema, validate);
  }
  return validate;
}

/** Checks one answer against the document and records that the route answered it. */
function conform(method: string, path: string, status: number, contentType: string | null, body: string): void {
  const { template, op } = operationOf(method, path);
  let response = op.responses[String(status)];
  expect(response, `${method} ${template} answered ${status}, which the document does not declare: ${body.slice(0, 300)}`).toBeDefined();
  const reference = response!.$ref as string | undefined;
  if (reference) response = doc.components.responses[reference.split('/').at(-1)!];
  const media = (contentType ?? '').split(';')[0]!.trim();
  const content = response!.content as Record<string, { schema: Schema }> | undefined;
  expect(content?.[media], `${method} ${template} ${status} answered ${media}, which the document does not declare`).toBeDefined();
  if (media === 'application/json') {
    const validate = validator(content![media]!.schema);
    const ok = validate(JSON.parse(body));
    expect(validate.errors ?? [], `${method} ${template} ${status}: ${body.slice(0, 300)}`).toEqual([]);
    expect(ok).toBe(true);
  }
  const key = `${method} ${template}`;
  if (!answered.has(key)) answered.set(key, new Set());
  answered.get(key)!.add(status);
}

/** One request, its answer checked against the document. */
async function call<T = unknown>(method: string, path: string, init: { body?: unknown; headers?: Record<string, string> } = {}): Promise<{ status: number; body: T; text: string; headers: Headers }> {
  const res = await fetch(api(path), {
    method,
    headers: { Authorization: `Bearer ${ferry.token}`, ...(init.body === undefined ? {} : { 'Content-Type': 'application/json' }), ...init.headers },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await res.text();
  conform(method, new URL(api(path)).pathname.slice('/api/v1'.length), res.status, res.headers.get('content-type'), text);
  const json = (res.headers.get('content-type') ?? '').startsWith('application/json');
  return { status: res.status, body: (json && text ? JSON.parse(text) : text) as T, text, headers: res.headers };
}

/** Waits for a job state through the app's command route (not the API, so the rate limit is left alone). */
const waitState = (id: number, states: string[]) =>
  waitUntil(`job ${id} in ${states.join('/')}`, async () => {
    const job = await ferry.call<JobView>('getJob', { id });
    return states.includes(job.state) ? job : undefined;
  });

const sse = (path: string, headers: Record<string, string>, stop: (events: SseEvent[]) => boolean) => readSse(api(path), { Authorization: `Bearer ${ferry.token}`, ...headers }, stop);

beforeAll(async () => {
  const tmp = makeTmpDir('ferry-openapi');
  cleanups.push(tmp.cleanup);
  ferry = await startServedFerry(join(tmp.dir, 'data'));
  cleanups.push(async () => void (await ferry.stop()));
  doc = (await (await fetch(api('/openapi.json'), { headers: { Authorization: `Bearer ${ferry.token}` } })).json()) as Document;
  // A file server for the download job.
  files = createServer((_req, res) => res.end('downloaded bytes\n'));
  await new Promise<void>((r) => files.listen(0, '127.0.0.1', r));
  cleanups.push(() => new Promise((r) => files.close(() => r())));
}, 60_000);

afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

describe('every route of the OpenAPI document against ferry serve', () => {
  it('answers what the document says, for successes and errors alike', async () => {
    const tmp = makeTmpDir('ferry-openapi-data');
    cleanups.push(tmp.cleanup);
    const dataset = join(tmp.dir, 'dataset');
    mkdirSync(dataset);
    writeFileSync(join(dataset, 'a.txt'), 'alpha\n');
    writeFileSync(join(dataset, 'b.txt'), 'beta\n');

    await call('GET', '/openapi.json');
    expect((await call('GET', '/health')).status).toBe(200);
    expect((await call('GET', '/stats')).status).toBe(200);

    // An upload with a gated verify step: the upload, then a verify job waiting for approval.
    const upload = await call<JobView>('POST', '/jobs/uploads', { body: { paths: [dataset], name: 'openapi-upload', then: [{ kind: 'verify', gate: {} }] } });
    expect(upload.status).toBe(201);
    await waitState(upload.body.id, ['completed']);
    // The same dataset planned again: every file is unchanged at the receiver.
    const plan = await call<{ counts: { unchanged: number; new: number } }>('POST', '/uploads/plan', { body: { paths: [dataset], name: 'openapi-upload' } });
    expect(plan.status).toBe(200);
    expect(plan.body.counts.new).toBe(0);
    expect(plan.body.counts.unchanged).toBeGreaterThan(0);
    expect((await call('POST', '/uploads/plan', { body: { paths: [join(tmp.dir, 'missing')] } })).status).toBe(400);
    const gated = await waitUntil('the gated verify step', async () => (await ferry.call<{ jobs: JobView[] }>('listJobs', { state: ['awaiting_approval'] })).jobs[0]);
    expect((await call('POST', `/jobs/${gated.id}/approve`)).status).toBe(200);
    await waitState(gated.id, ['completed']);
    const second = await call<JobView>('POST', '/jobs/uploads', { body: { paths: [dataset], name: 'openapi-second', then: [{ kind: 'verify', gate: {} }] } });
    await waitState(second.body.id, ['completed']);
    const gated2 = await waitUntil('the second gated step', async () => (await ferry.call<{ jobs: JobView[] }>('listJobs', { state: ['awaiting_approval'] })).jobs[0]);
    expect((await call('POST', `/jobs/${gated2.id}/reject`)).status).toBe(200);

    expect((await call('GET', '/jobs?state=completed&kind=upload,verify&sort=name&order=asc')).status).toBe(200);
    expect((await call('GET', `/jobs?ids=${upload.body.id},${second.body.id}`)).status).toBe(200);
    expect((await call('GET', '/jobs/search?text=openapi')).status).toBe(200);
    expect((await call('GET', `/jobs/${upload.body.id}`)).status).toBe(200);
    expect((await call('GET', `/jobs/${upload.body.id}/items`)).status).toBe(200);
    expect((await call('GET', `/jobs/${upload.body.id}/pipeline`)).status).toBe(200);
    expect((await call('GET', `/jobs/${upload.body.id}/events/page`)).status).toBe(200);
    expect((await call('POST', '/jobs/verifications', { body: { sourceJobId: upload.body.id } })).status).toBe(201);
    const download = await call<JobView>('POST', '/jobs/downloads', { body: { url: `http://127.0.0.1:${(files.address() as AddressInfo).port}/file.txt`, dest: join(tmp.dir, 'file.txt') } });
    expect(download.status).toBe(201);
    await waitState(download.body.id, ['completed']);
    // An S3 prefix to a local folder, from a saved S3 destination; and a refusal (an upload not to S3).
    const s3 = await startS3Server(join(tmp.dir, 's3'));
    cleanups.push(() => s3.close());
    await s3.client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: 'runs/one.txt', Body: 'from the bucket\n' }));
    const bucket = await ferry.call<{ id: string }>('saveDestination', {
      name: 'bucket',
      kind: 's3',
      config: { endpoint: s3.endpoint, bucket: s3.bucket, accessKeyId: 'S3RVER', forcePathStyle: true },
      secret: { secretAccessKey: 'S3RVER' },
    });
    const fromBucket = await call<JobView>('POST', '/jobs/s3-downloads', { body: { destinationId: bucket.id, prefix: 'runs', dest: join(tmp.dir, 'runs') } });
    expect(fromBucket.status).toBe(201);
    await waitState(fromBucket.body.id, ['completed']);
    expect((await call('POST', '/jobs/s3-downloads', { body: { sourceJobId: upload.body.id, dest: join(tmp.dir, 'back') } })).status).toBe(400);

    // A job to control: pause, resume, priority, stop after the current item, cancel, retry, delete.
    const demo = await ferry.call<JobView>('createDemoJob', { items: 100_000, itemDelayMs: 500, failRate: 0 });
    await waitState(demo.id, ['running']);
    expect((await call('POST', `/jobs/${demo.id}/pause`)).status).toBe(200);
    await waitState(demo.id, ['paused']);
    expect((await call('PUT', `/jobs/${demo.id}/priority`, { body: { priority: 'high' } })).status).toBe(200);
    expect((await call('POST', `/jobs/${demo.id}/resume`)).status).toBe(200);
    await waitState(demo.id, ['running']);
    expect((await call('POST', `/jobs/${demo.id}/stop-after-current`)).status).toBe(200);
    await waitState(demo.id, ['paused']);
    expect((await call('POST', `/jobs/${demo.id}/cancel`)).status).toBe(200);
    await waitState(demo.id, ['canceled']);
    expect((await call('POST', `/jobs/${demo.id}/retry`)).status).toBe(200);
    await call('POST', `/jobs/${demo.id}/cancel`);
    await waitState(demo.id, ['canceled']);

    // The streams: the log (whole and followed to its end), the events (to their end), the export.
    const log = await call('GET', `/jobs/${upload.body.id}/log`);
    expect(log.status).toBe(200);
    expect((await call('GET', `/jobs/${upload.body.id}/log?follow=1&offset=0`)).text).toBe(log.text);
    const events = await sse(`/jobs/${upload.body.id}/events`, {}, (e) => e.some((x) => x.event === 'end'));
    conform('GET', `/jobs/${upload.body.id}/events`, events.status, events.contentType, events.body);
    // Each event's data is the JobEvent schema with the job's id.
    const validateEvent = validator({ allOf: [{ $ref: '#/components/schemas/JobEvent' }] });
    for (const e of events.events.filter((x) => x.event !== 'end')) {
      const { jobId, ...event } = JSON.parse(e.data) as { jobId: number };
      expect(jobId).toBe(upload.body.id);
      expect(validateEvent(event), JSON.stringify(validateEvent.errors)).toBe(true);
    }
    // Every job's events in one stream, from the oldest kept, kept to the upload: its events, each
    // the JobEvent schema with its job's id and a global id, up to the upload's end.
    const notices = ['heartbeat', 'missed', 'idle', 'end'];
    const jobOnly = events.events.filter((x) => !notices.includes(x.event)).map((x) => x.event);
    const all = await sse(`/events?since=0&job=${upload.body.id}`, {}, (e) => e.filter((x) => !notices.includes(x.event)).length >= jobOnly.length);
    conform('GET', '/events', all.status, all.contentType, all.body);
    const fromAll = all.events.filter((x) => !notices.includes(x.event));
    expect(fromAll.map((x) => x.event)).toEqual(jobOnly);
    for (const e of fromAll) {
      const { jobId, gid, ...event } = JSON.parse(e.data) as { jobId: number; gid: number };
      expect(jobId).toBe(upload.body.id);
      expect(gid).toBeGreaterThan(0);
      expect(validateEvent(event), JSON.stringify(validateEvent.errors)).toBe(true);
    }
    expect((await call('GET', '/jobs/export?format=csv&kind=upload')).status).toBe(200);
    const exported = await call<JobView[]>('GET', '/jobs/export?format=json&state=completed');
    expect(exported.body.length).toBeGreaterThanOrEqual(3);
    expect((await call('DELETE', `/jobs/${demo.id}`)).status).toBe(200);

    // The contract's errors, each with its status and the `{code, message}` body.
    expect((await call('GET', `/jobs/${demo.id}`)).status).toBe(404);
    expect((await call('GET', '/jobs?limit=none')).status).toBe(400);
    expect((await call('POST', `/jobs/${upload.body.id}/pause`)).status).toBe(409);
    expect((await call('POST', `/jobs/${upload.body.id}/resend-failed`)).status).toBe(409);
    const command = await call<{ code: string; message: string }>('POST', '/jobs/commands', { body: { program: '/bin/true' } });
    expect(command.status).toBe(409);
    expect(command.body.message).toContain('command jobs are off');
    expect((await call('POST', '/jobs/uploads', { body: { paths: [join(tmp.dir, 'missing')] } })).status).toBe(400);
    expect((await call('GET', '/jobs', { headers: { Authorization: 'Bearer not-the-token' } })).status).toBe(401);
    expect((await call('GET', '/jobs', { headers: { Origin: 'https://example.org' } })).status).toBe(403);
    const wrongHost = await new Promise<{ status: number; type: string; body: string }>((resolve, reject) => {
      const url = new URL(api('/health'));
      const req = request({ host: url.hostname, port: url.port, path: url.pathname, headers: { Authorization: `Bearer ${ferry.token}`, Host: 'ferry.example' } }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body }));
      });
      req.on('error', reject);
      req.end();
    });
    expect(wrongHost.status).toBe(421);
    conform('GET', '/health', wrongHost.status, wrongHost.type, wrongHost.body);

    // Past the stream cap of one client: 429 with Retry-After.
    const running = await ferry.call<JobView>('createDemoJob', { items: 100_000, itemDelayMs: 500, failRate: 0 });
    const limit = (await call<{ api: { limits: { streamsPerClient: number } } }>('GET', '/health')).body.api.limits.streamsPerClient;
    const open: ReturnType<typeof request>[] = [];
    for (let i = 0; i < limit; i++) {
      const status = await new Promise<number>((resolve, reject) => {
        const url = new URL(api(`/jobs/${running.id}/log?follow=1`));
        const req = request({ host: url.hostname, port: url.port, path: url.pathname + url.search, headers: { Authorization: `Bearer ${ferry.token}`, 'X-Ferry-Client': 'conformance' } }, (res) => resolve(res.statusCode ?? 0));
        req.on('error', reject);
        req.end();
        open.push(req);
      });
      expect(status).toBe(200);
    }
    const refused = await call('GET', `/jobs/${running.id}/events`, { headers: { 'X-Ferry-Client': 'conformance' } });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    for (const req of open) req.destroy();
    await call('POST', `/jobs/${running.id}/cancel`);

    // Every operation of the document was called, and all but those named above succeeded.
    const unreachedSuccess = ['POST /jobs/{id}/resend-failed', 'POST /jobs/commands'];
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const method of Object.keys(ops)) {
        const key = `${method.toUpperCase()} ${path}`;
        expect(answered.get(key), `${key} was never called`).toBeDefined();
        const ok = [...answered.get(key)!].some((s) => s < 300);
        expect(ok, `${key} answered only ${[...answered.get(key)!].join(', ')}`).toBe(!unreachedSuccess.includes(key));
      }
    }
    for (const status of [400, 401, 403, 404, 409, 421]) expect([...answered.values()].some((s) => s.has(status)), `no ${status} was checked`).toBe(true);
  }, 180_000);
});
