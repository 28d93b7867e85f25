import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

/** The shipped web host, as `node scripts/build.mjs` builds it. */
export const SERVE_BUNDLE = resolve('out/main/serve.js');

export interface ServedFerry {
  process: ChildProcess;
  /** `http://127.0.0.1:PORT/?token=…` as printed. */
  url: string;
  token: string;
  /** Everything the process printed so far (stdout and stderr). */
  output(): string;
  /** One engine command over the HTTP API; a refused command throws with its code and message. */
  call<T = unknown>(name: string, input?: unknown): Promise<T>;
  /** Resolves with the exit code (null after a signal). */
  exited: Promise<number | null>;
  /** SIGKILL, as a crash or `kill -9` would. */
  kill9(): Promise<void>;
  /** SIGTERM and wait for the exit code. */
  stop(): Promise<number | null>;
}

/** A failed start: the process ended before it printed its URL. */
export class ServeExited extends Error {
  constructor(
    readonly code: number | null,
    readonly output: string,
  ) {
    super(`ferry serve exited with ${code} before serving:\n${output}`);
  }
}

/**
 * Starts `node out/main/serve.js --data-dir <dataDir> [args]` as a user does, with default
 * settings, and waits for the line it prints when it serves (or its exit).
 */
export async function startServedFerry(dataDir: string, args: string[] = [], timeoutMs = 30_000): Promise<ServedFerry> {
  if (!existsSync(SERVE_BUNDLE)) throw new Error(`${SERVE_BUNDLE} is missing: run \`node scripts/build.mjs\` first`);
  const child = spawn(process.execPath, [SERVE_BUNDLE, '--data-dir', dataDir, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, FERRY_LOG_LEVEL: 'info', FERRY_PORT: '0' },
  });
  let printed = '';
  const keep = (c: Buffer) => {
    printed = (printed + c.toString()).slice(-256 * 1024);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const url = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`ferry serve printed no URL in ${timeoutMs} ms:\n${printed}`));
    }, timeoutMs);
    const onData = () => {
      const m = /Ferry is serving at (\S+)\n/.exec(printed);
      if (!m) return;
      clearTimeout(timer);
      child.stdout!.off('data', onData);
      resolveUrl(m[1]!);
    };
    child.stdout!.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new ServeExited(code, printed));
    });
  });
  const token = new URL(url).searchParams.get('token') ?? '';
  const call = async <T>(name: string, input: unknown = {}): Promise<T> => {
    const res = await fetch(new URL(`/api/call/${name}`, url), {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(input),
    });
    const body = (await res.json()) as { ok: boolean; value?: T; error?: { code: string; message: string } };
    if (!body.ok) throw Object.assign(new Error(`${name}: ${body.error?.code} ${body.error?.message}`), { code: body.error?.code });
    return body.value as T;
  };
  return {
    process: child,
    url,
    token,
    output: () => printed,
    call,
    exited,
    kill9: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

/**
 * Asks `check` until it returns a value: a wait on the instance's own state, bounded by
 * `timeoutMs`. The short pause only paces the questions on a loaded machine; nothing waits on it.
 */
export async function waitUntil<T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
