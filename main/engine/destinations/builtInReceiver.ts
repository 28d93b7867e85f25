import type { FerryError } from '../../../shared/errors';
import type { SecretStore } from '../secrets/secretStore';
import type { SettingsService } from '../settings/settingsService';
import { createLogger } from '../util/logger';
import type { ReceiverAddress } from './receiverAddress';
import type { ReceiverPort, RunningReceiver } from './receiverPort';

const log = createLogger('receiver');

/** Key of the receiver's access token in the secret store. */
export const RECEIVER_TOKEN_KEY = 'receiver.token';

export interface BuiltInReceiverOptions {
  settings: SettingsService;
  secrets: SecretStore;
  address: ReceiverAddress;
  /** The receiver the host runs, when it runs one. */
  port?: ReceiverPort;
  /** The port to use when the settings name none and none was remembered (0: any free one). */
  preferredPort?: number;
  /** A receiver running elsewhere (tests): its address is used as is and never restarted. */
  fixed?: RunningReceiver;
}

/**
 * The built-in receiver as the engine sees it: where it listens now, why it does not when it
 * should, and its restarts. It listens on loopback, or on every interface with the access token
 * when the settings share it on the network; it restarts when its port, its sharing or its token
 * change. Without a port of the user's, the one chosen at the first start is kept, so saved
 * uploads resume.
 */
export class BuiltInReceiver {
  private running: RunningReceiver | undefined;
  private problem: string | null = null;
  /** One restart at a time, in the order asked. */
  private restarting: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(private readonly options: BuiltInReceiverOptions) {
    this.running = options.fixed;
  }

  /** Whether the host runs a receiver at all (without one there is nothing to fail). */
  get hosted(): boolean {
    return this.options.port !== undefined;
  }

  /** Where it listens now; undefined while it is not running. */
  current(): RunningReceiver | undefined {
    return this.running;
  }

  /** Why the receiver is not running as the settings ask, in words (null when it is). */
  error(): string | null {
    return this.problem;
  }

  /** Starts the host's receiver as the settings ask; a failure is kept as `error()`, not thrown. */
  start(): Promise<void> {
    return this.restart();
  }

  /** Stops and starts the host's receiver with the current settings and token. */
  restart(): Promise<void> {
    const port = this.options.port;
    if (!port) return Promise.resolve();
    this.restarting = this.restarting.then(async () => {
      if (this.stopped) return;
      await port.close();
      this.running = undefined;
      await this.listen(port);
    });
    return this.restarting;
  }

  /** Refuses further restarts and waits for one under way (before the engine stops its services). */
  async halt(): Promise<void> {
    this.stopped = true;
    await this.restarting;
  }

  /** Stops the host's receiver for good (after `halt`, once the jobs that send to it stopped). */
  async close(): Promise<void> {
    if (!this.options.port) return;
    await this.options.port.close();
    this.running = undefined;
  }

  private async listen(port: ReceiverPort): Promise<void> {
    const { settings, secrets, address } = this.options;
    const s = settings.get();
    const token = secrets.get(RECEIVER_TOKEN_KEY);
    const onLan = s.receiverOnLan && token !== undefined;
    // Shared, or asked to on loopback too: the receiver demands the token and the engine sends it.
    const withToken = token !== undefined && (onLan || s.receiverRequireToken);
    const chosen = s.receiverPort || this.options.preferredPort || 0;
    const remembered = chosen ? 0 : address.lastPort();
    const listen = (n: number) => port.listen({ port: n, onLan, ...(withToken ? { token } : {}) });
    try {
      let at: { url: string; port: number };
      try {
        at = await listen(chosen || remembered);
      } catch (err) {
        if (!remembered || ((err as FerryError).details as { errno?: string } | undefined)?.errno !== 'EADDRINUSE') throw err;
        log.warn(`the receiver's port ${remembered} is taken by another program: choosing a new one`);
        at = await listen(0);
      }
      address.listening(at.url, at.port);
      this.running = { url: at.url, dir: port.dir, port: at.port, onLan, ...(withToken ? { token } : {}) };
      this.problem = s.receiverOnLan && !onLan ? 'Not shared on the network: no access token is set.' : null;
    } catch (err) {
      this.running = undefined;
      this.problem = `The built-in receiver did not start: ${(err as Error).message}`;
      log.error(this.problem);
    }
  }
}
