import http from 'node:http';
import net from 'node:net';
import { listenOnLoopback } from '../../helpers/loopback';

/** What the test server serves and how it misbehaves; change it between requests with `set`. */
export interface RangeServerConfig {
  content: Buffer;
  etag: string | null;
  lastModified: string | null;
  /** Answer 200 with the whole file even when a Range is asked for. */
  ignoreRange: boolean;
  /** Honour If-Range (send the whole file when the validator does not match). */
  honourIfRange: boolean;
  /** Statuses to answer, one per request, before serving normally again. */
  failNext: number[];
  /** Sent with the statuses of `failNext`. */
  retryAfter?: string;
  /** Body pacing: `bytes` every `everyMs`, so a test can act mid-download. */
  throttle?: { bytes: number; everyMs: number };
}

export interface RecordedRequest {
  range: string | undefined;
  ifRange: string | undefined;
  status: number;
}

export interface RangeServer {
  port: number;
  url(pathname?: string): string;
  readonly requests: RecordedRequest[];
  set(config: Partial<RangeServerConfig>): void;
  close(): Promise<void>;
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A real HTTP server on 127.0.0.1 serving one file at /file with byte-range support (RFC 9110). */
export async function startRangeServer(initial: Partial<RangeServerConfig> & { content: Buffer }): Promise<RangeServer> {
  let config: RangeServerConfig = { etag: '"v1"', lastModified: new Date(0).toUTCString(), ignoreRange: false, honourIfRange: true, failNext: [], ...initial };
  const requests: RecordedRequest[] = [];

  const send = async (res: http.ServerResponse, body: Buffer) => {
    const pace = config.throttle;
    if (!pace) return void res.end(body);
    for (let at = 0; at < body.length && !res.destroyed; at += pace.bytes) {
      const ok = res.write(body.subarray(at, at + pace.bytes));
      if (!ok) {
        await new Promise<void>((resolve) => {
          const done = () => {
            res.off('drain', done).off('close', done);
            resolve();
          };
          res.on('drain', done).on('close', done);
        });
      }
      await delay(pace.everyMs);
    }
    res.end();
  };

  const server = http.createServer((req, res) => {
    const record = (status: number) => requests.push({ range: req.headers.range, ifRange: req.headers['if-range'] as string | undefined, status });
    res.on('error', () => undefined);
    const failure = config.failNext.shift();
    if (failure !== undefined) {
      record(failure);
      res.writeHead(failure, config.retryAfter ? { 'Retry-After': config.retryAfter } : {});
      return void res.end(`failure ${failure}`);
    }
    if (req.url !== '/file') {
      record(404);
      res.writeHead(404);
      return void res.end('no such file');
    }
    const { content, etag, lastModified } = config;
    const validators: Record<string, string> = { 'Accept-Ranges': 'bytes', ...(etag ? { ETag: etag } : {}), ...(lastModified ? { 'Last-Modified': lastModified } : {}) };
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    const ifRange = req.headers['if-range'] as string | undefined;
    const validatorMatches = !ifRange || !config.honourIfRange || ifRange === etag || ifRange === lastModified;
    if (range && !config.ignoreRange && validatorMatches) {
      const start = Number(range[1]);
      if (start >= content.length) {
        record(416);
        res.writeHead(416, { ...validators, 'Content-Range': `bytes */${content.length}` });
        return void res.end();
      }
      record(206);
      res.writeHead(206, { ...validators, 'Content-Range': `bytes ${start}-${content.length - 1}/${content.length}`, 'Content-Length': content.length - start });
      return void send(res, content.subarray(start));
    }
    record(200);
    res.writeHead(200, { ...validators, 'Content-Length': content.length });
    void send(res, content);
  });
  const { port, close } = await listenOnLoopback(server);
  return {
    port,
    url: (pathname = '/file') => `http://127.0.0.1:${port}${pathname}`,
    requests,
    set: (next) => {
      config = { ...config, ...next };
    },
    close,
  };
}

/** A TCP server that answers every connection with bytes that are not HTTP. */
export async function startGarbageServer(): Promise<{ port: number; close: () => Promise<void> }> {
  const server = net.createServer((s) => {
    s.on('error', () => undefined);
    s.end('\x00\x01garbage that is not HTTP\r\n\r\n');
  });
  return listenOnLoopback(server);
}
