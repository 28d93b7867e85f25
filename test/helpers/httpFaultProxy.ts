import http from 'node:http';
import { listenOnLoopback } from './loopback';

/**
 * An HTTP forwarder on 127.0.0.1 that fails chosen requests on purpose, where the TCP fault proxy
 * cannot tell requests apart: the same S3 part or the same tus upload failing several times in a
 * row, or a server answering 5xx. Everything else is forwarded untouched (the Host header too, so
 * S3 signatures and tus Location headers stay valid), one upstream connection per request.
 */

export interface RequestFault {
  /** Which requests the fault may hit (method, and path with query). */
  match: (req: { method: string; url: string }) => boolean;
  /**
   * How many requests in a row it fails. The first matching request picks a key (method and URL:
   * one S3 part, one tus upload); the fault then hits only that key until it has fired `times`.
   */
  times: number;
  /**
   * Reset the connection after this many body bytes went through; answer this status at once; or
   * let the whole request reach the server and reset the client's connection instead of passing
   * on the server's answer (the server acted, the client never learns how).
   */
  action: { resetAfterBodyBytes: number } | { status: number } | { dropAnswer: true };
}

export interface HttpFaultProxy {
  port: number;
  url(pathname?: string): string;
  /** Replaces the active faults; each fires on its own key. */
  setFaults(faults: RequestFault[]): void;
  /** Injected failures so far, per `METHOD url`. */
  fired(): Map<string, number>;
  /** Requests forwarded so far. */
  forwarded(): number;
  close(): Promise<void>;
}

interface ActiveFault {
  fault: RequestFault;
  key: string | null;
  left: number;
}

export async function startHttpFaultProxy(target: { host: string; port: number }): Promise<HttpFaultProxy> {
  let active: ActiveFault[] = [];
  const fired = new Map<string, number>();
  let forwarded = 0;

  const pick = (req: http.IncomingMessage): ActiveFault | undefined => {
    const key = `${req.method} ${req.url}`;
    const hit = active.find((a) => a.left > 0 && (a.key === null ? a.fault.match({ method: req.method ?? '', url: req.url ?? '' }) : a.key === key));
    if (!hit) return undefined;
    hit.key = key;
    hit.left--;
    fired.set(key, (fired.get(key) ?? 0) + 1);
    return hit;
  };

  const server = http.createServer((req, res) => {
    res.on('error', () => undefined);
    const fault = pick(req);
    if (fault && 'status' in fault.fault.action) {
      // Answered before the body is read, as an overloaded server or gateway does.
      res.writeHead(fault.fault.action.status, { 'Content-Type': 'text/plain', Connection: 'close' });
      res.end(`injected ${fault.fault.action.status}`, () => req.socket.destroy());
      return;
    }
    forwarded++;
    const resetAt = fault && 'resetAfterBodyBytes' in fault.fault.action ? fault.fault.action.resetAfterBodyBytes : Number.POSITIVE_INFINITY;
    const upstream = http.request({ host: target.host, port: target.port, method: req.method, path: req.url, headers: req.headers, agent: false }, (answer) => {
      if (fault && 'dropAnswer' in fault.fault.action) {
        answer.resume();
        answer.on('end', () => req.socket.resetAndDestroy());
        return;
      }
      res.writeHead(answer.statusCode ?? 502, answer.statusMessage, answer.rawHeaders);
      answer.pipe(res);
      answer.on('error', () => res.destroy());
    });
    upstream.on('error', () => res.destroy());
    req.on('close', () => {
      if (!req.complete) upstream.destroy();
    });
    let seen = 0;
    req.on('data', (chunk: Buffer) => {
      if (seen + chunk.length > resetAt) {
        upstream.write(chunk.subarray(0, Math.max(0, resetAt - seen)));
        seen = resetAt;
        // The server sees an aborted request, the client a reset connection.
        upstream.destroy();
        req.socket.resetAndDestroy();
        return;
      }
      seen += chunk.length;
      if (!upstream.write(chunk)) {
        req.pause();
        upstream.once('drain', () => req.resume());
      }
    });
    req.on('end', () => upstream.end());
  });
  const { port, close } = await listenOnLoopback(server);
  return {
    port,
    url: (pathname = '/') => `http://127.0.0.1:${port}${pathname.startsWith('/') ? pathname : `/${pathname}`}`,
    setFaults: (faults) => {
      active = faults.map((fault) => ({ fault, key: null, left: fault.times }));
    },
    fired: () => new Map(fired),
    forwarded: () => forwarded,
    close,
  };
}
