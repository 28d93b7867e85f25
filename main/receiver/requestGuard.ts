import { createHash, timingSafeEqual } from 'node:crypto';
import type http from 'node:http';
import net from 'node:net';

/**
 * Who may talk to the receiver at all, decided before a request reaches tus or the batch code.
 * Anything that can reach the port is untrusted: other local processes and every web page in the
 * user's browser (a page can aim requests at 127.0.0.1, and a DNS-rebinding page at any port).
 */

/** What a refused request is answered. */
export interface Refusal {
  status: number;
  message: string;
  headers?: http.OutgoingHttpHeaders;
}

export interface GuardOptions {
  /**
   * The receiver listens on loopback only: the Host header must name this computer, so a page
   * whose own host name was rebound to 127.0.0.1 is refused. Shared on the network, any Host goes
   * (other computers use its LAN address), and the token proves who is asking instead.
   */
  loopbackOnly: boolean;
  /** When set, every request must carry `Authorization: Bearer <token>`. */
  token?: string;
}

/**
 * Content types a page may send cross-origin without a CORS preflight (the Fetch standard's
 * "CORS-safelisted" ones): a form post or a plain-text fetch. Ferry's clients never send them.
 */
const SIMPLE_CONTENT_TYPES = new Set(['application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain']);

/** Loopback is the only place an unauthenticated receiver is safe to listen on. */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  if (h === 'localhost') return true;
  if (net.isIPv4(h)) return h.startsWith('127.');
  if (net.isIPv6(h)) return h === '::1' || h === '0:0:0:0:0:0:0:1' || /^::ffff:127\./.test(h);
  return false;
}

/** The name part of a Host header (`127.0.0.1:8080` → `127.0.0.1`, `[::1]:80` → `[::1]`). */
function hostName(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const bracketed = /^(\[[^\]]*\])(?::\d+)?$/.exec(header);
  if (bracketed) return bracketed[1];
  const plain = /^([^:[\]]+)(?::\d+)?$/.exec(header);
  return plain?.[1];
}

/** Hashing both sides first makes the comparison constant-time even when lengths differ. */
function tokenMatches(header: string | undefined, token: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(header ?? ''), digest(`Bearer ${token}`));
}

/**
 * Browsers mark every request a page makes: `Origin` on anything but a plain GET/HEAD (form posts
 * and no-cors fetches included), `Sec-Fetch-Site` on all of them. The receiver serves no page, so
 * no browser request is its own; a user typing its URL (`none`) only ever reads.
 */
function fromWebPage(req: http.IncomingMessage): boolean {
  if (req.headers.origin !== undefined) return true;
  const site = req.headers['sec-fetch-site'];
  return site !== undefined && site !== 'none';
}

function simpleContentType(header: string | undefined): boolean {
  if (header === undefined) return false;
  const essence = header.split(';')[0]!.trim().toLowerCase();
  return SIMPLE_CONTENT_TYPES.has(essence);
}

/** Why `req` is refused before any handler sees it, or undefined when it may go on. */
export function refusal(req: http.IncomingMessage, opts: GuardOptions): Refusal | undefined {
  if (opts.loopbackOnly) {
    // Any port: a tunnel or a local proxy in front of the receiver keeps its own port in Host,
    // and a rebinding page cannot make the name a loopback one. Ports are no defence here.
    const name = hostName(req.headers.host);
    if (name === undefined || !isLoopbackHost(name)) {
      return { status: 421, message: `Misdirected Request: Host ${JSON.stringify(req.headers.host ?? '')} does not name this computer; the receiver listens on loopback only` };
    }
  }
  if (fromWebPage(req)) {
    return { status: 403, message: 'Forbidden: the receiver takes no requests from web pages (Origin or Sec-Fetch-Site present)' };
  }
  if (opts.token !== undefined && !tokenMatches(req.headers.authorization, opts.token)) {
    return { status: 401, message: 'Unauthorized: Authorization: Bearer <token> required', headers: { 'WWW-Authenticate': 'Bearer realm="ferry"' } };
  }
  if ((req.method === 'POST' || req.method === 'PATCH') && simpleContentType(req.headers['content-type'])) {
    return { status: 415, message: `Unsupported Media Type: ${req.headers['content-type']} (a form or plain-text body); send application/octet-stream or application/offset+octet-stream` };
  }
  return undefined;
}
