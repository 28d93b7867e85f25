/**
 * How the contract travels: the Electron host's IPC channel names, and the web host's WebSocket
 * frames, HTTP paths and how a client proves the token. The commands and streams themselves are
 * in contract.ts; nothing here names one.
 */
import { z } from 'zod';
import type { CommandName } from './contract';
import type { Envelope, WireError } from './errors';

/** IPC channel names, the only place they are spelled. */
export const IPC_CHANNELS = {
  command: (name: CommandName): string => `ferry:cmd:${name}`,
  subscribe: 'ferry:subscribe',
  unsubscribe: 'ferry:unsubscribe',
  streamMessage: 'ferry:stream',
} as const;

/** WebSocket frames of the web host. */
export type WsClientFrame =
  | { t: 'call'; id: number; name: string; input: unknown }
  | { t: 'sub'; id: number; name: string; params: unknown }
  | { t: 'unsub'; id: number };
export type WsServerFrame =
  | { t: 'res'; id: number; res: Envelope<unknown> }
  | { t: 'msg'; id: number; msg: { payload: unknown } | { error: WireError } };

export const wsClientFrame = z.discriminatedUnion('t', [
  z.strictObject({ t: z.literal('call'), id: z.number().int().min(0), name: z.string().max(100), input: z.unknown() }),
  z.strictObject({ t: z.literal('sub'), id: z.number().int().min(0), name: z.string().max(100), params: z.unknown() }),
  z.strictObject({ t: z.literal('unsub'), id: z.number().int().min(0) }),
]);

/**
 * How the web host's clients prove the token on its WebSocket. A browser cannot set headers on an
 * upgrade, so the renderer offers two subprotocols: the plain one the host answers with, and one
 * that carries the token. Scripts send `Authorization: Bearer <token>` instead.
 */
export const WS_PROTOCOL = 'ferry';
export const WS_TOKEN_PREFIX = 'ferry.token.';
/** The close code of a socket whose token is missing or wrong: reconnecting would not help. */
export const WS_CLOSE_UNAUTHORIZED = 4401;

/** The web host's HTTP paths, the only place they are spelled. */
export const HTTP_ROUTES = {
  /** Every path under this prefix needs the token and a same-origin request. */
  apiPrefix: '/api/',
  /** `POST` a command's input as JSON; the answer is its envelope. */
  call: (name: string): string => `/api/call/${encodeURIComponent(name)}`,
  /** `PUT <stage(id)><relative path>` streams one dropped file into a staging area. */
  stage: (stagingId: string): string => `/api/stage/${stagingId}/`,
  /** The WebSocket that carries commands and streams. */
  socket: '/ws',
} as const;

/** The command a `call` path names, or null when the path is no call. */
export function callRoute(pathname: string): string | null {
  return /^\/api\/call\/([A-Za-z]+)$/.exec(pathname)?.[1] ?? null;
}

/** The staging id and the raw (still percent-encoded) relative path a `stage` path names, or null. */
export function stageRoute(pathname: string): { stagingId: string; rawRelative: string } | null {
  const staged = /^\/api\/stage\/([^/]+)\/(.+)$/.exec(pathname);
  return staged ? { stagingId: staged[1]!, rawRelative: staged[2]! } : null;
}
