import { join } from 'node:path';
import { Engine, type EngineOptions } from '../engine/engine';
import { startReceiver, type Receiver } from '../receiver/receiver';
import { createLogger } from '../engine/util/logger';

const log = createLogger('bootstrap');

export interface FerryServices {
  engine: Engine;
  receiver: Receiver | undefined;
  stop(): Promise<void>;
}

/**
 * What both hosts run: the built-in receiver on loopback (the default destination, so a fresh
 * install can upload at once) and the engine wired to it.
 */
export async function startServices(options: Omit<EngineOptions, 'receiverUrl' | 'receiverDir'> & { receiverPort?: number }): Promise<FerryServices> {
  const receiverDir = join(options.dataDir, 'received');
  let receiver: Receiver | undefined;
  try {
    receiver = await startReceiver({ storageDir: receiverDir, port: options.receiverPort ?? 0 });
  } catch (err) {
    log.error(`the built-in receiver did not start: ${(err as Error).message}`);
  }
  const engine = new Engine({ ...options, ...(receiver ? { receiverUrl: receiver.url, receiverDir } : {}) });
  engine.start();
  return {
    engine,
    receiver,
    stop: async () => {
      await engine.stop();
      await receiver?.close();
    },
  };
}
