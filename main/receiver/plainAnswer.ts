import type http from 'node:http';
import type { Duplex } from 'node:stream';
import { BATCH_LIMITS } from '../../shared/receiverBatch';

/**
 * Request bodies up to this size are read and dropped after an answer given before them, and the
 * connection stays open: closing a socket with unread data makes the kernel send a reset, which
 * can destroy the answer before the client reads it. A larger body is not worth receiving to
 * throw away; its answer goes out with `Connection: close`.
 */
const LINGER_BODY_BYTES = BATCH_LIMITS.bytes + BATCH_LIMITS.indexBytes + 1024 * 1024;

/** Answers `status` with a one-line text body (the message a client shows its user). */
export function plain(req: http.IncomingMessage, res: http.ServerResponse, status: number, body: string, headers: http.OutgoingHttpHeaders = {}): void {
  const declared = Number(req.headers['content-length'] ?? 0);
  const linger = req.headers['transfer-encoding'] === undefined && declared <= LINGER_BODY_BYTES;
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', ...(linger ? {} : { Connection: 'close' }), ...headers });
  res.end(`${body}\n`);
}

/**
 * Requests Node's parser refuses (headers beyond its limit, malformed framing) get a typed answer
 * before the connection closes, instead of a bare reset the client cannot tell from a network fault.
 */
export function answerClientError(err: NodeJS.ErrnoException, socket: Duplex): void {
  if (err.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const [status, reason, text] =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'Request Header Fields Too Large', 'Request Header Fields Too Large: the request headers are longer than the receiver accepts']
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'Request Timeout', 'Request Timeout: the request did not arrive in time']
        : [400, 'Bad Request', `Bad Request: the request is not valid HTTP (${err.code ?? 'parse error'})`];
  const body = `${text}\n`;
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}
