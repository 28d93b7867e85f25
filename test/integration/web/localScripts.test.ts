/**
 * The desktop app's "Allow local scripts" (main/hosts/desktop/localScripts.ts) in Node, with a real
 * engine, a real HTTP server on 127.0.0.1 and the CLI run in-process: off by default (the instance
 * file says so and `ferry status` tells the user which setting to turn on), on at once when the
 * setting changes (the API answers with the file's token, the CLI works), off again (the port is
 * closed), and the file removed on quit.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { dispatchCommand, type Engine } from '../../../main/engine/index';
import { watchLocalScripts, type LocalScripts } from '../../../main/hosts/desktop/localScripts';
import { startEngine } from '../../helpers/engineFixture';
import { waitUntil } from '../../helpers/servedFerry';
import { runCli } from '../cli/cliFixture';

type InstanceFile = { url?: string; port?: number; token?: string; pid: number; host: string; scripts?: boolean };

let cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});

function start(): { scripts: LocalScripts; dataDir: string; engine: Engine; setAllowed(on: boolean): Promise<void>; file: () => InstanceFile | null } {
  const { engine, dataDir, dispose } = startEngine();
  const scripts = watchLocalScripts(engine, dataDir);
  cleanups.push(async () => {
    await scripts.close();
    await dispose();
  });
  const path = join(dataDir, 'instance.json');
  return {
    scripts,
    dataDir,
    engine,
    setAllowed: async (on) => {
      const res = await dispatchCommand(engine, 'updateSettings', { allowLocalScripts: on });
      expect(res.ok).toBe(true);
    },
    file: () => (existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as InstanceFile) : null),
  };
}

/** curl, as a script would call the API. */
function curl(args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('curl', ['-s', '-w', '\n%{http_code}', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, out }));
  });
}

describe('Allow local scripts (the desktop app)', () => {
  it('is off by default: no port, an instance file that says so (0600), and ferry status names the setting', async () => {
    const ferry = start();
    const file = await waitUntil('the instance file', async () => ferry.file() ?? undefined, 20_000);
    expect(file).toEqual({ pid: process.pid, host: 'desktop', scripts: false });
    expect(statSync(join(ferry.dataDir, 'instance.json')).mode & 0o777).toBe(0o600);
    expect(ferry.scripts.server()).toBeNull();

    const status = await runCli(ferry.dataDir, ['status']);
    expect(status.code).toBe(3);
    expect(status.stderr).toContain('The desktop app is running; turn on Settings → Allow local scripts');
  });

  it('turned on, serves the API with the token of the instance file; turned off, closes the port; removed on quit', async () => {
    const ferry = start();
    await waitUntil('the instance file', async () => ferry.file() ?? undefined, 20_000);
    await ferry.setAllowed(true);
    const on = await waitUntil('the API address in the instance file', async () => (ferry.file()?.token ? ferry.file()! : undefined), 20_000);
    expect(on).toMatchObject({ host: 'desktop', pid: process.pid, url: `http://127.0.0.1:${on.port}` });
    expect(statSync(join(ferry.dataDir, 'instance.json')).mode & 0o777).toBe(0o600);
    const api = `http://127.0.0.1:${on.port}/api/v1`;

    const jobs = await curl(['-H', `Authorization: Bearer ${on.token}`, `${api}/jobs`]);
    expect(jobs.out.split('\n').at(-1)).toBe('200');
    expect(JSON.parse(jobs.out.split('\n')[0]!)).toEqual({ jobs: [], total: 0 });
    const created = await curl(['-H', `Authorization: Bearer ${on.token}`, '-H', 'Content-Type: application/json', '-d', '{"paths":["/nonexistent-ferry-path"]}', `${api}/jobs/uploads`]);
    expect(created.out.split('\n').at(-1)).toBe('400');
    expect(JSON.parse(created.out.split('\n')[0]!)).toMatchObject({ code: 'INVALID_INPUT' });

    // The same guard as the web host: the token, the loopback Host header, no page of another origin.
    expect((await curl(['-H', 'Authorization: Bearer wrong', `${api}/jobs`])).out.split('\n').at(-1)).toBe('401');
    expect((await curl([`${api}/jobs`])).out.split('\n').at(-1)).toBe('401');
    expect((await curl(['-H', `Authorization: Bearer ${on.token}`, '-H', 'Host: evil.example', `${api}/jobs`])).out.split('\n').at(-1)).toBe('421');
    expect((await curl(['-H', `Authorization: Bearer ${on.token}`, '-H', 'Origin: https://evil.example', `${api}/jobs`])).out.split('\n').at(-1)).toBe('403');
    // No window is served: only the API.
    const page = await curl([`http://127.0.0.1:${on.port}/`]);
    expect(page.out.split('\n').at(-1)).toBe('404');

    // The CLI reaches the desktop app through the file.
    const status = await runCli(ferry.dataDir, ['status']);
    expect(status.stderr).toBe('');
    expect(status.code).toBe(0);
    // It follows a job's log and events through the API alone (this server has no WebSocket).
    const made = await dispatchCommand(ferry.engine, 'createDemoJob', { items: 5, itemDelayMs: 20, failRate: 0, linesPerItem: 1 });
    expect(made.ok).toBe(true);
    const id = String((made as { value: { id: number } }).value.id);
    const followed = await runCli(ferry.dataDir, ['logs', '-f', id]);
    expect(followed).toMatchObject({ code: 0, stderr: '' });
    expect(followed.stdout).toContain('"result": "success"');
    expect((await runCli(ferry.dataDir, ['events', '-f', id])).code).toBe(0);

    await ferry.setAllowed(false);
    await waitUntil('the scripts-off marker', async () => ferry.file()?.scripts === false || undefined, 20_000);
    const refused = await new Promise<string>((resolve) => {
      const req = request({ host: '127.0.0.1', port: on.port, path: '/api/v1/jobs', headers: { Authorization: `Bearer ${on.token}` } }, () => resolve('answered'));
      req.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? 'error'));
      req.end();
    });
    expect(refused).toBe('ECONNREFUSED');
    expect((await runCli(ferry.dataDir, ['status'])).code).toBe(3);

    // On again: a new token (the old one is worth nothing), then quit removes the file.
    await ferry.setAllowed(true);
    const again = await waitUntil('the API again', async () => (ferry.file()?.token ? ferry.file()! : undefined), 20_000);
    expect(again.token).not.toBe(on.token);
    await ferry.scripts.close();
    expect(ferry.file()).toBeNull();
  });
});
