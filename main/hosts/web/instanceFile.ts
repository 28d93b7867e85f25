import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Where a running instance tells local clients (the CLI) its address and token; mode 0600. */
export function instanceFilePath(dataDir: string): string {
  return join(dataDir, 'instance.json');
}

/**
 * What the file says: where a serving instance answers and its token, or that the desktop app runs
 * with local scripts turned off (nothing to connect to; the CLI says which setting to turn on).
 */
export type InstanceInfo =
  | { url: string; port: number; token: string; pid: number; host: 'web' | 'desktop' }
  | { pid: number; host: 'desktop'; scripts: false };

export function writeInstanceFile(dataDir: string, info: InstanceInfo): string {
  mkdirSync(dataDir, { recursive: true });
  const path = instanceFilePath(dataDir);
  writeFileSync(path, JSON.stringify(info, null, 2) + '\n', { mode: 0o600 });
  chmodSync(path, 0o600);
  return path;
}

export function removeInstanceFile(dataDir: string): void {
  rmSync(instanceFilePath(dataDir), { force: true });
}

/** The web host's token: made once, kept in a 0600 file of the data directory. */
export function loadOrCreateToken(dataDir: string): string {
  const path = join(dataDir, 'web-token');
  if (existsSync(path)) {
    const token = readFileSync(path, 'utf8').trim();
    if (/^[A-Za-z0-9_-]{32,}$/.test(token)) return token;
  }
  mkdirSync(dataDir, { recursive: true });
  const token = randomBytes(24).toString('base64url');
  writeFileSync(path, token + '\n', { mode: 0o600 });
  chmodSync(path, 0o600);
  return token;
}
