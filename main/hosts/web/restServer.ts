/**
 * The versioned API alone on a loopback port: the desktop app's "Allow local scripts". The same
 * request guard as the web host (the Host header names the loopback address, no page of another
 * origin, the bearer token) and the same handlers: `/api/v1/` and the command route
 * `/api/call/<name>` the CLI uses; no static files, no WebSocket.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { toWireError } from '../../../shared/errors';
import { REST_PREFIX } from '../../../shared/restApi';
import { createLogger, type Engine } from '../../engine/index';
import { CSP } from '../csp';
import { callRoute } from '../../../shared/wire';
import { ApiLimits } from './apiLimits';
import { handleCall } from './callApi';
import { apiRefusal, hostAllowed } from './requestGuard';
import { handleRest, isRestPath, type RestContext } from './restApi';

const log = createLogger('rest');

export interface RestServer {
  /** `http://127.0.0.1:<port>`, without a token. */
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

export const API_HEADERS = {
  'Content-Security-Policy': CSP,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Opener-Policy': 'same-origin',
};

export async function startRestServer(options: { engine: Engine; token?: string; port?: number }): Promise<RestServer> {
  const token = options.token ?? randomBytes(24).toString('base64url');
  const ctx: RestContext = { engine: options.engine, limits: new ApiLimits(), headers: API_HEADERS };
  let port = 0;

  const answer = (res: ServerResponse, status: number, code: string, message: string) => {
    res.writeHead(status, { ...API_HEADERS, 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
    res.end(JSON.stringify({ code, message }));
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!hostAllowed(req, port)) return answer(res, 421, 'UNAUTHORIZED', 'unexpected Host header');
    const url = new URL(req.url ?? '/', `http://${req.headers.host}`);
    const call = callRoute(url.pathname);
    if (!call && !isRestPath(url.pathname)) return answer(res, 404, 'NOT_FOUND', `only the API is served here: see ${REST_PREFIX}/openapi.json`);
    const refused = apiRefusal(req, port, token, 'it is in instance.json');
    if (refused) return answer(res, refused.status, 'UNAUTHORIZED', refused.message);
    if (call) return handleCall(options.engine, req, res, call, API_HEADERS);
    return handleRest(ctx, req, res, url);
  }

  const server = createServer((req, res) => {
    void handle(req, res).catch((err) => {
      log.error('request failed', err);
      if (res.headersSent) return void res.destroy();
      const wire = toWireError(err);
      answer(res, 500, wire.code, wire.message);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    token,
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // A followed log or event stream must not hold the port open.
      server.closeAllConnections();
      await closed;
    },
  };
}
