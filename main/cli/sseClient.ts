/**
 * A client of the versioned API's server-sent event streams (`/api/v1/events`,
 * `/api/v1/jobs/{id}/events`): parses events, and when the connection drops or the server closes
 * an idle stream, reconnects with Last-Event-ID so nothing is missed or repeated.
 */
import http from 'node:http';
import { backoffDelay, type BackoffPolicy } from '../../shared/backoff';
import { fromWireError } from '../../shared/errors';
import { REST_PREFIX } from '../../shared/restApi';
import { readBody } from '../util/readBody';
import { CliError, EXIT } from './cliError';
import type { Instance } from './instance';

export interface SseEvent {
  id?: string;
  event: string;
  data: string;
}

/** How a follow ended: the server said `end`, the caller said 'done', or the signal aborted. */
export type SseOutcome = 'end' | 'done' | 'aborted';

/** Reconnects in a row without an event between them before giving up. */
const RECONNECTS = 5;
const BACKOFF: BackoffPolicy = { baseMs: 500, maxMs: 4000 };

/**
 * Follows `path` (under /api/v1, with its query) until the stream ends, `onEvent` answers 'done' or
 * `signal` aborts. Heartbeats reach `onEvent` too (a caller may ignore them). `locate` answers the
 * instance at each (re)connection, so a follow outlives a restart that moved its port and token.
 */
export async function followSse(locate: () => Instance, path: string, onEvent: (event: SseEvent) => 'done' | void, signal?: AbortSignal): Promise<SseOutcome> {
  let lastId: string | undefined;
  let everConnected = false;
  for (let failures = 0; ; ) {
    if (signal?.aborted) return 'aborted';
    const instance = locate();
    const once = await followOnce(instance, path, lastId, (event) => {
      if (event.id !== undefined) lastId = event.id;
      failures = 0;
      // A block with only an id moves the cursor and is no event.
      return event.event === '' ? undefined : onEvent(event);
    }, signal);
    if (once.outcome !== 'dropped' && once.outcome !== 'idle') return once.outcome;
    if (once.connected) everConnected = true;
    else if (!everConnected) {
      throw new CliError(EXIT.noInstance, `Ferry (pid ${instance.pid}) does not answer at ${instance.origin}. The instance file ${instance.file} looks stale; start Ferry again.`);
    }
    // The server closed a quiet stream on purpose: reopen at once.
    if (once.outcome === 'idle') continue;
    if (++failures > RECONNECTS) throw new CliError(EXIT.server, `${path}: the connection to Ferry at ${instance.origin} was lost`);
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, backoffDelay(failures, BACKOFF));
      signal?.addEventListener('abort', () => {
        clearTimeout(timer);
        resolve();
      }, { once: true });
    });
  }
}

type Once = { outcome: SseOutcome | 'dropped' | 'idle'; connected: boolean };

function followOnce(instance: Instance, path: string, lastId: string | undefined, onEvent: (event: SseEvent) => 'done' | void, signal?: AbortSignal): Promise<Once> {
  return new Promise((resolve, reject) => {
    let settled = false;
    let connected = false;
    const req = http.get(`${instance.origin}${REST_PREFIX}${path}`, {
      agent: false,
      headers: { Authorization: `Bearer ${instance.token}`, Accept: 'text/event-stream', ...(lastId !== undefined ? { 'Last-Event-ID': lastId } : {}) },
    });
    const settle = (result: Once | Error) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      req.destroy();
      if (result instanceof Error) reject(result);
      else resolve(result);
    };
    const onAbort = () => settle({ outcome: 'aborted', connected });
    signal?.addEventListener('abort', onAbort, { once: true });
    req.on('error', () => settle({ outcome: 'dropped', connected }));
    req.on('response', (res) => {
      if (res.statusCode !== 200) {
        void readBody(res).then(
          (body) => {
            let wire: unknown;
            try {
              wire = JSON.parse(body.toString('utf8'));
            } catch {
              wire = { code: 'INTERNAL', message: `${path}: HTTP ${res.statusCode}` };
            }
            if (res.statusCode === 401) settle(new CliError(EXIT.noInstance, `Ferry at ${instance.origin} refused the token of ${instance.file}; the file is stale.`));
            else if (res.statusCode === 429) settle(new CliError(EXIT.server, `${(wire as { message?: string }).message ?? 'too many streams'} (Retry-After: ${res.headers['retry-after'] ?? '?'} s)`));
            else settle(fromWireError(wire));
          },
          () => settle({ outcome: 'dropped', connected }),
        );
        return;
      }
      connected = true;
      res.setEncoding('utf8');
      let buffer = '';
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let end: number;
        while (!settled && (end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = parseBlock(block);
          if (!event) continue;
          if (event.event === 'end') return settle({ outcome: 'end', connected });
          if (event.event === 'idle') return settle({ outcome: 'idle', connected });
          try {
            if (onEvent(event) === 'done') return settle({ outcome: 'done', connected });
          } catch (err) {
            return settle(err as Error);
          }
        }
      });
      res.on('end', () => settle({ outcome: 'dropped', connected }));
      res.on('close', () => settle({ outcome: 'dropped', connected }));
    });
  });
}

/** One block of `field: value` lines; comments and `retry:` alone make no event. */
function parseBlock(block: string): SseEvent | undefined {
  let id: string | undefined;
  let event: string | undefined;
  const data: string[] = [];
  let any = false;
  for (const line of block.split('\n')) {
    if (line === '' || line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'id') id = value;
    else if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
    else continue;
    any = true;
  }
  if (!any) return undefined;
  return { ...(id !== undefined ? { id } : {}), event: event ?? (data.length ? 'message' : ''), data: data.join('\n') };
}
