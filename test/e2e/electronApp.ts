import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The Electron binary, if this machine has it. Looked up without requiring the `electron`
 * package, whose index downloads the binary when it is missing.
 */
export function electronBinary(): string | undefined {
  if (process.env.FERRY_ELECTRON && existsSync(process.env.FERRY_ELECTRON)) return process.env.FERRY_ELECTRON;
  const dir = join(process.cwd(), 'node_modules', 'electron');
  const pathFile = join(dir, 'path.txt');
  if (!existsSync(pathFile)) return undefined;
  const bin = join(dir, 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(bin) ? bin : undefined;
}

export const ELECTRON_SKIP_REASON =
  'Electron binary not installed on this machine (node_modules/electron/dist is missing; it is downloaded from GitHub releases, which this machine cannot reach). The same flows run against the web host in Chromium.';
