/**
 * What a connection test ran into, in words a person can act on: a network failure classified by
 * its error codes (refused, name not found, no answer, TLS, closed without an answer), and the
 * server that answered recognised by its headers and body (a tus server, an S3 server, or some
 * other web server), so "UnknownError" or "fetch failed" never reach the user.
 */
import type { ConnectionProblem } from '../../../shared/destinations';

/** A failed test: the kind, what happened and what to check. */
export interface Diagnosis {
  problem: ConnectionProblem;
  message: string;
  hint: string;
}

/** Who answered an HTTP request, as far as its answer tells. */
export interface Answer {
  status: number;
  kind: 'tus' | 's3' | 'web';
  contentType: string | undefined;
  server: string | undefined;
  tusVersion: string | undefined;
}

const TLS_CODE = /^(ERR_TLS_|ERR_SSL_|CERT_|DEPTH_ZERO_SELF_SIGNED_CERT$|SELF_SIGNED_CERT_IN_CHAIN$|UNABLE_TO_VERIFY_LEAF_SIGNATURE$|UNABLE_TO_GET_ISSUER_CERT|EPROTO$|HOSTNAME_MISMATCH$)/;
const CLOSED_CODE = /^(ECONNRESET|EPIPE|UND_ERR_SOCKET|UND_ERR_CLOSED)$/;

/** `host:port` of a URL, with the scheme's default port spelled out. */
export function addressOf(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || (u.protocol === 'https:' ? '443' : '80')}`;
  } catch {
    return url;
  }
}

/** Codes, names and messages along an error's cause chain (fetch wraps the socket error in `cause`). */
function traitsOf(err: unknown): { codes: string[]; names: string[]; messages: string[] } {
  const codes: string[] = [];
  const names: string[] = [];
  const messages: string[] = [];
  const seen = new Set<unknown>();
  const visit = (e: unknown): void => {
    if (!e || typeof e !== 'object' || seen.has(e)) return;
    seen.add(e);
    const { code, name, message, cause, errors } = e as { code?: unknown; name?: unknown; message?: unknown; cause?: unknown; errors?: unknown };
    if (typeof code === 'string') codes.push(code);
    if (typeof name === 'string') names.push(name);
    if (typeof message === 'string') messages.push(message);
    visit(cause);
    if (Array.isArray(errors)) errors.forEach(visit);
  };
  visit(err);
  return { codes, names, messages };
}

/** A network failure in plain words, or undefined when the error is not one (the server answered). */
export function networkProblem(err: unknown, url: string, timeoutSeconds: number): Diagnosis | undefined {
  const at = addressOf(url);
  const { codes, names, messages } = traitsOf(err);
  const has = (re: RegExp): boolean => codes.some((c) => re.test(c));
  if (has(/^ECONNREFUSED$/)) {
    return { problem: 'refused', message: `Nothing is listening at ${at}: the connection was refused.`, hint: 'Check the address and the port, and that the server is running.' };
  }
  if (has(/^(ENOTFOUND|EAI_AGAIN|EAI_NONAME|EAI_FAIL)$/)) {
    const host = at.replace(/:\d+$/, '');
    return { problem: 'dns', message: `The name ${host} was not found.`, hint: 'Check the address for a typo, and that this computer is on the network that knows that name (office network or VPN).' };
  }
  // Before the timeout: the AWS SDK names a socket hang-up (ECONNRESET) a TimeoutError.
  if (has(CLOSED_CODE) || messages.some((m) => /socket hang up|other side closed/i.test(m))) {
    return {
      problem: 'closed',
      message: `${at} accepted the connection but closed it without answering.`,
      hint: 'Check the port (it may belong to another service), and whether the server wants https:// rather than http://.',
    };
  }
  if (names.some((n) => n === 'TimeoutError' || n === 'AbortError') || has(/^(ETIMEDOUT|UND_ERR_CONNECT_TIMEOUT|UND_ERR_HEADERS_TIMEOUT|ESOCKETTIMEDOUT)$/)) {
    return { problem: 'timeout', message: `${at} did not answer within ${timeoutSeconds} s.`, hint: 'Check the address and the port, and any firewall or VPN between this computer and the server.' };
  }
  const tls = codes.find((c) => TLS_CODE.test(c));
  if (tls) {
    const plain = /WRONG_VERSION_NUMBER|EPROTO|PACKET_LENGTH_TOO_LONG/.test(tls);
    return {
      problem: 'tls',
      message: `The secure (TLS) connection to ${at} failed (${tls}).`,
      hint: plain
        ? 'The server does not seem to speak TLS on this port: try http:// instead of https://, or check the port.'
        : "Check that the server's certificate is valid for this name and trusted by this computer.",
    };
  }
  if (messages.some((m) => /^bad port$/i.test(m))) {
    const port = at.replace(/^.*:/, '');
    return { problem: 'refused', message: `Ferry does not connect to port ${port}: it is reserved for other services, so no upload server uses it.`, hint: 'Check the port in the address.' };
  }
  return undefined;
}

/** Who answered, from the status, headers and the first bytes of the body. */
export function identify(status: number, headers: Headers, bodyStart: string): Answer {
  const tusVersion = headers.get('tus-version') ?? headers.get('tus-resumable') ?? undefined;
  const contentType = headers.get('content-type')?.split(';')[0]?.trim() || undefined;
  const server = headers.get('server') ?? undefined;
  let amz = false;
  headers.forEach((_value, key) => {
    if (key.toLowerCase().startsWith('x-amz-')) amz = true;
  });
  const s3Body = /<(Error|ListBucketResult|ListAllMyBucketsResult|InitiateMultipartUploadResult)\b/.test(bodyStart) && /<Code>|<Name>|<Bucket>/.test(bodyStart);
  const kind = tusVersion ? 'tus' : amz || s3Body ? 's3' : 'web';
  return { status, kind, contentType, server, tusVersion };
}

/** Asks `url` with a plain GET and says who answered (the body is read up to 4 KB). */
export async function probe(url: string, signal: AbortSignal, init: RequestInit = {}): Promise<Answer> {
  const res = await fetch(url, { method: 'GET', ...init, signal, redirect: 'manual' });
  let body = '';
  const reader = res.body?.getReader();
  if (reader) {
    const decoder = new TextDecoder();
    while (body.length < 4096) {
      const { done, value } = await reader.read();
      if (done) break;
      body += decoder.decode(value, { stream: true });
    }
    await reader.cancel().catch(() => undefined);
  }
  return identify(res.status, res.headers, body);
}

/** "a web server (HTTP 404, text/html, nginx)", for messages. */
export function describeAnswer(a: Answer): string {
  const parts = [`HTTP ${a.status}`, a.contentType, a.server].filter(Boolean).join(', ');
  if (a.kind === 'tus') return `a tus upload server (tus ${a.tusVersion}, HTTP ${a.status})`;
  if (a.kind === 's3') return `an S3 server (${parts})`;
  return `a web server (${parts})`;
}
