import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCommandRunner, type CommandParams } from '../../../main/engine/kinds/commandRunner';
import { Engine } from '../../../main/engine/engine';
import { waitForJob } from '../../helpers/engineFixture';
import { createRunnerHarness } from '../../helpers/runnerHarness';
import { makeTmpDir, type TmpDir } from '../../helpers/tmpDir';

const NODE = process.execPath;
const runner = createCommandRunner({ check: () => undefined });
const harness = (params: CommandParams) => createRunnerHarness(runner, params);

/** Alive as process.kill(pid, 0) sees it, not counting zombies (the container's init may not reap them). */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return process.platform !== 'linux';
  }
}

const out = (logs: string[]) => logs.filter((l) => l.startsWith('[out] ')).map((l) => l.slice(6));
const err = (logs: string[]) => logs.filter((l) => l.startsWith('[err] ')).map((l) => l.slice(6));

describe('command job kind', () => {
  let tmp: TmpDir;
  beforeEach(() => {
    tmp = makeTmpDir('ferry-command-');
  });
  afterEach(() => tmp.cleanup());

  it('streams stdout and stderr line by line, tagged and in order, with a partial last line and garbage', async () => {
    const h = harness({
      program: '/bin/sh',
      args: ['-c', "printf 'one\\ntwo\\n'; printf 'oops\\n' >&2; printf '\\000\\377\\376 bin\\r\\n\\033[31mred\\033[0m\\n'; printf 'half'"],
    });
    const outcome = await h.run();
    expect(outcome).toMatchObject({ result: 'success', summary: { exitCode: 0 } });
    expect(out(h.logs)).toEqual(['one', 'two', '\\x00\uFFFD\uFFFD bin', 'red', 'half']);
    expect(err(h.logs)).toEqual(['oops']);
    expect(h.logs[0]).toBe(`$ /bin/sh -c 'printf '\\''one\\ntwo\\n'\\''; printf '\\''oops\\n'\\'' >&2; printf '\\''\\000\\377\\376 bin\\r\\n\\033[31mred\\033[0m\\n'\\''; printf '\\''half'\\'''`);
    expect(h.logs.at(-1)).toMatch(/^Exit code 0 after \d+\.\d s$/);
  });

  it('keeps a node program\'s interleaved lines in order within each stream', async () => {
    const script = 'for (let i = 0; i < 200; i++) { process.stdout.write(`o${i}\\n`); if (i % 10 === 0) process.stderr.write(`e${i}\\n`); }';
    const h = harness({ program: NODE, args: ['-e', script] });
    await h.run();
    expect(out(h.logs)).toEqual(Array.from({ length: 200 }, (_, i) => `o${i}`));
    expect(err(h.logs)).toEqual(Array.from({ length: 20 }, (_, i) => `e${i * 10}`));
  });

  it('fails with the exit code, or with the signal that killed the program', async () => {
    await expect(harness({ program: '/bin/sh', args: ['-c', 'echo bye; exit 3'] }).run()).rejects.toMatchObject({
      code: 'REMOTE',
      message: 'command(job 1, /bin/sh): exit code 3',
      details: { exitCode: 3 },
    });
    await expect(harness({ program: '/bin/sh', args: ['-c', 'kill -KILL $$'] }).run()).rejects.toMatchObject({
      message: 'command(job 1, /bin/sh): killed by signal SIGKILL',
      details: { signal: 'SIGKILL' },
    });
  });

  it('answers a clear IO error for a missing program or working folder, without retry', async () => {
    await expect(harness({ program: join(tmp.dir, 'no-such-program'), args: [] }).run()).rejects.toMatchObject({
      code: 'IO',
      message: expect.stringMatching(/^command\(job 1, .*no-such-program\): cannot start: no such file or directory$/),
      details: { errno: 'ENOENT', retriable: false },
    });
    await expect(harness({ program: '/bin/sh', args: ['-c', 'true'], cwd: join(tmp.dir, 'missing') }).run()).rejects.toMatchObject({
      code: 'IO',
      message: expect.stringMatching(/working folder .*missing: no such file or directory$/),
    });
  });

  it('fills {path}, {name} and {meta.xxx} into args, env and cwd, one argv element each, no shell', async () => {
    const script = 'console.log(JSON.stringify({ argv: process.argv.slice(1), cwd: process.cwd(), run: process.env.RUN_ID }))';
    const name = 'a b; rm -rf / $(whoami) `id`';
    const h = harness({
      program: NODE,
      args: ['-e', script, '{path}', '--name={name}', '{meta.run}', '{} {unknown}'],
      cwd: '{path}',
      env: { RUN_ID: 'run-{meta.run}' },
      template: { path: tmp.dir, name, 'meta.run': '42' },
    });
    await h.run();
    const seen = JSON.parse(out(h.logs)[0]!) as { argv: string[]; cwd: string; run: string };
    expect(seen).toEqual({ argv: [tmp.dir, `--name=${name}`, '42', '{} {unknown}'], cwd: tmp.dir, run: 'run-42' });
    expect(h.logs).toContain('  with environment: RUN_ID');

    await expect(harness({ program: NODE, args: ['{meta.missing}'], template: {} }).run()).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: 'command(job 1, ' + NODE + '): no value for the placeholder {meta.missing}',
    });
  });

  it('cancel stops the whole tree: SIGTERM to the group, SIGKILL after the grace, grandchildren included', async () => {
    // The grandchild of `sh` shares its group; the one node starts with setsid-like detach has a group of its own.
    const detached = join(tmp.dir, 'detached.cjs');
    writeFileSync(detached, "process.on('SIGTERM', () => {}); const c = require('child_process').spawn('sleep', ['1000'], { detached: true, stdio: 'ignore' }); console.log('own-group ' + c.pid); setInterval(() => {}, 1000);\n");
    const h = harness({ program: '/bin/sh', args: ['-c', `sleep 1000 & echo "same-group $!"; ${JSON.stringify(NODE)} ${JSON.stringify(detached)} & wait`], graceMs: 300 });
    const running = h.run();
    await h.waitFor(() => out(h.logs).length === 2, 'both grandchildren');
    const pids = out(h.logs).map((l) => Number(l.split(' ')[1]));
    expect(pids.every(isAlive)).toBe(true);
    h.cancel();
    await expect(running).rejects.toMatchObject({ code: 'CANCELED' });
    expect(pids.filter(isAlive)).toEqual([]);
    expect(h.logs).toContain('Canceled: stopping the process group');
    expect(h.logs).toContain('Still running after 300 ms: sending SIGKILL');
  });

  it('pause stops the output (SIGSTOP to the group) and resume continues it (SIGCONT)', async () => {
    const h = harness({ program: NODE, args: ['-e', 'let i = 0; setInterval(() => console.log(`tick ${i++}`), 40)'], timeoutMs: 20_000 });
    const running = h.run();
    await h.waitFor(() => out(h.logs).length >= 3, 'three ticks');
    h.pause();
    await h.waitForLog(/^Paused: process group \d+ stopped \(SIGSTOP\)$/);
    // Lines already in the pipe may still arrive; after that, nothing for a second.
    await new Promise((r) => setTimeout(r, 200));
    const frozen = out(h.logs).length;
    await new Promise((r) => setTimeout(r, 1000));
    expect(out(h.logs).length).toBe(frozen);
    h.resume();
    await h.waitFor(() => out(h.logs).length >= frozen + 3, 'ticks after resume');
    h.cancel();
    await expect(running).rejects.toMatchObject({ code: 'CANCELED' });
  });

  it('times out like a cancel, failing with the time it allowed', async () => {
    const started = Date.now();
    const h = harness({ program: '/bin/sh', args: ['-c', 'sleep 30'], timeoutMs: 300, graceMs: 1000 });
    await expect(h.run()).rejects.toMatchObject({ code: 'REMOTE', message: 'command(job 1, /bin/sh): timed out after 300 ms', details: { timeoutMs: 300 } });
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('runs under the real engine: the log file holds the tagged output and the job fails with the exit code', async () => {
    const dataDir = join(tmp.dir, 'data');
    const engine = new Engine({ dataDir, runners: [runner] });
    engine.start();
    try {
      const params = { program: '/bin/sh', args: ['-c', 'echo hello; echo warn >&2; exit 2'] };
      const job = engine.services.jobs.create({ kind: 'command', name: 'fails', priority: 'normal', params, maxAttempts: 1 }, params);
      const done = await waitForJob(engine, job.id, (j) => j.state === 'failed');
      expect(done.error).toBe(`command(job ${job.id}, /bin/sh): exit code 2`);
      const log = readFileSync(engine.services.logs.paths(job.id).log, 'utf8');
      expect(log).toContain('[out] hello');
      expect(log).toContain('[err] warn');

      const ticking = { program: NODE, args: ['-e', 'let i = 0; setInterval(() => console.log(`tick ${i++}`), 40)'] };
      const long = engine.services.jobs.create({ kind: 'command', name: 'ticks', priority: 'normal', params: ticking, maxAttempts: 1 }, ticking);
      // Follow the job's log as any client would, and act on what it says.
      let text = '';
      const seen = (pattern: RegExp) =>
        new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`no ${pattern} in the job log after 10 s:\n${text}`)), 10_000);
          const close = engine.streams['job.log']({ id: long.id, offset: 0 }, (chunk) => {
            text += chunk.text;
            if (pattern.test(text)) {
              clearTimeout(timer);
              queueMicrotask(() => close());
              resolve();
            }
          }, reject);
        }).finally(() => (text = ''));
      await seen(/\[out\] tick 1\n/);
      engine.services.jobs.pause(long.id);
      await seen(/Paused: process group \d+ stopped \(SIGSTOP\)/);
      engine.services.jobs.resume(long.id);
      await seen(/Resumed: process group \d+ continued \(SIGCONT\)/);
      engine.services.jobs.cancel(long.id);
      await waitForJob(engine, long.id, (j) => j.state === 'canceled' && engine.services.jobs.isDone(long.id));
      expect(readFileSync(engine.services.logs.paths(long.id).log, 'utf8')).toContain('Canceled: stopping the process group');
    } finally {
      await engine.stop();
    }
  });
});
