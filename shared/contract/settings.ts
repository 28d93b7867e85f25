/** Settings, and the built-in receiver they run (where it listens, whether it is shared, its token). */
import { z } from 'zod';
import { settingsPatch, type Settings } from '../settings';
import { command, noInput, stream } from './define';

/** The built-in receiver, as the settings screen shows it (no secret in it). */
export interface ReceiverView {
  running: boolean;
  /** The tus endpoint this computer uses, e.g. `http://127.0.0.1:PORT/files/`. */
  url: string | null;
  port: number | null;
  onLan: boolean;
  /** Addresses other computers use while it is shared (one per network interface). */
  lanUrls: string[];
  tokenSet: boolean;
  /** Why it is not running (or not shared), in words. */
  error: string | null;
}

export const settingsCommands = {
  /** The settings, with their defaults filled in. */
  getSettings: command<Settings>()(noInput),
  /** Changes some settings; answers all of them. */
  updateSettings: command<Settings>()(settingsPatch),
  /** The built-in receiver as it runs: where it listens, whether other computers may reach it. */
  getReceiver: command<ReceiverView>()(noInput),
  /**
   * Sets the access token other computers send (`Authorization: Bearer <token>`) when the receiver
   * is shared on the network; write-only, never read back. A shared receiver restarts with it.
   */
  setReceiverToken: command<ReceiverView>()(z.strictObject({ token: z.string().min(16).max(256).regex(/^[\x21-\x7e]+$/, 'printable ASCII without spaces') })),
} as const;

export const settingsStreams = {
  /** The full settings, as getSettings answers them, each time a change is saved (nothing for a patch that changes nothing). */
  'settings.changed': stream<Settings>()(noInput),
} as const;
