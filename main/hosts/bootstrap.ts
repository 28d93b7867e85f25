import { join } from 'node:path';
import { Engine, RECEIVER_TOKEN_KEY, type EngineOptions } from '../engine/engine';
import { startReceiver, type Receiver } from '../receiver/receiver';
import { createLogger } from '../engine/util/logger';

const log = createLogger('bootstrap');

export interface FerryServices {
  engine: Engine;
  /** The receiver running now (it is replaced when its settings change). */
  readonly receiver: Receiver | undefined;
  stop(): Promise<void>;
}

/**
 * What both hosts run: the built-in receiver (the default destination, so a fresh install can
 * upload at once) and the engine wired to it. The receiver listens on loopback, or on every
 * interface with the access token when the settings share it on the network; the engine restarts
 * it (receiverHost) when its port, its sharing or its token change.
 */
export async function startServices(options: Omit<EngineOptions, 'receiverUrl' | 'receiverDir'> & { receiverPort?: number }): Promise<FerryServices> {
  const receiverDir = join(options.dataDir, 'received');
  const engine = new Engine(options);
  let receiver: Receiver | undefined;
  let stopped = false;

  const start = async (): Promise<void> => {
    const s = engine.settings.get();
    const token = engine.secrets.get(RECEIVER_TOKEN_KEY);
    const onLan = s.receiverOnLan && token !== undefined;
    const port = s.receiverPort || options.receiverPort || 0;
    try {
      receiver = await startReceiver({ storageDir: receiverDir, port, host: onLan ? '0.0.0.0' : '127.0.0.1', ...(onLan ? { token } : {}) });
      engine.receiver = { url: receiver.url, dir: receiverDir, port: receiver.port, onLan, ...(onLan ? { token } : {}) };
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
    stop: async () => {
      stopped = true;
      await restarting;
      await engine.stop();
      await receiver?.close();
    },
  };
}
