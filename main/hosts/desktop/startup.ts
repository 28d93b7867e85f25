import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Settings } from '../../../shared/settings';

/** In development `npm start` builds better-sqlite3 for Electron's ABI beside the Node one; a package has its own. */
export function devNativeBinding(packaged: boolean, cwd = process.cwd()): string | undefined {
  const binding = resolve(cwd, '.electron-native/better_sqlite3.node');
  return !packaged && existsSync(binding) ? binding : undefined;
}

/** Whether the OS login item must follow a settings change (only a packaged app registers one), and to what. */
export function loginItemFor(settings: Pick<Settings, 'startAtLogin'>, changed: readonly string[], packaged: boolean): { openAtLogin: boolean } | null {
  return packaged && changed.includes('startAtLogin') ? { openAtLogin: settings.startAtLogin } : null;
}
