import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobView } from '../../../shared/model';
import { startWebHost, type WebHost } from '../../../main/hosts/web/webHost';
import { writeInstanceFile } from '../../../main/hosts/web/instanceFile';
import { startEngine, waitForJob } from '../../helpers/engineFixture';
import { makeTmpDir } from '../../helpers/tmpDir';
import { runCli, startCli, startFakeInstance } from './cliFixture';

const BUNDLE = resolve('out/main/cli.js');

function demo(engine: ReturnType<typeof startEngine>['engine'], items: number, itemDelayMs: number, name?: string): Promise<JobView> {
  return Promise.resolve(engine.commands.createDemoJob({ items, failRate: 0, itemDelayMs, linesPerItem: 1, priority: 'normal', ...(name ? { name } : {}) }));
}

describe('ferry CLI against a running web host', () => {
  let fixture: ReturnType<typeof startEngine>;
  let host: WebHost;
  let rendererDir: string;
  let dataDir: string;

  beforeAll(async () => {
    fixture = startEngine();
    dataDir = fixture.dataDir;
    rendererDir = mkdtempSync(join(tmpdir(), 'ferry-cli-renderer-'));
    writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>Ferry</title>');
    host = await startWebHost({ engine: fixture.engine, rendererDir });
    writeInstanceFile(dataDir, { url: host.url, port: host.port, token: host.token, pid: process.pid, host: 'web' });
  });

  afterAll(async () => {
    await host.close();
    await fixture.dispose();
    rmSync(rendererDir, { recursive: true, force: true });
  });

  it('status prints the health of the instance it found through instance.json', async () => {
    const r = await runCli(dataDir, ['status']);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toMatch(/^Ferry \d+\.\d+\.\d+: ok\n/);
    expect(r.stdout).toContain(`Instance:   http://127.0.0.1:${host.port} (web, pid ${process.pid})`);
    const json = await runCli(dataDir, ['status', '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: true, dataDir });
    // FERRY_DATA_DIR is the fallback when --data-dir is not given.
    expect(await runCli(null, ['status'], { env: { FERRY_DATA_DIR: dataDir } })).toMatchObject({ code: 0, stdout: expect.stringContaining(': ok\n') });
  });

  it('jobs prints a table by default and JSON with --json, filtered by state', async () => {
    const a = await demo(fixture.engine, 2, 0, 'first table job');
    const b = await demo(fixture.engine, 2, 0, 'second table job');
    await waitForJob(fixture.engine, b.id, (j) => j.state === 'completed');
    await waitForJob(fixture.engine, a.id, (j) => j.state === 'completed');
    const table = await runCli(dataDir, ['jobs']);
    expect(table.code).toBe(0);
    const lines = table.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^\s*ID {2}STATE\s+KIND\s+PROGRESS\s+NAME$/);
    expect(lines.find((l) => l.includes('second table job'))).toMatch(new RegExp(`^\\s*${b.id} {2}completed\\s+demo\\s+2 / 2 items\\s+second table job$`));
    const json = await runCli(dataDir, ['jobs', '--state', 'completed,failed', '--json']);
    const page = JSON.parse(json.stdout) as { jobs: JobView[]; total: number };
    expect(page.jobs.map((j) => j.id)).toEqual(expect.arrayContaining([a.id, b.id]));
    expect(page.jobs.every((j) => j.state === 'completed' || j.state === 'failed')).toBe(true);
    expect(await runCli(dataDir, ['jobs', '--state', 'bogus'])).toMatchObject({ code: 2, stderr: expect.stringContaining('--state bogus is not one of') });
  });

  it('logs prints the log from offset 0, byte for byte as on disk', async () => {
    const job = await demo(fixture.engine, 3, 0);
    await waitForJob(fixture.engine, job.id, (j) => j.state === 'completed' && fixture.engine.services.jobs.isDone(j.id));
    const r = await runCli(dataDir, ['logs', String(job.id)]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(readFileSync(fixture.engine.services.logs.paths(job.id).log, 'utf8'));
  });

  it('logs -f follows a running job to its end and exits 0 when it completed', async () => {
    const job = await demo(fixture.engine, 8, 40);
    const r = await runCli(dataDir, ['logs', '-f', String(job.id)]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(readFileSync(fixture.engine.services.logs.paths(job.id).log, 'utf8'));
    expect(r.stdout).toContain('"result": "success"');
  });

  it('pause, resume, cancel and retry by id; logs -f exits 1 when the job is canceled', async () => {
    const job = await demo(fixture.engine, 10_000, 20);
    const follow = startCli(dataDir, ['logs', '-f', `#${job.id}`]);
    await follow.stdout.waitFor(/Processing 'item_0*2'/);
    expect(await runCli(dataDir, ['pause', String(job.id)])).toMatchObject({ code: 0, stdout: `Job ${job.id}: paused\n` });
    const resumed = await runCli(dataDir, ['resume', String(job.id)]);
    expect(resumed.stdout).toMatch(new RegExp(`^Job ${job.id}: (queued|running)\\n$`));
    expect(await runCli(dataDir, ['cancel', String(job.id)])).toMatchObject({ code: 0, stdout: `Job ${job.id}: canceled\n` });
    expect(await follow.code).toBe(1);
    expect(follow.stderr.text).toBe(`ferry: job ${job.id} canceled\n`);
    expect(follow.stdout.text).toContain('"result": "canceled"');
    expect(await runCli(dataDir, ['retry', String(job.id)])).toMatchObject({ code: 0, stdout: expect.stringMatching(new RegExp(`^Job ${job.id}: (queued|running)\n$`)) });
    await runCli(dataDir, ['cancel', String(job.id)]);
  });

  it('upload --wait exits 1 when some files failed (0 with --allow-partial); delete --files takes the uploaded files away', async () => {
    const dest = makeTmpDir('ferry-cli-dest-');
    const src = makeTmpDir('ferry-cli-src-');
    try {
      writeFileSync(join(src.dir, 'ok.bin'), 'a file every destination takes');
      // A legal name here, but one no destination may store: that file fails, the job is partial.
      writeFileSync(join(src.dir, 'back\\slash.txt'), 'refused');
      const saved = await fixture.engine.commands.saveDestination({ name: 'CLI share', kind: 'folder', config: { path: dest.dir } });
      const strict = await runCli(dataDir, ['upload', src.dir, '--to', 'CLI share', '--name', 'strict', '--wait']);
      expect(strict.code, strict.stderr).toBe(1);
      expect(strict.stdout).toMatch(/^Job (\d+) (queued|running): strict\nJob \1 completed \(partial\)\n$/);
      expect(strict.stderr).toMatch(/ferry: job \d+ completed \(partial\)\n$/);
      const lenient = await runCli(dataDir, ['upload', src.dir, '--to', saved.id, '--name', 'lenient', '--wait', '--allow-partial']);
      expect(lenient.code, lenient.stderr).toBe(0);
      const id = Number(/^Job (\d+)/.exec(lenient.stdout)![1]);
      expect(await runCli(dataDir, ['logs', '-f', String(id)])).toMatchObject({ code: 1 });
      expect(await runCli(dataDir, ['logs', '-f', '--allow-partial', String(id)])).toMatchObject({ code: 0 });

      expect(readFileSync(join(dest.dir, 'lenient', 'ok.bin'), 'utf8')).toBe('a file every destination takes');
      const deleted = await runCli(dataDir, ['delete', String(id), '--files']);
      expect(deleted).toMatchObject({ code: 0, stdout: `Job ${id} deleted; 1 uploaded file(s) removed from the destination\n` });
      expect(existsSync(join(dest.dir, 'lenient'))).toBe(false);
      expect(existsSync(join(dest.dir, 'strict', 'ok.bin'))).toBe(true);
      expect(await runCli(dataDir, ['delete', String(id)])).toMatchObject({ code: 4, stderr: `ferry: NOT_FOUND: job ${id} does not exist\n` });
    } finally {
      await src.cleanup();
      await dest.cleanup();
    }
  });

  it('answers server errors with exit 4 and bad arguments with exit 2', async () => {
    const done = await demo(fixture.engine, 1, 0);
    await waitForJob(fixture.engine, done.id, (j) => j.state === 'completed');
    const conflict = await runCli(dataDir, ['pause', String(done.id)]);
    expect(conflict).toMatchObject({ code: 4, stdout: '' });
    expect(conflict.stderr).toMatch(new RegExp(`^ferry: CONFLICT: pause\\(job ${done.id}\\): not allowed while completed`));
    expect(await runCli(dataDir, ['cancel', '987654'])).toMatchObject({ code: 4, stderr: 'ferry: NOT_FOUND: job 987654 does not exist\n' });
    expect(await runCli(dataDir, ['pause', 'abc'])).toMatchObject({ code: 2, stderr: expect.stringContaining('"abc" is not a job id') });
    expect(await runCli(dataDir, ['logs'])).toMatchObject({ code: 2, stderr: expect.stringContaining('Usage: ferry logs [-f] <id>') });
    expect(await runCli(dataDir, ['frobnicate'])).toMatchObject({ code: 2, stderr: expect.stringContaining('unknown command "frobnicate"') });
    expect(await runCli(dataDir, ['jobs', '--colour'])).toMatchObject({ code: 2 });
    expect(await runCli(dataDir, ['export', '--format', 'xml'])).toMatchObject({ code: 2 });
    const help = await runCli(dataDir, ['help']);
    expect(help.code).toBe(0);
    for (const c of ['serve', 'upload', 'jobs', 'logs', 'pause', 'resume', 'cancel', 'delete', 'retry', 'approve', 'reject', 'export', 'status']) expect(help.stdout).toMatch(new RegExp(`^  ${c} `, 'm'));
  });

  it('runs the built bundle as a real child process (when out/main/cli.js exists)', async (ctx) => {
    if (!existsSync(BUNDLE)) {
      console.warn(`skipped: ${BUNDLE} is not built (run \`npm run build\`)`);
      ctx.skip();
    }
    const child = spawn(process.execPath, [BUNDLE, 'status', '--data-dir', dataDir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    const code = await new Promise<number | null>((r) => child.on('exit', r));
    expect(code).toBe(0);
    expect(out).toContain(`(web, pid ${process.pid})`);
    const missing = spawnSync(process.execPath, [BUNDLE, 'jobs'], { env: { ...process.env, FERRY_DATA_DIR: join(tmpdir(), 'ferry-no-such-dir') }, encoding: 'utf8' });
    expect(missing.status).toBe(3);

    // `ferry serve` runs the real web host; another `ferry` finds it, and SIGTERM stops it cleanly.
    const served = makeTmpDir('ferry-cli-serve-');
    const serve = spawn(process.execPath, [BUNDLE, 'serve', '--data-dir', served.dir, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, FERRY_LOG_LEVEL: 'warn' } });
    try {
      let printed = '';
      await new Promise<void>((resolve, reject) => {
        serve.stdout.on('data', (c: Buffer) => {
          printed += c.toString();
          if (/Ferry is serving at http:\/\/127\.0\.0\.1:\d+\/\?token=\S+\n/.test(printed)) resolve();
        });
        serve.once('exit', (code) => reject(new Error(`ferry serve exited early (${code}): ${printed}`)));
      });
      const status = spawnSync(process.execPath, [BUNDLE, 'status', '--data-dir', served.dir], { encoding: 'utf8' });
      expect(status.status).toBe(0);
      expect(status.stdout).toMatch(/: ok\n/);
      const exited = new Promise<number | null>((r) => serve.once('exit', r));
      serve.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(existsSync(join(served.dir, 'instance.json'))).toBe(false);
    } finally {
      serve.kill('SIGKILL');
      await served.cleanup();
    }
  });
});

describe('ferry CLI without a usable instance', () => {
  it('exits 3 with a clear message: no instance file, dead pid, refused connection, refused token', async () => {
    const tmp = makeTmpDir('ferry-cli-none-');
    try {
      const none = await runCli(tmp.dir, ['jobs']);
      expect(none).toMatchObject({ code: 3, stdout: '' });
      expect(none.stderr).toBe(`ferry: No Ferry instance is running for ${tmp.dir} (no ${join(tmp.dir, 'instance.json')}). Start one with \`ferry serve\` or open the desktop app.\n`);

      const dead = spawnSync(process.execPath, ['-e', '0']).pid;
      writeInstanceFile(tmp.dir, { url: 'http://127.0.0.1:9/?token=x', port: 9, token: 'x', pid: dead, host: 'web' });
      expect(await runCli(tmp.dir, ['status'])).toMatchObject({ code: 3, stderr: expect.stringContaining(`is stale: process ${dead} is not running`) });

      const s = createServer();
      await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
      const port = (s.address() as { port: number }).port;
      await new Promise((r) => s.close(r));
      writeInstanceFile(tmp.dir, { url: `http://127.0.0.1:${port}/?token=x`, port, token: 'x', pid: process.pid, host: 'web' });
      expect(await runCli(tmp.dir, ['status'])).toMatchObject({ code: 3, stderr: expect.stringContaining(`does not answer at http://127.0.0.1:${port}: ECONNREFUSED`) });
      expect(await runCli(tmp.dir, ['logs', '-f', '1'])).toMatchObject({ code: 3, stderr: expect.stringContaining(`does not answer at http://127.0.0.1:${port}`) });

      writeFileSync(join(tmp.dir, 'instance.json'), '{ not json');
      expect(await runCli(tmp.dir, ['status'])).toMatchObject({ code: 3, stderr: expect.stringContaining('is not valid JSON') });

      expect(await runCli(null, ['jobs'], { env: { FERRY_DATA_DIR: tmp.dir } })).toMatchObject({ code: 3, stderr: expect.stringContaining(tmp.dir) });
    } finally {
      await tmp.cleanup();
    }
  });

  it('exits 3 when the instance refuses the token of a stale instance file', async () => {
    const fixture = startEngine();
    const rendererDir = mkdtempSync(join(tmpdir(), 'ferry-cli-renderer-'));
    writeFileSync(join(rendererDir, 'index.html'), '<!doctype html>');
    const host = await startWebHost({ engine: fixture.engine, rendererDir });
    try {
      writeInstanceFile(fixture.dataDir, { url: host.url, port: host.port, token: 'an-old-token', pid: process.pid, host: 'web' });
      const r = await runCli(fixture.dataDir, ['jobs']);
      expect(r).toMatchObject({ code: 3, stderr: expect.stringContaining('the instance file is stale') });
    } finally {
      await host.close();
      await fixture.dispose();
      rmSync(rendererDir, { recursive: true, force: true });
    }
  });
});

describe('ferry CLI requests for commands the instance may not offer yet', () => {
  it('sends upload, approve, reject and export by name, and says clearly when they are missing', async () => {
    const tmp = makeTmpDir('ferry-cli-fake-');
    const job = (id: number, state: string) => ({ id, name: 'ds', state, result: null, error: null });
    const fake = await startFakeInstance(tmp.dir, {
      listDestinations: () => [{ id: 'dst-1', name: 'Lab Archive' }],
      createUpload: () => job(41, 'queued'),
      approveJob: (input) => job((input as { id: number }).id, 'queued'),
      exportJobs: (input) => {
        const { path, format } = input as { path: string; format: string };
        writeFileSync(path, 'id,name\n41,ds\n');
        return { path, format, count: 1, bytes: 14 };
      },
    });
    try {
      const up = await runCli(tmp.dir, ['upload', 'a.bin', '/abs/b', '--to', 'lab archive', '--name', 'Run 7'], { cwd: '/work/here' });
      expect(up).toMatchObject({ code: 0, stdout: 'Job 41 queued: ds\n' });
      expect(fake.calls.find((c) => c.name === 'createUpload')).toEqual({
        name: 'createUpload',
        input: { paths: ['/work/here/a.bin', '/abs/b'], destinationId: 'dst-1', name: 'Run 7' },
        authorization: 'Bearer fake-token-0123456789abcdefghijklmnop',
      });
      expect(await runCli(tmp.dir, ['upload', 'x', '--to', 'nowhere'])).toMatchObject({ code: 2, stderr: expect.stringContaining('no destination "nowhere" (there are: Lab Archive [dst-1])') });

      expect(await runCli(tmp.dir, ['approve', '12'])).toMatchObject({ code: 0, stdout: 'Job 12: queued\n' });
      const reject = await runCli(tmp.dir, ['reject', '12']);
      expect(reject).toMatchObject({ code: 4, stderr: 'ferry: ferry reject: this Ferry instance does not offer it yet (unknown command "rejectJob")\n' });
      expect(fake.calls.filter((c) => c.name === 'approveJob' || c.name === 'rejectJob').map((c) => [c.name, c.input])).toEqual([
        ['approveJob', { id: 12 }],
        ['rejectJob', { id: 12 }],
      ]);

      const printed = await runCli(tmp.dir, ['export', '--format', 'csv', '--state', 'completed']);
      expect(printed).toMatchObject({ code: 0, stdout: 'id,name\n41,ds\n' });
      const toFile = await runCli(tmp.dir, ['export', '--format', 'csv', '--out', 'jobs.csv'], { cwd: tmp.dir });
      expect(toFile).toMatchObject({ code: 0, stderr: `Exported 1 jobs (14 bytes) to ${join(tmp.dir, 'jobs.csv')}\n` });
      expect(readFileSync(join(tmp.dir, 'jobs.csv'), 'utf8')).toBe('id,name\n41,ds\n');
      const exports = fake.calls.filter((c) => c.name === 'exportJobs').map((c) => c.input as { path: string; state?: string[] });
      expect(exports[0]).toMatchObject({ format: 'csv', state: ['completed'] });
      expect(existsSync(exports[0]!.path)).toBe(false);
      expect(exports[1]).toEqual({ format: 'csv', path: join(tmp.dir, 'jobs.csv') });
    } finally {
      await fake.close();
      await tmp.cleanup();
    }
  });
});
