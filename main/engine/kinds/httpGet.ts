import http from 'node:http';
import https from 'node:https';
import { FerryError } from '../../../shared/errors';
import { networkError, remoteError, retriableStatus } from '../upload/transferErrors';
import { parseRetryAfter } from '../util/retryAfter';

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

export interface GetOptions {
  /** Names the operation in error messages (`download(job 4, https://host/path)`). */
  op: string;
  /** Sent on every hop to the original origin; dropped after a redirect elsewhere (they may hold credentials). */
  headers: Record<string, string>;
  /** Range headers and the like, sent on every hop. */
  rangeHeaders: Record<string, string>;
  signal: AbortSignal;
  /** A socket silent this long (no byte either way) fails the request as retriable. */
  idleTimeoutMs: number;
  maxRedirects: number;
}

export interface GetAnswer {
  res: http.IncomingMessage;
  /** Whether the idle timer killed the socket (its error then reads as a plain reset). */
  timedOut(): boolean;
}

/** A URL for messages and logs: no credentials, no query (signed URLs carry tokens there). */
export function describeUrl(url: string | URL): string {
  try {
    const u = typeof url === 'string' ? new URL(url) : url;
    return `${u.origin}${u.pathname}`;
  } catch {
    return '(invalid URL)';
  }
}

function once(url: URL, headers: Record<string, string>, options: GetOptions): Promise<GetAnswer> {
  return new Promise((resolve, reject) => {
    let timedOut = false;
    let settled = false;
    const req = (url.protocol === 'https:' ? https : http).request(url, { method: 'GET', headers, signal: options.signal });
    req.setTimeout(options.idleTimeoutMs, () => {
      timedOut = true;
      req.destroy(Object.assign(new Error(`no data for ${options.idleTimeoutMs} ms`), { code: 'ETIMEDOUT' }));
    });
    // Stays attached after the answer: a socket that dies mid-body also errors the request.
    req.on('error', (err) => {
      if (settled) return;
      settled = true;
      reject(classifyGetError(options.op, err, options.signal, timedOut));
    });
    req.on('response', (res) => {
      settled = true;
      resolve({ res, timedOut: () => timedOut });
    });
    req.end();
  });
}

/**
 * GET that follows up to `maxRedirects` redirects and answers the final response unread; the
 * caller reads or destroys it. Statuses are not judged here (a 206 or a 416 means something only
 * to the caller).
 */
export async function httpGet(url: URL, options: GetOptions): Promise<GetAnswer & { url: URL }> {
  let current = url;
  for (let hop = 0; ; hop++) {
    const sameOrigin = current.origin === url.origin;
    const headers = { ...(sameOrigin ? options.headers : {}), ...options.rangeHeaders };
    const answer = await once(current, headers, options);
    const status = answer.res.statusCode ?? 0;
    const location = answer.res.headers.location;
    if (!REDIRECTS.has(status) || !location) return { ...answer, url: current };
    answer.res.destroy();
    if (hop >= options.maxRedirects) throw remoteError(`${options.op}: more than ${options.maxRedirects} redirects`, { status, retriable: false });
    const next = new URL(location, current);
    if (next.protocol !== 'http:' && next.protocol !== 'https:') {
      throw remoteError(`${options.op}: redirected to an unsupported address (${next.protocol})`, { status, retriable: false });
    }
    current = next;
  }
}

/** Turns a status the caller cannot use into an error; server trouble, throttling and 408 are worth another try. */
export function statusError(op: string, res: http.IncomingMessage): FerryError {
  const status = res.statusCode ?? 0;
  const retriable = retriableStatus(status) || status === 408;
  const retryAfterMs = parseRetryAfter(res.headers['retry-after']);
  return remoteError(`${op}: server answered ${status} ${res.statusMessage ?? ''}`.trimEnd(), {
    status,
    retriable,
    ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
  });
}

/**
 * Maps what a GET or its body threw: socket failures and timeouts are retriable, an answer that is
 * not HTTP at all is not (another try meets the same server), cancels become CANCELED.
 */
export function classifyGetError(op: string, err: unknown, signal: AbortSignal, timedOut: boolean): FerryError {
  if (err instanceof FerryError) return err;
  if (timedOut && !signal.aborted) return remoteError(`${op}: no data from the server for a while; the connection was dropped`, { retriable: true, errno: 'ETIMEDOUT' });
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && code.startsWith('HPE_')) {
    return remoteError(`${op}: the server's answer is not valid HTTP (${(err as Error).message})`, { retriable: false, errno: code });
  }
  const mapped = networkError(op, err, signal);
  const details = (mapped.details ?? {}) as Record<string, unknown>;
  // networkError leaves unknown failures unmarked; say it outright, since the scheduler retries unmarked errors.
  return details.retriable === true || mapped.code === 'CANCELED' ? mapped : new FerryError(mapped.code, mapped.message, { ...details, retriable: false });
}

export interface ContentRange {
  start: number;
  end: number;
  /** Null when the server wrote `*`. */
  total: number | null;
}

/** Parses `bytes 100-199/1000` (and `bytes * /1000` of a 416 as start = end = -1). */
export function parseContentRange(value: string | undefined): ContentRange | undefined {
  if (!value) return undefined;
  const unsatisfied = /^bytes \*\/(\d+)$/i.exec(value.trim());
  if (unsatisfied) return { start: -1, end: -1, total: Number(unsatisfied[1]) };
  const m = /^bytes (\d+)-(\d+)\/(\d+|\*)$/i.exec(value.trim());
  if (!m) return undefined;
  const start = Number(m[1]);
  const end = Number(m[2]);
  const total = m[3] === '*' ? null : Number(m[3]);
  if (end < start || (total !== null && end >= total)) return undefined;
  return { start, end, total };
}
