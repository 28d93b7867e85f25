import { networkInterfaces } from 'node:os';
import type { ReceiverView } from '../../../shared/contract';
import { conflict } from '../../../shared/errors';
import { RECEIVER_TOKEN_KEY, type CommandHandlers, type Engine } from '../engine';

/** Addresses of this computer that others on the network can reach (IPv4, not loopback). */
function lanAddresses(): string[] {
  return Object.values(networkInterfaces())
    .flat()
    .filter((a) => a !== undefined && a.family === 'IPv4' && !a.internal)
    .map((a) => a!.address);
}

export function receiverView(engine: Engine): ReceiverView {
  const r = engine.receiver;
  return {
    running: r !== undefined,
    url: r?.url ?? null,
    port: r?.port ?? null,
    onLan: r?.onLan ?? false,
    lanUrls: r?.onLan && r.port ? lanAddresses().map((ip) => `http://${ip}:${r.port}/files/`) : [],
    tokenSet: engine.secrets.has(RECEIVER_TOKEN_KEY),
    error: engine.receiverError,
  };
}

/** The built-in receiver's address, its sharing on the network, and the access token (write-only). */
export function receiverCommands(engine: Engine): Pick<CommandHandlers, 'getReceiver' | 'setReceiverToken' | 'updateSettings'> {
  return {
    getReceiver: () => receiverView(engine),
    setReceiverToken: async ({ token }) => {
      engine.secrets.set(RECEIVER_TOKEN_KEY, token);
      const s = engine.settings.get();
      if (s.receiverOnLan || s.receiverRequireToken) await engine.receiverHost?.restart();
      return receiverView(engine);
    },
    // Sharing the receiver on the network without a token would let anyone there write to the disk.
    updateSettings: async (patch) => {
      if (patch.receiverOnLan === true && !engine.secrets.has(RECEIVER_TOKEN_KEY)) {
        throw conflict('updateSettings: set an access token for the receiver before sharing it on the network');
      }
      if (patch.receiverRequireToken === true && !engine.secrets.has(RECEIVER_TOKEN_KEY)) {
        throw conflict('updateSettings: set an access token for the receiver before requiring it');
      }
      const before = engine.settings.get();
      const after = engine.settings.update(patch);
      // Answered once the receiver listens as asked, so the next getReceiver shows it.
      const restart = after.receiverPort !== before.receiverPort || after.receiverOnLan !== before.receiverOnLan || after.receiverRequireToken !== before.receiverRequireToken;
      if (restart) await engine.receiverHost?.restart();
      return after;
    },
  };
}
