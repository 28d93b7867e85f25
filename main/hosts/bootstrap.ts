import { join } from 'node:path';
import type { FerryError } from '../../shared/errors';
import { Engine, RECEIVER_TOKEN_KEY, type EngineOptions } from '../engine/engine';
import { startReceiver, type Receiver } from '../receiver/receiver';
import { createLogger } from '../engine/util/logger';
import { lockDataDir, type DataDirLock } from '../engine/index';

const log = createLogger('bootstrap');

export interface FerryServices {
  engine: Engine;
  /** The receiver running now (it is replaced when its settings change). */
  readonly receiver: Receiver | undefined;
  /** Tells a second instance refused on this data directory where this one answers. */
  announce(address: string): void;
  stop(): Promise<void>;
}

/**
 * What both hosts run: the built-in receiver (the default destination, so a fresh install can
 * upload at once) and the engine wired to it. The receiver listens on loopback, or on every
 * interface with the access token when the settings share it on the network; the engine restarts
 * it (receiverHost) when its port, its sharing or its token change.
 */
export async function startServices(
  options: Omit<EngineOptions, 'receiverUrl' | 'receiverDir'> & { receiverPort?: number; hostKind?: 'web' | 'desktop' },
): Promise<FerryServices> {
  const receiverDir = join(options.dataDir, 'received');
  // Before the database opens: a second instance would recover and run the first one's jobs too.
  const lock: DataDirLock = lockDataDir(options.dataDir, { pid: process.pid, host: options.hostKind ?? 'web' }, options.nativeBinding ? { nativeBinding: options.nativeBinding } : {});
  let engine: Engine;
  try {
    engine = new Engine(options);
  } catch (err) {
    lock.release();
    throw err;
  }
  let receiver: Receiver | undefined;
  let stopped = false;

  const start = async (): Promise<void> => {
    const s = engine.settings.get();
    const token = engine.secrets.get(RECEIVER_TOKEN_KEY);
    const onLan = s.receiverOnLan && token !== undefined;
    // Shared, or asked to on loopback too: the receiver demands the token and the engine sends it.
    const withToken = token !== undefined && (onLan || s.receiverRequireToken);
    const chosen = s.receiverPort || options.receiverPort || 0;
    // Without a port of the user's, the one chosen at the first start is kept, so saved uploads resume.
    const remembered = chosen ? 0 : engine.receiverAddress.lastPort();
    const listen = (port: number) => startReceiver({ storageDir: receiverDir, port, host: onLan ? '0.0.0.0' : '127.0.0.1', ...(withToken ? { token } : {}) });
    try {
      try {
        receiver = await listen(chosen || remembered);
      } catch (err) {
        if (!remembered || ((err as FerryError).details as { errno?: string } | undefined)?.errno !== 'EADDRINUSE') throw err;
        log.warn(`the receiver's port ${remembered} is taken by another program: choosing a new one`);
        receiver = await listen(0);
      }
      engine.receiverAddress.listening(receiver.url, receiver.port);
      engine.receiver = { url: receiver.url, dir: receiverDir, port: receiver.port, onLan, ...(withToken ? { token } : {}) };
      engine.receiverError = s.receiverOnLan && !onLan ? 'Not shared on the network: no access token is set.' : null;
    } catch (err) {
      receiver = undefined;
      engine.receiver = undefined;
      engine.receiverError = `The built-in receiver did not start: ${(err as Error).message}`;
      log.error(engine.receiverError);
    }
  };
  // One restart at a time, in the order asked.
  let restarting: Promise<void> = Promise.resolve();
  const restart = (): Promise<void> =>
    (restarting = restarting.then(async () => {
      if (stopped) return;
      await receiver?.close();
      receiver = undefined;
      engine.receiver = undefined;
      await start();
    }));

  await start();
  // The engine's commands call this when the port, the sharing or the token change.
  engine.receiverHost = { restart };
  engine.start();
  return {
    engine,
    get receiver() {
      return receiver;
    },
    announce: (address) => lock.describe(address),
    stop: async () => {
      stopped = true;
      await restarting;
      await engine.stop();
      await receiver?.close();
      lock.release();
    },
  };
}
