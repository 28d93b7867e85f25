import { commandNames } from './contract';
import type { FerryApi, FerryBridge, StreamName, StreamParams, StreamPayload } from './contract';
import { fromWireError } from './errors';

/**
 * Builds the typed API from a host bridge (preload IPC or WebSocket): unwraps result envelopes
 * and rebuilds errors as FerryError, so callers never see which host they talk to.
 */
export function createFerryClient(bridge: FerryBridge): FerryApi {
  const api: Record<string, unknown> = {};
  for (const name of commandNames) {
    api[name] = async (input: unknown) => {
      const call = bridge[name] as (input: unknown) => Promise<unknown>;
      const envelope = (await call(input ?? {})) as { ok?: boolean; value?: unknown; error?: unknown } | null;
      if (!envelope || typeof envelope !== 'object') throw fromWireError({ code: 'INTERNAL', message: `${name}: malformed answer` });
      if (envelope.ok === true) return envelope.value;
      throw fromWireError(envelope.error);
    };
  }
  api.subscribe = <K extends StreamName>(
    name: K,
    params: StreamParams<K>,
    onPayload: (payload: StreamPayload<K>) => void,
    onError?: (error: Error) => void,
  ) =>
    bridge.subscribe(name, params, (message) => {
      if ('error' in message) onError?.(fromWireError(message.error));
      else onPayload(message.payload);
    });
  return api as FerryApi;
}

