import { startReceiver, type Receiver } from './receiver';

/**
 * The built-in receiver as a host hands it to the engine: one storage folder, started and
 * stopped on the engine's word (the engine's ReceiverPort, matched by shape: the receiver does
 * not import the engine). `current` is the receiver listening now, if any.
 */
export interface ReceiverHost {
  readonly dir: string;
  readonly current: Receiver | undefined;
  listen(options: { port: number; onLan: boolean; token?: string }): Promise<{ url: string; port: number }>;
  close(): Promise<void>;
}

/** A receiver host filing into `storageDir`; it listens on loopback unless told `onLan`. */
export function receiverHost(storageDir: string): ReceiverHost {
  let current: Receiver | undefined;
  return {
    dir: storageDir,
    get current() {
      return current;
    },
    listen: async ({ port, onLan, token }) => {
      await current?.close();
      current = undefined;
      current = await startReceiver({ storageDir, port, host: onLan ? '0.0.0.0' : '127.0.0.1', ...(token !== undefined ? { token } : {}) });
      return { url: current.url, port: current.port };
    },
    close: async () => {
      const closing = current;
      current = undefined;
      await closing?.close();
    },
  };
}
