/**
 * The renderer's one way to the engine. Electron's preload provides `window.ferry`; the web host
 * has none, so the WebSocket bridge stands in. Nothing else in the renderer knows which it is.
 */
import { createFerryClient } from '../../../shared/client';
import type { FerryApi } from '../../../shared/contract';
import { ONLINE } from './connectionStatus';
import type { ConnectionListener } from './connectionStatus';
import { createWsBridge } from './wsBridge';
import type { WsBridge } from './wsBridge';

const wsBridge: WsBridge | null = window.ferry ? null : createWsBridge();

/** The typed engine API; errors are thrown as FerryError. */
export const ferry: FerryApi = window.ferry ? createFerryClient(window.ferry) : createFerryClient(wsBridge as WsBridge);

/** Follows the connection state; over IPC the engine is always there. */
export function onConnectionChange(listener: ConnectionListener): () => void {
  if (!wsBridge) {
    listener(ONLINE);
    return () => undefined;
  }
  return wsBridge.onStatus(listener);
}

/** Retries a lost connection at once instead of waiting out the backoff. */
export function reconnectNow(): void {
  wsBridge?.reconnectNow();
}

export type { ConnectionStatus, ConnectionState } from './connectionStatus';
