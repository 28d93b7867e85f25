import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { WS_TOKEN_PREFIX } from '../../../shared/wire';

/**
 * Who may drive the web host. Anything that reaches its port is untrusted: other local processes
 * and every page in the user's browser (cookies ignore ports, so nothing ambient is trusted). A
 * request proves the token itself, in a header a page on another origin cannot set without a
 * preflight the host never grants; browser requests must also come from the host's own origin.
 */

export function sameToken(a: string | undefined, b: string): boolean {
  if (!a) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The origins the host's own pages have: the loopback names of its port. */
export function ownOrigins(port: number): string[] {
  return [`http://127.0.0.1:${port}`, `http://localhost:${port}`, `http://[::1]:${port}`];
}

/** The Host header names the loopback address, which defeats DNS rebinding. */
export function hostAllowed(req: IncomingMessage, port: number): boolean {
  return ownOrigins(port).some((o) => o === `http://${req.headers.host ?? ''}`);
}

/**
 * A browser names the page that sent a request (Origin, Sec-Fetch-Site); it must be the host's own.
 * A request naming neither is not from a browser page (the CLI, curl) and still needs the token.
 */
export function originAllowed(req: IncomingMessage, port: number): boolean {
  const site = req.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return false;
  const origin = req.headers.origin;
  return origin === undefined || ownOrigins(port).includes(origin);
}

/** The token a request presents: `Authorization: Bearer`, or on a WebSocket upgrade its subprotocol. */
export function presentedToken(req: IncomingMessage): string | undefined {
  const auth = req.headers.authorization;
  if (auth?.startsWith('Bearer ')) return auth.slice(7);
  const offered = req.headers['sec-websocket-protocol'];
  if (typeof offered !== 'string') return undefined;
  const carrier = offered.split(',').map((p) => p.trim()).find((p) => p.startsWith(WS_TOKEN_PREFIX));
  return carrier?.slice(WS_TOKEN_PREFIX.length);
}

/** A JSON body: no form post or `text/plain` fetch (the requests a page may send without a preflight) passes. */
export function isJsonBody(req: IncomingMessage): boolean {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  return type === 'application/json';
}

/** Why an API request is refused (403: a page of another origin; 401: no valid token), or undefined. */
export interface Refusal {
  status: 403 | 401;
  message: string;
}

/**
 * The checks every API request passes after its Host header, in this order: the origin (a browser
 * page of another site is refused even with a token it somehow holds), then the token itself.
 * `tokenHint` says where the caller finds the token.
 */
export function apiRefusal(req: IncomingMessage, port: number, token: string, tokenHint: string): Refusal | undefined {
  if (!originAllowed(req, port)) return { status: 403, message: 'requests from another origin are refused' };
  if (!sameToken(presentedToken(req), token)) return { status: 401, message: `a valid token is required in the Authorization header (${tokenHint})` };
  return undefined;
}
