import http from 'node:http';
import WebSocket from 'ws';
import type { CommandInput, CommandName, CommandResult, StreamName, StreamParams, StreamPayload } from '../../shared/contract';
import { HTTP_ROUTES, type WsServerFrame } from '../../shared/wire';
import { backoffDelay, type BackoffPolicy } from '../../shared/backoff';
import { fromWireError } from '../../shared/errors';
import { readBody } from '../util/readBody';
import { CliError, EXIT } from './cliError';
import type { Instance } from './instance';

const CALL_TIMEOUT_MS = 60_000;
/** A follow survives this many dropped sockets in a row (an instance restarting, say). */
const RECONNECTS = 5;
const RECONNECT_BACKOFF: BackoffPolicy = { baseMs: 500, maxMs: 4000 };

/** Socket failures that mean nothing listens there any more: the instance file is stale. */
const GONE = new Set(['ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH']);

/** Talks to one running instance: commands over HTTP with the bearer token, streams over its WebSocket. */
export class Connection {
  constructor(readonly instance: Instance) {}

  /** A command of the contract, typed. */
  call<K extends CommandName>(name: K, input: CommandInput<K>): Promise<CommandResult<K>> {
    return this.callByName(name, input) as Promise<CommandResult<K>>;
  }

  /** Any command by name (ones the instance does not know answer NOT_FOUND "unknown command"). */
  async callByName(name: string, input: unknown): Promise<unknown> {
    const { status, text } = await this.post(HTTP_ROUTES.call(name), JSON.stringify(input ?? {}));
    let envelope: { ok?: boolean; value?: unknown; error?: unknown };
    try {
      envelope = JSON.parse(text) as typeof envelope;
    } catch {
      throw new CliError(EXIT.server, `${name}: the instance answered HTTP ${status} without a JSON envelope`);
    }
    if (envelope.ok === true) return envelope.value;
    throw fromWireError(envelope.error);
  }

  private post(path: string, body: string): Promise<{ status: number; text: string }> {
    const { origin, token, pid, file } = this.instance;
    return new Promise((resolve, reject) => {
      const req = http.request(`${origin}${path}`, {
        method: 'POST',
        agent: false,
        timeout: CALL_TIMEOUT_MS,
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) },
      });
      req.on('timeout', () => req.destroy(Object.assign(new Error(`no answer in ${CALL_TIMEOUT_MS / 1000} s`), { code: 'ETIMEDOUT' })));
      req.on('error', (err: NodeJS.ErrnoException) => {
        if (err.code && GONE.has(err.code)) {
          reject(new CliError(EXIT.noInstance, `Ferry (pid ${pid}) does not answer at ${origin}: ${err.code}. The instance file ${file} looks stale; start Ferry again.`));
        } else reject(new CliError(EXIT.server, `${origin}${path}: ${err.message}`));
      });
      req.on('response', (res) => {
        readBody(res).then(
          (body) => resolve({ status: res.statusCode ?? 0, text: body.toString('utf8') }),
          (err: Error) => reject(new CliError(EXIT.server, `${origin}${path}: ${err.message}`)),
        );
      });
      req.end(body);
    });
  }

  /**
   * Follows a stream until `onPayload` answers 'done'. A dropped socket is reopened (up to a few
   * times) with the parameters `params()` gives then, so a follower resumes where it was.
   */
  async follow<K extends StreamName>(name: K, params: () => StreamParams<K>, onPayload: (payload: StreamPayload<K>) => 'done' | void): Promise<void> {
    let connected = false;
    for (let dropped = 0; ; ) {
      const outcome = await this.followOnce(name, params(), onPayload);
      if (outcome === 'done') return;
      if (outcome === 'refused' && !connected) {
        const { pid, origin, file } = this.instance;
        throw new CliError(EXIT.noInstance, `Ferry (pid ${pid}) does not answer at ${origin}. The instance file ${file} looks stale; start Ferry again.`);
      }
      if (outcome === 'dropped') connected = true;
      if (++dropped > RECONNECTS) throw new CliError(EXIT.server, `${name}: the connection to Ferry at ${this.instance.origin} was lost`);
      await new Promise((r) => setTimeout(r, backoffDelay(dropped, RECONNECT_BACKOFF)));
    }
  }

  /** 'refused' when the socket never opened, 'dropped' when an open one closed before the end. */
  private followOnce<K extends StreamName>(name: K, params: StreamParams<K>, onPayload: (payload: StreamPayload<K>) => 'done' | void): Promise<'done' | 'dropped' | 'refused'> {
    const { origin, token } = this.instance;
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(`${origin.replace(/^http/, 'ws')}/ws`, { headers: { Authorization: `Bearer ${token}` } });
      let settled = false;
      let opened = false;
      const settle = (outcome: 'done' | 'dropped' | 'refused' | Error) => {
        if (settled) return;
        settled = true;
        ws.removeAllListeners('close');
        ws.on('error', () => undefined);
        ws.close();
        if (outcome instanceof Error) reject(outcome);
        else resolve(outcome);
      };
      ws.on('unexpected-response', (_req, res) => {
        settle(res.statusCode === 401 ? new CliError(EXIT.noInstance, `Ferry at ${origin} refused the token of ${this.instance.file}; the file is stale.`) : new CliError(EXIT.server, `${name}: WebSocket upgrade answered ${res.statusCode}`));
      });
      ws.on('error', (err: NodeJS.ErrnoException) => {
        if (err.code && GONE.has(err.code)) settle(opened ? 'dropped' : 'refused');
        else settle(new CliError(EXIT.server, `${name}: ${err.message}`));
      });
      ws.on('close', () => settle(opened ? 'dropped' : 'refused'));
      ws.on('open', () => {
        opened = true;
        ws.send(JSON.stringify({ t: 'sub', id: 1, name, params }));
      });
      ws.on('message', (data) => {
        let frame: WsServerFrame;
        try {
          frame = JSON.parse(data.toString()) as WsServerFrame;
        } catch {
          return settle(new CliError(EXIT.server, `${name}: malformed frame from Ferry`));
        }
        if (frame.t !== 'msg' || frame.id !== 1) return;
        if ('error' in frame.msg) return settle(fromWireError(frame.msg.error));
        try {
          if (onPayload(frame.msg.payload as StreamPayload<K>) === 'done') settle('done');
        } catch (err) {
          settle(err as Error);
        }
      });
    });
  }
}
