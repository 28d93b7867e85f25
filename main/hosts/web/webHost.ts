import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { notFound, toWireError } from '../../../shared/errors';
import { createLogger, dispatchCommand, openStream, type Engine } from '../../engine/index';
import { HTTP_ROUTES, WS_CLOSE_UNAUTHORIZED, WS_PROTOCOL, callRoute, stageRoute, wsClientFrame, type WsServerFrame } from '../../../shared/wire';
import { apiRefusal, hostAllowed, originAllowed, presentedToken, sameToken } from './requestGuard';
import { WebStaging } from './staging';
import { serveStatic } from './staticFiles';
import type { ApiLimitOptions } from '../../../shared/contract';
import { ApiLimits } from './apiLimits';
import { handleCall } from './callApi';
import { handleRest, isRestPath, statusFor, type RestContext } from './restApi';
import { API_HEADERS } from './restServer';

const log = createLogger('web');
const MAX_BODY = 1024 * 1024;
/** A client this far behind on a socket is dropped rather than buffered without bound. */
const MAX_WS_BUFFER = 64 * 1024 * 1024;

export interface WebHostOptions {
  engine: Engine;
  /** Folder of the built renderer (index.html and assets). */
  rendererDir: string;
  port?: number;
  /** Loopback only: the web host never listens on other interfaces. */
  host?: '127.0.0.1' | '::1';
  token?: string;
  /** The versioned API's limits (streams per client, request rate, idle streams); default DEFAULT_API_LIMITS. */
  apiLimits?: ApiLimitOptions;
  /** Where dropped files are streamed (the staging the engine's host services reserve areas in). */
  staging?: WebStaging;
}

export interface WebHost {
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

/**
 * The engine behind HTTP and WebSocket on loopback. The app's static files are public (they hold
 * nothing of the user's); every API request and WebSocket proves the token itself (a Bearer header,
 * or the socket's subprotocol) and must come from the host's own origin. Nothing ambient (no
 * cookie) authorises anything, and the Host header must name the loopback address (DNS rebinding).
 */
export async function startWebHost(options: WebHostOptions): Promise<WebHost> {
  const token = options.token ?? randomBytes(24).toString('base64url');
  const host = options.host ?? '127.0.0.1';
  const sockets = new Set<WebSocket>();
  let port = 0;

  const authorized = (req: IncomingMessage) => sameToken(presentedToken(req), token);
  // The versioned API answers errors as `{code, message}`; the app's own routes as an envelope.
  const refuse = (res: ServerResponse, status: number, message: string, rest = false) =>
    send(res, status, rest ? { code: 'UNAUTHORIZED', message } : { ok: false, error: { code: 'UNAUTHORIZED', message } });

  const securityHeaders = API_HEADERS;
  const rest: RestContext = { engine: options.engine, limits: new ApiLimits(options.apiLimits), headers: securityHeaders };

  const send = (res: ServerResponse, status: number, body: unknown) => {
    const data = JSON.stringify(body);
    res.writeHead(status, { ...securityHeaders, 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
    res.end(data);
  };

  const server = createServer((req, res) => {
    void handle(req, res).catch((err) => {
      log.error('request failed', err);
      if (!res.headersSent) send(res, 500, { ok: false, error: toWireError(err) });
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const versioned = isRestPath(url.pathname);
    if (!hostAllowed(req, port)) return refuse(res, 421, 'unexpected Host header', versioned);
    if (url.pathname.startsWith(HTTP_ROUTES.apiPrefix)) {
      const refused = apiRefusal(req, port, token, 'open the URL Ferry printed at start');
      if (refused) return refuse(res, refused.status, refused.message, versioned);
      if (versioned) return handleRest(rest, req, res, url);
    }
    const staged = stageRoute(url.pathname);
    if (staged) {
      if (req.method !== 'PUT') return send(res, 405, { ok: false, error: { code: 'INVALID_INPUT', message: 'use PUT' } });
      try {
        if (!options.staging) throw notFound('stage: this host takes no dropped files');
        const file = await options.staging.receive(staged.stagingId, staged.rawRelative, req);
        return send(res, 200, { ok: true, value: file });
      } catch (err) {
        const wire = toWireError(err);
        return send(res, statusFor(wire.code), { ok: false, error: wire });
      }
    }
    const call = callRoute(url.pathname);
    if (call) return handleCall(options.engine, req, res, call, securityHeaders);
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, { ok: false, error: { code: 'INVALID_INPUT', message: 'method not allowed' } });
    if (await serveStatic(options.rendererDir, url.pathname, res, securityHeaders)) return;
    // Client-side routes fall back to the app shell.
    if (!url.pathname.includes('.') && (await serveStatic(options.rendererDir, '/index.html', res, securityHeaders))) return;
    send(res, 404, { ok: false, error: { code: 'NOT_FOUND', message: `no such file: ${url.pathname}` } });
  }

  // The token rides in a second offered subprotocol; the host answers with the plain one.
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_BODY, handleProtocols: (offered) => (offered.has(WS_PROTOCOL) ? WS_PROTOCOL : false) });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    // Browsers always send Origin on a WebSocket; a page of another origin never gets a socket.
    if (!hostAllowed(req, port) || !originAllowed(req, port) || url.pathname !== HTTP_ROUTES.socket) {
      socket.write('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
      socket.destroy();
      return;
    }
    if (!authorized(req)) {
      // The host's own page with a stale token (Ferry restarted with a new one) gets a close code it
      // can show instead of an upgrade failure it would retry for ever; scripts get a plain 401.
      if (req.headers.origin) wss.handleUpgrade(req, socket, head, (ws) => ws.close(WS_CLOSE_UNAUTHORIZED, 'a valid token is required'));
      else {
        socket.write('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n\r\n');
        socket.destroy();
      }
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => attach(ws));
  });

  function attach(ws: WebSocket): void {
    sockets.add(ws);
    const subs = new Map<number, () => void>();
    const out = (frame: WsServerFrame) => {
      if (ws.readyState !== ws.OPEN) return;
      if (ws.bufferedAmount > MAX_WS_BUFFER) {
        log.warn('dropping a WebSocket client that stopped reading');
        ws.terminate();
        return;
      }
      ws.send(JSON.stringify(frame));
    };
    ws.on('message', (data) => {
      let frame;
      try {
        frame = wsClientFrame.parse(JSON.parse(data.toString()));
      } catch {
        out({ t: 'res', id: -1, res: { ok: false, error: { code: 'INVALID_INPUT', message: 'malformed frame' } } });
        return;
      }
      if (frame.t === 'call') {
        const id = frame.id;
        void dispatchCommand(options.engine, frame.name, frame.input, 'web').then((res) => out({ t: 'res', id, res }));
      } else if (frame.t === 'sub') {
        const id = frame.id;
        subs.get(id)?.();
        subs.set(id, openStream(options.engine, frame.name, frame.params, (msg) => out({ t: 'msg', id, msg })));
      } else {
        subs.get(frame.id)?.();
        subs.delete(frame.id);
      }
    });
    ws.on('close', () => {
      for (const close of subs.values()) close();
      subs.clear();
      sockets.delete(ws);
    });
    ws.on('error', (err) => log.warn(`WebSocket error: ${err.message}`));
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  const base = host === '::1' ? `http://[::1]:${port}` : `http://127.0.0.1:${port}`;
  return {
    url: `${base}/?token=${token}`,
    port,
    token,
    close: async () => {
      for (const ws of sockets) ws.terminate();
      wss.close();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // A browser's keep-alive or half-sent request must not hold the shutdown open.
      server.closeAllConnections();
      await closed;
    },
  };
}
