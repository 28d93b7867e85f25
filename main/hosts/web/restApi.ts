/**
 * The versioned API (`/api/v1/`, shared/restApi.ts) on the web host: each route runs its contract
 * command through the same dispatcher as the WebSocket, so validation and errors are the
 * contract's; the followed log, the event stream and the export stream through the engine's own
 * streams. Answers are the command's result as JSON, errors `{code, message}` with the HTTP status
 * of their code. Authentication and origin are checked before a request gets here.
 */
import { createReadStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import type { ExportResult, EventBatch, FeedBatch, Health } from '../../../shared/contract';
import { JOB_EVENT_TYPES, type LogChunk } from '../../../shared/model';
import { fromWireError, invalidInput, toWireError, type Envelope, type WireError } from '../../../shared/errors';
import { openApiDocument } from '../../../shared/openApi';
import { createsJob, inputFromQuery, matchPath, REST_PREFIX, REST_ROUTES, REST_STREAMS } from '../../../shared/restApi';
import { dispatchCommand, ENGINE_VERSION, openStream, type Engine } from '../../engine/index';
import { readBody } from '../../util/readBody';
import type { ApiLimits, Refusal } from './apiLimits';
import { isJsonBody } from './requestGuard';

const MAX_BODY = 1024 * 1024;
/** A follower this far behind is dropped rather than buffered without bound. */
const MAX_BUFFERED = 16 * 1024 * 1024;
/** An event stream sends something at least this often (the engine's heartbeat period). */
const SSE_HEARTBEAT_MS = 5000;

export interface RestContext {
  engine: Engine;
  limits: ApiLimits;
  headers: Record<string, string>;
}

/** Whether a path belongs to the versioned API. */
export function isRestPath(pathname: string): boolean {
  return pathname === REST_PREFIX || pathname.startsWith(`${REST_PREFIX}/`);
}

export async function handleRest(ctx: RestContext, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  const refusal = ctx.limits.admitRequest();
  if (refusal) return refuse(ctx, res, refusal);
  const path = url.pathname.slice(REST_PREFIX.length) || '/';
  const method = req.method ?? 'GET';

  if (path === '/openapi.json' && method === 'GET') return json(ctx, res, 200, openApiDocument(ENGINE_VERSION));
  const logId = matchPath(REST_STREAMS.log, path);
  if (typeof logId === 'number' && method === 'GET') return followLog(ctx, req, res, logId, url.searchParams);
  const eventsId = matchPath(REST_STREAMS.jobEvents, path);
  if (typeof eventsId === 'number' && method === 'GET') return jobEvents(ctx, req, res, eventsId, url.searchParams);
  if (path === REST_STREAMS.events && method === 'GET') return allEvents(ctx, req, res, url.searchParams);
  if (path === REST_STREAMS.export && method === 'GET') return exportJobs(ctx, res, url.searchParams);

  // The routes of this path (any method), each with the job id it names.
  const candidates = REST_ROUTES.flatMap((route) => {
    const id = matchPath(route.path, path);
    return id === null ? [] : [{ route, id: id === 'none' ? undefined : id }];
  });
  const match = candidates.find((c) => c.route.method === method);
  if (!match) {
    if (candidates.length) {
      res.setHeader('Allow', [...new Set(candidates.map((c) => c.route.method))].join(', '));
      return error(ctx, res, 405, { code: 'INVALID_INPUT', message: `${method} ${url.pathname}: use ${res.getHeader('Allow')}` });
    }
    return error(ctx, res, 404, { code: 'NOT_FOUND', message: `no such API route: ${method} ${url.pathname} (see ${REST_PREFIX}/openapi.json)` });
  }
  const { route, id } = match;
  let input: Record<string, unknown>;
  try {
    input = route.from === 'query' ? inputFromQuery(route.command, url.searchParams) : await bodyInput(req, route.command);
  } catch (err) {
    return error(ctx, res, 400, toWireError(err));
  }
  if (id !== undefined) input.id = id;
  const envelope = await dispatchCommand(ctx.engine, route.command, input);
  if (!envelope.ok) return error(ctx, res, statusFor(envelope.error.code), envelope.error);
  let value = envelope.value;
  if (route.command === 'health') value = { ...(value as Health), api: ctx.limits.report() };
  return json(ctx, res, createsJob(route) ? 201 : 200, value);
}

async function bodyInput(req: IncomingMessage, command: string): Promise<Record<string, unknown>> {
  const body = await readBody(req, { maxBytes: MAX_BODY, tooLarge: (max) => invalidInput(`${command}: body larger than ${max} bytes`) });
  if (body.length === 0) return {};
  // Only JSON: a form post or text/plain fetch is what a page of another origin could send.
  if (!isJsonBody(req)) throw invalidInput(`${command}: send the body as Content-Type: application/json`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch (err) {
    throw invalidInput(`${command}: body is not JSON: ${(err as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw invalidInput(`${command}: the body must be a JSON object`);
  return parsed as Record<string, unknown>;
}

/** `GET /jobs/{id}/log`: the bytes of the file from `offset`; with `follow`, until the job ends. */
async function followLog(ctx: RestContext, req: IncomingMessage, res: ServerResponse, id: number, query: URLSearchParams): Promise<void> {
  const offset = Number(query.get('offset') ?? 0);
  const epoch = query.has('epoch') ? Number(query.get('epoch')) : undefined;
  const follow = ['1', 'true'].includes(query.get('follow') ?? '');
  /** The head with the first chunk (its epoch says which file the offsets belong to), then the bytes. */
  const write = (chunk: LogChunk): void => {
    if (!res.headersSent) res.writeHead(200, { ...ctx.headers, 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store', 'X-Ferry-Log-Epoch': String(chunk.epoch ?? 0) });
    if (chunk.text) res.write(chunk.text);
  };
  if (!follow) {
    // What the file holds now, read in pieces the size readLog allows.
    for (let at = offset; ; ) {
      const envelope = (await dispatchCommand(ctx.engine, 'readLog', { id, offset: at, maxBytes: 4 * 1024 * 1024, epoch })) as Envelope<LogChunk>;
      if (!envelope.ok) {
        if (!res.headersSent) return error(ctx, res, statusFor(envelope.error.code), envelope.error);
        res.destroy();
        return;
      }
      write(envelope.value);
      if (envelope.value.nextOffset === at || envelope.value.eof) break;
      at = envelope.value.nextOffset;
    }
    res.end();
    return;
  }
  return streamResponse(ctx, req, res, 'job.log', { id, offset, epoch }, (payload, end) => {
    write(payload as LogChunk);
    if ((payload as LogChunk).eof) end();
  });
}

/**
 * One engine stream as one HTTP response, under the client's stream lease: `write` gets each
 * payload (the first one writes the head) and calls `end` when the stream is done. An error before
 * the head becomes the contract's error answer; after it, or a client that stopped reading, the
 * connection is cut. Settles when either side has ended.
 */
async function streamResponse(
  ctx: RestContext,
  req: IncomingMessage,
  res: ServerResponse,
  name: 'job.log' | 'job.events' | 'events',
  params: Record<string, unknown>,
  write: (payload: unknown, end: (last?: string) => void) => void,
): Promise<void> {
  const lease = ctx.limits.admitStream(req);
  if ('status' in lease) return refuse(ctx, res, lease);
  await new Promise<void>((resolve) => {
    // Messages may come before openStream returns: finish closes the stream once it is there.
    let finished = false;
    const stream: { close?: () => void } = {};
    const finish = () => {
      if (finished) return;
      finished = true;
      stream.close?.();
      lease.release();
      resolve();
    };
    const end = (last?: string) => {
      res.end(last);
      finish();
    };
    res.once('close', finish);
    stream.close = openStream(ctx.engine, name, params, (msg) => {
      if (finished) return;
      if ('error' in msg) {
        if (!res.headersSent) error(ctx, res, statusFor(msg.error.code), msg.error);
        else res.destroy();
        return finish();
      }
      write(msg.payload, end);
      if (!finished && res.writableLength > MAX_BUFFERED) {
        res.destroy();
        finish();
      }
    });
    if (finished) stream.close();
  });
}

/** `GET /jobs/{id}/events`: server-sent events, resumable by Last-Event-ID or `since`. */
async function jobEvents(ctx: RestContext, req: IncomingMessage, res: ServerResponse, id: number, query: URLSearchParams): Promise<void> {
  const lastId = req.headers['last-event-id'];
  const since = typeof lastId === 'string' && /^[0-9]+$/.test(lastId.trim()) ? Number(lastId.trim()) : Number(query.get('since') ?? 0);
  const types = new Set(query.getAll('types').flatMap((t) => t.split(',')).filter(Boolean));
  let lastEventAt = Date.now();
  let lastWriteAt = Date.now();
  // A heartbeat whenever nothing was written for 5 s: also while a `types` filter holds back every
  // event that flows (the engine's own heartbeat comes only when no event at all does).
  const beat = setInterval(() => {
    if (!res.headersSent || res.writableEnded || Date.now() - lastWriteAt < SSE_HEARTBEAT_MS) return;
    lastWriteAt = Date.now();
    res.write(`event: heartbeat\ndata: ${JSON.stringify({ ts: lastWriteAt })}\n\n`);
  }, 1000);
  beat.unref();
  res.once('close', () => clearInterval(beat));
  return streamResponse(ctx, req, res, 'job.events', { id, since }, (payload, end) => {
    if (!res.headersSent) {
      res.writeHead(200, { ...ctx.headers, 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-store', 'X-Accel-Buffering': 'no' });
      // Clients that reconnect by themselves (EventSource) wait this long first.
      res.write('retry: 2000\n\n');
    }
    const batch = payload as EventBatch;
    for (const event of batch.events) {
      lastEventAt = Date.now();
      if (types.size && !types.has(event.type)) continue;
      lastWriteAt = Date.now();
      res.write(`id: ${event.seq}\nevent: ${event.type}\ndata: ${JSON.stringify({ jobId: id, ...event })}\n\n`);
    }
    if (batch.end) return end(`event: end\ndata: ${JSON.stringify({ jobId: id })}\n\n`);
    // The engine's heartbeat says no event at all came for 5 s: past the idle limit, the stream ends.
    if (batch.heartbeat && Date.now() - lastEventAt >= ctx.limits.options.idleStreamMs) {
      clearInterval(beat);
      ctx.limits.idleClosed();
      return end(`event: idle\ndata: ${JSON.stringify({ jobId: id, idleMs: ctx.limits.options.idleStreamMs })}\n\n`);
    }
  });
}

/**
 * `GET /events`: every job's events as server-sent events, `id:` their global id (the feed's
 * cursor, kept across restarts), from now unless `since` or Last-Event-ID says where to resume;
 * `types=` and `job=` filter. It never ends by itself; an idle one is closed like a job's.
 */
async function allEvents(ctx: RestContext, req: IncomingMessage, res: ServerResponse, query: URLSearchParams): Promise<void> {
  let params: { since?: number; jobs?: number[] };
  let types: Set<string>;
  try {
    ({ params, types } = await allEventsQuery(ctx, req, query));
  } catch (err) {
    const wire = toWireError(err);
    return error(ctx, res, statusFor(wire.code), wire);
  }
  let lastEventAt = Date.now();
  return streamResponse(ctx, req, res, 'events', params, (payload, end) => {
    if (!res.headersSent) {
      res.writeHead(200, { ...ctx.headers, 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-store', 'X-Accel-Buffering': 'no' });
      res.write('retry: 2000\n\n');
    }
    const batch = payload as FeedBatch;
    // Where the stream stands, before any event: a client that sees none still has a cursor.
    if (batch.cursor !== undefined && batch.events.length === 0) res.write(`id: ${batch.cursor}\n\n`);
    if (batch.missed) res.write(`event: missed\ndata: ${JSON.stringify({ missed: batch.missed })}\n\n`);
    for (const event of batch.events) {
      lastEventAt = Date.now();
      if (types.size && !types.has(event.type)) continue;
      res.write(`id: ${event.gid}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
    }
    if (!batch.heartbeat) return;
    if (Date.now() - lastEventAt >= ctx.limits.options.idleStreamMs) {
      ctx.limits.idleClosed();
      return end(`event: idle\ndata: ${JSON.stringify({ idleMs: ctx.limits.options.idleStreamMs })}\n\n`);
    }
    res.write(`event: heartbeat\ndata: ${JSON.stringify({ ts: Date.now() })}\n\n`);
  });
}

/** The stream's parameters and type filter from the query and Last-Event-ID; bad ones are INVALID_INPUT, unknown jobs NOT_FOUND. */
async function allEventsQuery(ctx: RestContext, req: IncomingMessage, query: URLSearchParams): Promise<{ params: { since?: number; jobs?: number[] }; types: Set<string> }> {
  for (const key of query.keys()) if (!['since', 'types', 'job'].includes(key)) throw invalidInput(`events: unknown parameter ${JSON.stringify(key)} (since, types, job)`);
  const header = req.headers['last-event-id'];
  const cursor = typeof header === 'string' && header.trim() !== '' ? header.trim() : query.get('since');
  const params: { since?: number; jobs?: number[] } = {};
  if (cursor !== null) {
    if (!/^[0-9]{1,15}$/.test(cursor)) throw invalidInput(`events: the cursor ${JSON.stringify(cursor)} (since or Last-Event-ID) is not an event id`);
    params.since = Number(cursor);
  }
  const list = (name: string) => query.getAll(name).flatMap((t) => t.split(',')).map((t) => t.trim()).filter(Boolean);
  const types = new Set(list('types'));
  for (const type of types) {
    if (!(JOB_EVENT_TYPES as readonly string[]).includes(type)) throw invalidInput(`events: types=${type} is not an event type (${JOB_EVENT_TYPES.join(', ')})`);
  }
  const jobs = list('job');
  if (jobs.length > 100) throw invalidInput(`events: at most 100 jobs in job=, got ${jobs.length}`);
  if (jobs.length) {
    params.jobs = jobs.map((j) => {
      if (!/^[1-9][0-9]{0,15}$/.test(j)) throw invalidInput(`events: job=${j} is not a job id`);
      return Number(j);
    });
    for (const id of params.jobs) {
      const envelope = await dispatchCommand(ctx.engine, 'getJob', { id });
      if (!envelope.ok) throw fromWireError(envelope.error);
    }
  }
  return { params, types };
}

/** `GET /jobs/export?format=csv|json&<listJobs filters>`: written by the engine, streamed, removed. */
async function exportJobs(ctx: RestContext, res: ServerResponse, query: URLSearchParams): Promise<void> {
  let input: Record<string, unknown>;
  try {
    input = inputFromQuery('exportJobs', query);
    if ('path' in input) throw invalidInput('exportJobs: the HTTP export streams the file; it takes no path');
  } catch (err) {
    return error(ctx, res, 400, toWireError(err));
  }
  // Each export in a folder of its own, so two at once cannot meet; removed once sent.
  const dir = await mkdtemp(join(tmpdir(), 'ferry-export-'));
  try {
    const format = input.format === 'json' ? 'json' : 'csv';
    const envelope = (await dispatchCommand(ctx.engine, 'exportJobs', { ...input, path: join(dir, `jobs.${format}`) })) as Envelope<ExportResult>;
    if (!envelope.ok) return error(ctx, res, statusFor(envelope.error.code), envelope.error);
    const { path, count } = envelope.value;
    res.writeHead(200, {
      ...ctx.headers,
      'Content-Type': format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8',
      'Content-Disposition': `attachment; filename="ferry-jobs.${format}"`,
      'Cache-Control': 'no-store',
      'X-Ferry-Count': String(count),
    });
    await pipeline(createReadStream(path), res).catch(() => undefined);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function json(ctx: RestContext, res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { ...ctx.headers, 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
  res.end(JSON.stringify(body));
}

function error(ctx: RestContext, res: ServerResponse, status: number, wire: WireError): void {
  json(ctx, res, status, { code: wire.code, message: wire.message, ...(wire.details === undefined ? {} : { details: wire.details }) });
}

function refuse(ctx: RestContext, res: ServerResponse, refusal: Refusal): void {
  res.setHeader('Retry-After', String(refusal.retryAfterS));
  error(ctx, res, refusal.status, { code: 'UNAVAILABLE', message: refusal.message });
}

/** The HTTP status of an error code, the one table both API routes use. */
export function statusFor(code: string): number {
  switch (code) {
    case 'INVALID_INPUT':
      return 400;
    case 'UNAUTHORIZED':
      return 401;
    case 'NOT_FOUND':
      return 404;
    case 'CONFLICT':
      return 409;
    case 'UNAVAILABLE':
      return 503;
    case 'REMOTE':
      return 502;
    default:
      return 500;
  }
}
