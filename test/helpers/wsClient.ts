import WebSocket from 'ws';
import type { WsServerFrame } from '../../shared/wire';
import type { Envelope } from '../../shared/errors';

/** A minimal client of the web host's WebSocket protocol, for tests. */
export class TestWsClient {
  private nextId = 1;
  private pending = new Map<number, (res: Envelope<unknown>) => void>();
  private streams = new Map<number, (msg: unknown) => void>();
  readonly malformed: WsServerFrame[] = [];

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as WsServerFrame;
      if (frame.t === 'res') {
        if (frame.id === -1) this.malformed.push(frame);
        this.pending.get(frame.id)?.(frame.res);
        this.pending.delete(frame.id);
      } else this.streams.get(frame.id)?.(frame.msg);
    });
  }

  static connect(url: string, headers: Record<string, string> = {}): Promise<TestWsClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { headers });
      ws.once('open', () => resolve(new TestWsClient(ws)));
      ws.once('error', reject);
      ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
    });
  }

  call(name: string, input: unknown): Promise<Envelope<unknown>> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.ws.send(JSON.stringify({ t: 'call', id, name, input }));
    });
  }

  subscribe(name: string, params: unknown, onMsg: (msg: unknown) => void): () => void {
    const id = this.nextId++;
    this.streams.set(id, onMsg);
    this.ws.send(JSON.stringify({ t: 'sub', id, name, params }));
    return () => {
      this.streams.delete(id);
      this.ws.send(JSON.stringify({ t: 'unsub', id }));
    };
  }

  close(): void {
    this.ws.close();
  }
}
