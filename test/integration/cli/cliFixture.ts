import { mkdirSync } from 'node:fs';
import http from 'node:http';
import type net from 'node:net';
import { main, type CliIo } from '../../../main/cli/ferry';
import { writeInstanceFile } from '../../../main/hosts/web/instanceFile';
import { readBody } from '../../../main/util/readBody';

/** One captured stream: text so far, and a wait that resolves when a pattern shows up. */
export class Capture {
  text = '';
  private waiters = new Set<() => void>();
  readonly out = {
    write: (chunk: string) => {
      this.text += chunk;
      for (const w of [...this.waiters]) w();
      return true;
    },
  };

  waitFor(pattern: RegExp, timeoutMs = 15_000): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!pattern.test(this.text)) return;
        this.waiters.delete(check);
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`no ${pattern} in output after ${timeoutMs} ms:\n${this.text.slice(-2000)}`));
      }, timeoutMs);
      this.waiters.add(check);
      check();
    });
  }
}

export interface CliRun {
  code: Promise<number>;
  stdout: Capture;
  stderr: Capture;
}

/** Starts `ferry <args>` in-process against `dataDir` (null: no --data-dir); the exit code arrives in `code`. */
export function startCli(dataDir: string | null, args: string[], io: Partial<CliIo> = {}): CliRun {
  const stdout = new Capture();
  const stderr = new Capture();
  const code = main([...(dataDir === null ? [] : ['--data-dir', dataDir]), ...args], { stdout: stdout.out, stderr: stderr.out, env: {}, ...io });
  return { code, stdout, stderr };
}

/** Runs `ferry <args>` to the end. */
export async function runCli(dataDir: string | null, args: string[], io: Partial<CliIo> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const run = startCli(dataDir, args, io);
  const code = await run.code;
  return { code, stdout: run.stdout.text, stderr: run.stderr.text };
}

export interface FakeCall {
  name: string;
  input: unknown;
  authorization: string | undefined;
}

/**
 * A stand-in instance answering `/api/call/<name>` from a table, to check what the CLI sends for
 * commands whatever the engine offers today. Unknown names answer like the real host does.
 */
export async function startFakeInstance(dataDir: string, answers: Record<string, (input: unknown) => unknown>): Promise<{ calls: FakeCall[]; close: () => Promise<void> }> {
  const calls: FakeCall[] = [];
  const token = 'fake-token-0123456789abcdefghijklmnop';
  const sockets = new Set<net.Socket>();
  const server = http.createServer((req, res) => {
    void readBody(req).then((raw) => {
      const body = raw.toString('utf8');
      const name = decodeURIComponent(/^\/api\/call\/(.+)$/.exec(req.url ?? '')?.[1] ?? '');
      const input = JSON.parse(body || '{}') as unknown;
      calls.push({ name, input, authorization: req.headers.authorization });
      const answer = answers[name];
      const envelope = answer ? { ok: true, value: answer(input) } : { ok: false, error: { code: 'NOT_FOUND', message: `unknown command ${JSON.stringify(name)}` } };
      res.writeHead(answer ? 200 : 404, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(envelope));
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  mkdirSync(dataDir, { recursive: true });
  writeInstanceFile(dataDir, { url: `http://127.0.0.1:${port}/?token=${token}`, port, token, pid: process.pid, host: 'web' });
  return {
    calls,
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
