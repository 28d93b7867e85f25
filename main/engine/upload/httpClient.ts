import http from 'node:http';
import https from 'node:https';
import { networkError, throwIfAborted } from './transferErrors';

/** The part of an answer tus needs: status, headers, and a short body for error messages. */
export interface HttpAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface HttpCall {
  method: string;
  url: URL;
  headers: Record<string, string | number>;
  /**
   * Streamed as it is produced (a throttled chunk body); never collected in memory. Each slice is
   * written before the next is asked for, so a producer may reuse a slice's buffer afterwards.
   */
  body?: AsyncIterable<Buffer>;
  signal: AbortSignal;
  /** Bytes of the answer's body kept; default 16 KiB (enough for any error message). */
  answerLimit?: number;
}

/** Error bodies can be anything a proxy returns; keep what a message needs. */
const MAX_ANSWER_BODY = 16 * 1024;

/**
 * Resolves once `slice` has been handed to the socket (or the request closed): the caller may then
 * reuse the slice's memory, which a plain `write()` returning true does not allow.
 */
function written(req: http.ClientRequest, slice: Buffer): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      req.off('close', done);
      resolve();
    };
    req.on('close', done);
    req.write(slice, done);
  });
}

/**
 * A small HTTP/1.1 client over node's http/https with keep-alive agents, so sequential PATCHes
 * reuse one connection. Request bodies are streamed with backpressure; a server that answers
 * before the body is complete (409, 460, 5xx) is heard at once and the half-used connection is
 * dropped instead of returned to the pool.
 */
export class HttpClient {
  private readonly httpAgent: http.Agent;
  private readonly httpsAgent: https.Agent;

  /** `idleTimeoutMs`: a socket silent this long (no byte either way) fails the call as retriable. */
  constructor(private readonly idleTimeoutMs = 120_000) {
    this.httpAgent = new http.Agent({ keepAlive: true, maxSockets: 16 });
    this.httpsAgent = new https.Agent({ keepAlive: true, maxSockets: 16 });
  }

  request(op: string, call: HttpCall): Promise<HttpAnswer> {
    throwIfAborted(call.signal, op);
    const secure = call.url.protocol === 'https:';
    return new Promise<HttpAnswer>((resolve, reject) => {
      let settled = false;
      let bodySent = call.body === undefined;
      const limit = call.answerLimit ?? MAX_ANSWER_BODY;
      const req = (secure ? https : http).request(call.url, {
        method: call.method,
        headers: call.headers,
        agent: secure ? this.httpsAgent : this.httpAgent,
        signal: call.signal,
        timeout: this.idleTimeoutMs,
      });
      const fail = (err: unknown) => {
        if (settled) return;
        settled = true;
        req.destroy();
        reject(networkError(op, err, call.signal));
      };
      req.on('timeout', () => {
        const err = Object.assign(new Error(`no traffic for ${this.idleTimeoutMs} ms`), { code: 'ETIMEDOUT' });
        req.destroy(err);
      });
      req.on('error', fail);
      req.on('response', (res) => {
        const parts: Buffer[] = [];
        let kept = 0;
        res.on('data', (data: Buffer) => {
          if (kept < limit) {
            parts.push(data);
            kept += data.length;
          }
        });
        res.on('error', fail);
        res.on('aborted', () => fail(new Error('answer cut short')));
        res.on('end', () => {
          if (settled) return;
          settled = true;
          // An early answer leaves our body half-written: that socket must not be reused.
          if (!bodySent) req.destroy();
          const body = Buffer.concat(parts).subarray(0, limit).toString('utf8');
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body });
        });
      });
      if (call.body === undefined) {
        req.end();
        return;
      }
      const body = call.body;
      (async () => {
        for await (const slice of body) {
          if (settled || req.destroyed) return;
          await written(req, slice);
        }
        if (settled || req.destroyed) return;
        bodySent = true;
        req.end();
      })().catch(fail);
    });
  }

  /** Closes idle keep-alive sockets (call when the destination is no longer used). */
  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }
}
