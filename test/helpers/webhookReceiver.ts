import http from 'node:http';
import { verifySignature } from '../../main/engine/notify/signing';
import { listenOnLoopback } from './loopback';
import { readBody } from '../../main/util/readBody';

export interface Received {
  path: string;
  headers: http.IncomingHttpHeaders;
  /** The body exactly as it came off the wire. */
  raw: Buffer;
  at: number;
  /** Signature checked with the receiver's secret over the raw bytes. */
  verified: boolean;
}

/** How to answer request number `n` (from 0): a status, or never (to test timeouts). */
export type Answer = { status: number; headers?: Record<string, string>; body?: string } | 'hang';

export interface WebhookReceiver {
  port: number;
  url(path?: string): string;
  readonly received: Received[];
  /** Resolves once `n` requests arrived. */
  waitFor(n: number, timeoutMs?: number): Promise<Received[]>;
  close(): Promise<void>;
}

/** A real HTTP receiver on 127.0.0.1 that checks Ferry's signature the way a user's service would. */
export async function startWebhookReceiver(secret: string, answer: (n: number, r: Received) => Answer = () => ({ status: 200 })): Promise<WebhookReceiver> {
  const received: Received[] = [];
  const waiters = new Set<() => void>();
  const server = http.createServer((req, res) => {
    void readBody(req).then((raw) => {
      const r: Received = {
        path: req.url ?? '/',
        headers: req.headers,
        raw,
        at: Date.now(),
        verified: verifySignature(secret, String(req.headers['ferry-timestamp']), raw, req.headers['ferry-signature'] as string | undefined, { toleranceSeconds: 300 }),
      };
      const a = answer(received.length, r);
      received.push(r);
      for (const w of [...waiters]) w();
      if (a === 'hang') return;
      res.writeHead(a.status, a.headers ?? {});
      res.end(a.body ?? '');
    }, () => undefined); // a request the sender gave up on is not a delivery
  });
  const { port, close } = await listenOnLoopback(server);
  return {
    port,
    url: (path = '/hook') => `http://127.0.0.1:${port}${path}`,
    received,
    waitFor: (n, timeoutMs = 10_000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          if (received.length < n) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(received.slice());
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`webhook receiver: ${received.length} of ${n} requests after ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.add(check);
        check();
      }),
    close,
  };
}
