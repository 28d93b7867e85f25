/**
 * The web host's FerryBridge: every command and stream of shared/contract.ts over one WebSocket.
 * It reconnects with backoff, re-opens live streams where they left off (job.log from the last
 * `nextOffset`, job.events from the last `seq`), holds calls made while disconnected until the
 * socket is back (or answers UNAVAILABLE after a timeout), and reports its state for the banner.
 */
import { commandNames } from '../../../shared/contract';
import type { EventBatch, FerryBridge, StreamMessage, StreamName } from '../../../shared/contract';
import type { Envelope, ErrorCode } from '../../../shared/errors';
import type { LogChunk } from '../../../shared/model';
import { HTTP_ROUTES, WS_CLOSE_UNAUTHORIZED, WS_PROTOCOL, WS_TOKEN_PREFIX, type WsClientFrame, type WsServerFrame } from '../../../shared/wire';
import { backoffDelay, type BackoffPolicy } from '../../../shared/backoff';
import type { ConnectionListener, ConnectionStatus } from './connectionStatus';
import { takeToken } from './token';

/** Close codes the web host uses to refuse a token; reconnecting would not help. */
/** Reconnects: the first after about a quarter second, then doubling up to ten seconds. */
const RECONNECT_BACKOFF: BackoffPolicy = { baseMs: 250, maxMs: 10_000 };
const UNAUTHORIZED_CLOSE_CODES = new Set([1008, WS_CLOSE_UNAUTHORIZED, 4403]);

export interface WsBridgeOptions {
  /** Defaults to `ws(s)://<location.host>/ws`. */
  url?: string;
  /** Defaults to the token the page was opened with; sent as a subprotocol, never in the URL. */
  token?: string | null;
  /** How long a call made while disconnected waits for the connection. */
  connectWaitMs?: number;
}

export type WsBridge = FerryBridge & {
  /** Calls the listener now and on every change; returns the function that stops it. */
  onStatus(listener: ConnectionListener): () => void;
  /** Skips the rest of the current backoff delay. */
  reconnectNow(): void;
  /** Closes the socket for good; pending calls answer UNAVAILABLE. */
  close(): void;
};

interface PendingCall {
  name: string;
  input: unknown;
  resolve: (envelope: Envelope<unknown>) => void;
  sent: boolean;
  waitTimer: number | undefined;
}

interface LiveSub {
  name: StreamName;
  params: Record<string, unknown>;
  onMessage: (message: StreamMessage<StreamName>) => void;
  /** The stream delivered its end; it is not re-opened after a reconnect. */
  ended: boolean;
}

function defaultUrl(): string {
  const scheme = window.location.protocol === 'https:' ? 'wss' : 'ws';
  return `${scheme}://${window.location.host}${HTTP_ROUTES.socket}`;
}

const failure = (code: ErrorCode, message: string): Envelope<unknown> => ({ ok: false, error: { code, message } });

/** Moves a stream's resume point past what it delivered, so a reconnect neither repeats nor skips. */
function advance(sub: LiveSub, payload: unknown): void {
  if (!payload || typeof payload !== 'object') return;
  if (sub.name === 'job.log') {
    const chunk = payload as Partial<LogChunk>;
    if (typeof chunk.nextOffset === 'number') sub.params = { ...sub.params, offset: chunk.nextOffset };
    // An offset belongs to its epoch (the engine may have cut the log meanwhile): resume in both.
    if (typeof chunk.epoch === 'number') sub.params = { ...sub.params, epoch: chunk.epoch };
    if (chunk.eof === true) sub.ended = true;
  } else if (sub.name === 'job.events') {
    const batch = payload as Partial<EventBatch>;
    const last = Array.isArray(batch.events) ? batch.events[batch.events.length - 1] : undefined;
    if (last && typeof last.seq === 'number') sub.params = { ...sub.params, since: last.seq };
    if (batch.end === true) sub.ended = true;
  }
}

export function createWsBridge(options: WsBridgeOptions = {}): WsBridge {
  const url = options.url ?? defaultUrl();
  const token = options.token === undefined ? takeToken() : options.token;
  // Without a token the host closes the socket as unauthorised, which the banner then says.
  const protocols = token ? [WS_PROTOCOL, WS_TOKEN_PREFIX + token] : [WS_PROTOCOL];
  const connectWaitMs = options.connectWaitMs ?? 15_000;
  const calls = new Map<number, PendingCall>();
  const subs = new Map<number, LiveSub>();
  const listeners = new Set<ConnectionListener>();
  let status: ConnectionStatus = { state: 'connecting', attempt: 0, retryAt: null };
  let socket: WebSocket | null = null;
  let everOnline = false;
  let closed = false;
  let retryTimer: number | undefined;
  let nextId = 1;

  const setStatus = (next: ConnectionStatus): void => {
    status = next;
    for (const listener of listeners) listener(status);
  };

  const isOpen = (): boolean => socket !== null && socket.readyState === WebSocket.OPEN;

  const send = (frame: WsClientFrame): boolean => {
    if (!socket || socket.readyState !== WebSocket.OPEN) return false;
    socket.send(JSON.stringify(frame));
    return true;
  };

  const sendCall = (id: number, call: PendingCall): void => {
    if (!send({ t: 'call', id, name: call.name, input: call.input })) return;
    call.sent = true;
    window.clearTimeout(call.waitTimer);
    call.waitTimer = undefined;
  };

  const settle = (id: number, envelope: Envelope<unknown>): void => {
    const call = calls.get(id);
    if (!call) return;
    calls.delete(id);
    window.clearTimeout(call.waitTimer);
    call.resolve(envelope);
  };

  const onFrame = (data: unknown): void => {
    let frame: WsServerFrame;
    try {
      frame = JSON.parse(String(data)) as WsServerFrame;
    } catch {
      console.warn('[ferry:ws] ignored a frame that is not JSON');
      return;
    }
    if (!frame || typeof frame !== 'object' || typeof frame.id !== 'number') return;
    if (frame.t === 'res') {
      settle(frame.id, frame.res);
    } else if (frame.t === 'msg') {
      const sub = subs.get(frame.id);
      if (!sub) return; // a late message for a stream we already closed
      if ('error' in frame.msg) subs.delete(frame.id); // an error closes the stream on the server
      else advance(sub, frame.msg.payload);
      sub.onMessage(frame.msg as StreamMessage<StreamName>);
    }
  };

  const onOpen = (): void => {
    everOnline = true;
    setStatus({ state: 'online', attempt: 0, retryAt: null });
    for (const [id, sub] of subs) {
      if (!sub.ended) send({ t: 'sub', id, name: sub.name, params: sub.params });
    }
    for (const [id, call] of calls) if (!call.sent) sendCall(id, call);
  };

  const onClose = (code: number): void => {
    socket = null;
    // An answer to a call already sent is lost with the socket; whether the engine acted is unknown,
    // so the caller hears it rather than having a non-idempotent command silently sent twice.
    for (const [id, call] of calls) {
      if (call.sent) settle(id, failure('UNAVAILABLE', `${call.name}: connection to Ferry lost before it answered`));
    }
    if (closed) return;
    if (UNAUTHORIZED_CLOSE_CODES.has(code)) {
      for (const id of [...calls.keys()]) settle(id, failure('UNAUTHORIZED', 'Ferry refused the access token'));
      setStatus({ state: 'unauthorized', attempt: status.attempt, retryAt: null });
      return;
    }
    const attempt = status.attempt + 1;
    const delay = backoffDelay(attempt, RECONNECT_BACKOFF);
    setStatus({ state: everOnline ? 'reconnecting' : 'connecting', attempt, retryAt: Date.now() + delay });
    retryTimer = window.setTimeout(connect, delay);
  };

  function connect(): void {
    retryTimer = undefined;
    if (closed) return;
    let ws: WebSocket;
    try {
      ws = new WebSocket(url, protocols);
    } catch (err) {
      console.warn('[ferry:ws] cannot open the socket', err);
      onClose(1006);
      return;
    }
    socket = ws;
    ws.onopen = onOpen;
    ws.onmessage = (event) => onFrame(event.data);
    ws.onclose = (event) => {
      if (socket === ws) onClose(event.code);
    };
  }

  const reconnectNow = (): void => {
    if (closed || retryTimer === undefined) return;
    window.clearTimeout(retryTimer);
    connect();
  };

  const call = (name: string, input: unknown): Promise<Envelope<unknown>> =>
    new Promise((resolve) => {
      const id = nextId++;
      const pending: PendingCall = { name, input, resolve, sent: false, waitTimer: undefined };
      calls.set(id, pending);
      if (isOpen()) {
        sendCall(id, pending);
        return;
      }
      if (closed || status.state === 'unauthorized') {
        settle(id, failure(closed ? 'UNAVAILABLE' : 'UNAUTHORIZED', `${name}: not connected to Ferry`));
        return;
      }
      pending.waitTimer = window.setTimeout(
        () => settle(id, failure('UNAVAILABLE', `${name}: no connection to Ferry after ${Math.round(connectWaitMs / 1000)} s`)),
        connectWaitMs,
      );
    });

  const bridge: Record<string, unknown> = {
    subscribe(name: StreamName, params: unknown, onMessage: (message: StreamMessage<StreamName>) => void): () => void {
      const id = nextId++;
      const sub: LiveSub = { name, params: { ...(params as Record<string, unknown>) }, onMessage, ended: false };
      subs.set(id, sub);
      send({ t: 'sub', id, name, params: sub.params });
      return () => {
        if (subs.delete(id)) send({ t: 'unsub', id });
      };
    },
    onStatus(listener: ConnectionListener): () => void {
      listeners.add(listener);
      listener(status);
      return () => listeners.delete(listener);
    },
    reconnectNow,
    close(): void {
      closed = true;
      window.clearTimeout(retryTimer);
      window.removeEventListener('online', reconnectNow);
      socket?.close(1000);
      socket = null;
      for (const id of [...calls.keys()]) settle(id, failure('UNAVAILABLE', 'the connection to Ferry was closed'));
      subs.clear();
    },
  };
  for (const name of commandNames) bridge[name] = (input: unknown) => call(name, input);

  // The browser knows before our backoff does when the network is back.
  window.addEventListener('online', reconnectNow);
  connect();
  return bridge as unknown as WsBridge;
}
