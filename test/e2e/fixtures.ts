import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test as base } from '@playwright/test';

export interface ServedFerry {
  url: string;
  dataDir: string;
  process: ChildProcess;
}

/** Starts the built web host (`ferry serve`) in its own data directory and returns its URL. */
export async function serveFerry(): Promise<ServedFerry & { stop: () => Promise<void> }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'ferry-e2e-'));
  const child = spawn(process.execPath, ['out/main/serve.js', '--data-dir', dataDir, '--port', '0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, FERRY_LOG_LEVEL: 'warn' },
  });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`ferry serve printed no URL in 20 s:\n${output}`)), 20_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const m = /Ferry is serving at (\S+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
    child.once('exit', (code) => reject(new Error(`ferry serve exited with ${code}:\n${output}`)));
  });
  return {
    url,
    dataDir,
    process: child,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Each test gets its own Ferry (own data directory, own port). */
export const test = base.extend<{ ferry: ServedFerry }>({
  ferry: async ({}, use) => {
    const served = await serveFerry();
    await use(served);
    await served.stop();
  },
});

export { expect } from '@playwright/test';
