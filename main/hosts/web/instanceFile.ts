import { chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Where a running instance tells local clients (the CLI) its address and token; mode 0600. */
export function instanceFilePath(dataDir: string): string {
  return join(dataDir, 'instance.json');
}

export function writeInstanceFile(dataDir: string, info: { url: string; port: number; token: string; pid: number; host: 'web' | 'desktop' }): string {
  mkdirSync(dataDir, { recursive: true });
  const path = instanceFilePath(dataDir);
  writeFileSync(path, JSON.stringify(info, null, 2) + '\n', { mode: 0o600 });
  chmodSync(path, 0o600);
  return path;
}

export function removeInstanceFile(dataDir: string): void {
  rmSync(instanceFilePath(dataDir), { force: true });
}
