import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test as base } from '@playwright/test';

export interface ServedFerry {
  url: string;
  dataDir: string;
  token: string;
  process: ChildProcess;
  /** The last ~64 kB the server printed (attached to failed tests). */
  output(): string;
  /** Calls an engine command over HTTP (`POST /api/call/<name>` with the Bearer token). */
  call<T = unknown>(name: string, input?: unknown): Promise<T>;
}

/** Starts the built web host (`ferry serve`) in its own data directory and returns its URL. */
/** How long `ferry serve` may take to stop after SIGTERM. */
const STOP_GRACE_MS = 15_000;

export async function serveFerry(): Promise<ServedFerry & { stop: () => Promise<void> }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'ferry-e2e-'));
  const child = spawn(process.execPath, ['out/main/serve.js', '--data-dir', dataDir, '--port', '0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    // Info, kept (not printed): a Ferry that fails to stop shows how far it got.
    env: { ...process.env, FERRY_LOG_LEVEL: 'info' },
  });
  let output = '';
  const keep = (c: Buffer | string) => {
    output = (output + c.toString()).slice(-64 * 1024);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  child.once('exit', (code, signal) => keep(`\n[ferry serve exited: code ${code}, signal ${signal}]\n`));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`ferry serve printed no URL in 20 s:\n${output}`)), 20_000);
    const onData = () => {
      const m = /Ferry is serving at (\S+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        child.stdout!.off('data', onData);
        resolve(m[1]!);
      }
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`ferry serve exited with ${code}:\n${output}`)));
  });
  const token = new URL(url).searchParams.get('token') ?? '';
  const call = async <T,>(name: string, input: unknown = {}): Promise<T> => {
    const res = await fetch(new URL(`/api/call/${name}`, url), {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(input),
    });
    const body = (await res.json()) as { ok: boolean; value?: T; error?: { code: string; message: string } };
    if (!body.ok) throw new Error(`${name}: ${body.error?.code} ${body.error?.message}`);
    return body.value as T;
  };
  return {
    url,
    dataDir,
    token,
    process: child,
    output: () => output,
    call,
    stop: async () => {
      let hung = false;
      // A child killed by a signal (a test that kills Ferry) has a signalCode and no exitCode.
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        // A Ferry that does not stop is a bug a user would notice: fail with its output, not a timeout.
        const timer = setTimeout(() => {
          hung = true;
          child.kill('SIGKILL');
        }, STOP_GRACE_MS);
        await exited;
        clearTimeout(timer);
      }
      rmSync(dataDir, { recursive: true, force: true });
      if (hung) throw new Error(`ferry serve did not stop within ${STOP_GRACE_MS / 1000} s of SIGTERM:\n${output}`);
    },
  };
}

/** A temporary folder that is removed after the test. */
export interface TempDirs {
  make(prefix?: string): string;
}

/** Each test gets its own Ferry (own data directory, own port) and its own temporary folders. */
export const test = base.extend<{ ferry: ServedFerry; temp: TempDirs }>({
  ferry: async ({}, use, testInfo) => {
    const served = await serveFerry();
    await use(served);
    if (testInfo.status !== testInfo.expectedStatus) await testInfo.attach('ferry-serve.log', { body: served.output(), contentType: 'text/plain' });
    await served.stop();
  },
  temp: async ({}, use) => {
    const made: string[] = [];
    await use({
      make: (prefix = 'ferry-e2e-src-') => {
        const dir = mkdtempSync(join(tmpdir(), prefix));
        made.push(dir);
        return dir;
      },
    });
    for (const dir of made) rmSync(dir, { recursive: true, force: true });
  },
});

export { expect } from '@playwright/test';
