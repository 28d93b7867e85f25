import { join } from 'node:path';
import { Engine, lockDataDir, type DataDirLock, type EngineOptions } from '../engine/index';
import type { Receiver } from '../receiver/receiver';
import { receiverHost } from '../receiver/receiverHost';

export interface FerryServices {
  engine: Engine;
  /** The receiver running now (it is replaced when its settings change). */
  readonly receiver: Receiver | undefined;
  /** Tells a second instance refused on this data directory where this one answers. */
  announce(address: string): void;
  stop(): Promise<void>;
}

/**
 * What both hosts run: the engine with the built-in receiver as its port (the default
 * destination, so a fresh install can upload at once). The engine decides where the receiver
 * listens and restarts it when its port, its sharing or its token change.
 */
export async function startServices(
  options: Omit<EngineOptions, 'receiver' | 'receiverUrl' | 'receiverDir'> & { hostKind?: 'web' | 'desktop' },
): Promise<FerryServices> {
  const { hostKind, ...engineOptions } = options;
  const receiver = receiverHost(join(options.dataDir, 'received'));
  // Before the database opens: a second instance would recover and run the first one's jobs too.
  const lock: DataDirLock = lockDataDir(options.dataDir, { pid: process.pid, host: hostKind ?? 'web' }, options.nativeBinding ? { nativeBinding: options.nativeBinding } : {});
  let engine: Engine;
  try {
    engine = new Engine({ ...engineOptions, receiver });
  } catch (err) {
    lock.release();
    throw err;
  }
  await engine.startReceiver();
  engine.start();
  return {
    engine,
    get receiver() {
      return receiver.current;
    },
    announce: (address) => lock.describe(address),
    stop: async () => {
      await engine.stop();
      lock.release();
    },
  };
}
