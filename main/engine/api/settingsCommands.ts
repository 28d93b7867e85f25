import { networkInterfaces } from 'node:os';
import type { ReceiverView } from '../../../shared/contract';
import { conflict } from '../../../shared/errors';
import { RECEIVER_TOKEN_KEY } from '../destinations/builtInReceiver';
import type { CommandHandlers, EngineServices } from './engineServices';

type SettingsServices = Pick<EngineServices, 'settings' | 'secrets' | 'receiver'>;

/** Addresses of this computer that others on the network can reach (IPv4, not loopback). */
function lanAddresses(): string[] {
  return Object.values(networkInterfaces())
    .flat()
    .filter((a) => a !== undefined && a.family === 'IPv4' && !a.internal)
    .map((a) => a!.address);
}

function receiverView(services: SettingsServices): ReceiverView {
  const r = services.receiver.current();
  return {
    running: r !== undefined,
    url: r?.url ?? null,
    port: r?.port ?? null,
    onLan: r?.onLan ?? false,
    lanUrls: r?.onLan && r.port ? lanAddresses().map((ip) => `http://${ip}:${r.port}/files/`) : [],
    tokenSet: services.secrets.has(RECEIVER_TOKEN_KEY),
    error: services.receiver.error(),
  };
}

/** The settings, and the built-in receiver's address, its sharing on the network and its access token (write-only). */
export function settingsCommands(services: SettingsServices): Pick<CommandHandlers, 'getSettings' | 'updateSettings' | 'getReceiver' | 'setReceiverToken'> {
  const { settings, secrets, receiver } = services;
  return {
    getSettings: () => settings.get(),
    // Sharing the receiver on the network without a token would let anyone there write to the disk.
    updateSettings: async (patch) => {
      if (patch.receiverOnLan === true && !secrets.has(RECEIVER_TOKEN_KEY)) {
        throw conflict('updateSettings: set an access token for the receiver before sharing it on the network');
      }
      if (patch.receiverRequireToken === true && !secrets.has(RECEIVER_TOKEN_KEY)) {
        throw conflict('updateSettings: set an access token for the receiver before requiring it');
      }
      const before = settings.get();
      const after = settings.update(patch);
      // Answered once the receiver listens as asked, so the next getReceiver shows it.
      const restart = after.receiverPort !== before.receiverPort || after.receiverOnLan !== before.receiverOnLan || after.receiverRequireToken !== before.receiverRequireToken;
      if (restart) await receiver.restart();
      return after;
    },
    getReceiver: () => receiverView(services),
    setReceiverToken: async ({ token }) => {
      secrets.set(RECEIVER_TOKEN_KEY, token);
      const s = settings.get();
      if (s.receiverOnLan || s.receiverRequireToken) await receiver.restart();
      return receiverView(services);
    },
  };
}
