import { spawn, type ChildProcess } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { isAbsolute } from 'node:path';
import { z } from 'zod';
import { FerryError } from '../../../shared/errors';
import type { JobRunner, RunnerContext, RunnerOutcome } from '../jobs/runner';
import { ioError } from '../upload/transferErrors';
import { LineSplitter } from './lineSplitter';
import { signalTree, treeAlive } from './processTree';

const noNul = (v: string) => !v.includes('\0');
const TEMPLATE_KEY = /^(path|name|meta\.[A-Za-z0-9_.-]{1,100})$/;
/** Only these placeholders are replaced; other braces (awk, JSON, find's `{}`) stay as written. */
const PLACEHOLDER = /\{(path|name|meta\.[A-Za-z0-9_.-]{1,100})\}/g;

/** The params of a command job (the contract's createCommandJob input has the same shape). */
export const commandParamsSchema = z.strictObject({
  program: z.string().min(1).max(4096).refine(noNul, 'no NUL bytes'),
  args: z.array(z.string().max(128 * 1024).refine(noNul, 'no NUL bytes')).max(4096).default([]),
  cwd: z.string().min(1).max(4096).refine(noNul, 'no NUL bytes').optional(),
  env: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,127}$/, 'an environment name is letters, digits and _'), z.string().max(128 * 1024).refine(noNul, 'no NUL bytes')).optional(),
  timeoutMs: z.number().int().min(1).max(7 * 24 * 3600 * 1000).optional(),
  graceMs: z.number().int().min(0).max(10 * 60 * 1000).default(5000),
  template: z.record(z.string().regex(TEMPLATE_KEY, 'a template key is path, name or meta.<key>'), z.string().max(64 * 1024).refine(noNul, 'no NUL bytes')).optional(),
});
export type CommandParams = z.input<typeof commandParamsSchema>;
type Parsed = z.output<typeof commandParamsSchema>;

/** Replaces `{path}`, `{name}` and `{meta.xxx}`; a placeholder without a value is an error, not an empty string. */
export function applyTemplate(text: string, values: Record<string, string>, op: string): string {
  return text.replace(PLACEHOLDER, (_match, key: string) => {
    const value = values[key];
    if (value === undefined) throw new FerryError('INVALID_INPUT', `${op}: no value for the placeholder {${key}}`, { retriable: false, placeholder: key });
    return value;
  });
}

/** How a command line reads in the log (display only: the program gets the argv as is). */
function shellQuote(arg: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

const POSIX = process.platform !== 'win32';

/** A countdown that stands still while the job is paused, so a pause never causes a timeout. */
class PausableTimer {
  private timer: NodeJS.Timeout | undefined;
  private startedAt = 0;
  constructor(
    private remaining: number,
    private readonly fire: () => void,
  ) {
    this.resume();
  }
  pause(): void {
    if (!this.timer) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.remaining -= Date.now() - this.startedAt;
  }
  resume(): void {
    if (this.timer) return;
    this.startedAt = Date.now();
    this.timer = setTimeout(this.fire, Math.max(0, this.remaining));
  }
  clear(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}

const PIPE_DRAIN_MS = 2000;

/** Whether `promise` settles within `ms`. */
async function settledWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([promise.then(() => true as const), late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Resolves when the tree is gone or `ms` passed; polls /proc, since nothing announces a grandchild's death. */
async function treeGone(leader: number, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (treeAlive(leader)) {
    if (Date.now() >= until) return false;
    await new Promise((r) => setTimeout(r, 25));
  }
  return true;
}

/** One run of one command: the child, its output and how it is stopped. */
class CommandRun {
  readonly op: string;
  private child: ChildProcess | undefined;
  private stopping: 'cancel' | 'timeout' | undefined;
  /** The SIGTERM-grace-SIGKILL sequence in progress, awaited before the run returns. */
  private stopped: Promise<void> = Promise.resolve();
  private exited = false;

  constructor(
    private readonly ctx: RunnerContext<unknown, unknown>,
    private readonly params: Parsed,
  ) {
    this.op = `command(job ${ctx.jobId}, ${params.program})`;
  }

  async run(): Promise<RunnerOutcome> {
    const { ctx, params } = this;
    const values = params.template ?? {};
    const args = params.args.map((a) => applyTemplate(a, values, this.op));
    const env = Object.fromEntries(Object.entries(params.env ?? {}).map(([k, v]) => [k, applyTemplate(v, values, this.op)]));
    const cwd = params.cwd === undefined ? undefined : applyTemplate(params.cwd, values, this.op);
    if (cwd !== undefined) await this.checkCwd(cwd);
    ctx.stage('running');
    if (ctx.attempt > 1 || ctx.restore() !== undefined) ctx.log('A command cannot resume mid-way: running it again from the start');
    ctx.persist({ started: Date.now() });
    ctx.log(`$ ${[params.program, ...args].map(shellQuote).join(' ')}${cwd ? `   (in ${cwd})` : ''}`);
    if (Object.keys(env).length > 0) ctx.log(`  with environment: ${Object.keys(env).join(', ')}`);

    if (ctx.signal.aborted) throw ctx.signal.reason;
    // Listening before the spawn: a pause that lands while the program starts must not be lost.
    let paused = false;
    let pid: number | undefined;
    let timer: PausableTimer | undefined;
    const applyPause = () => {
      if (pid === undefined || this.exited || this.stopping) return;
      if (!POSIX) return ctx.log('Pausing a running command is not supported on Windows; it goes on running');
      signalTree(pid, paused ? 'SIGSTOP' : 'SIGCONT');
      if (paused) timer?.pause();
      else timer?.resume();
      ctx.log(paused ? `Paused: process group ${pid} stopped (SIGSTOP)` : `Resumed: process group ${pid} continued (SIGCONT)`);
    };
    const unlisten = ctx.onPauseChange?.((now) => {
      paused = now;
      applyPause();
    });
    const onAbort = () => {
      if (pid !== undefined) this.stop('cancel', pid);
    };
    ctx.signal.addEventListener('abort', onAbort, { once: true });

    const started = Date.now();
    try {
      const child = spawn(params.program, args, {
        cwd,
        env: { ...process.env, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: POSIX,
        shell: false,
        windowsHide: true,
      });
      this.child = child;
      await new Promise<void>((resolve, reject) => {
        child.once('spawn', resolve);
        child.once('error', (err) => reject(new FerryError('IO', ioError(`${this.op}: cannot start`, err).message, { errno: (err as NodeJS.ErrnoException).code, retriable: false })));
      });
      const leader = child.pid!;
      pid = leader;
      const out = this.pipe(child.stdout!, '[out] ');
      const err = this.pipe(child.stderr!, '[err] ');
      const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
        child.once('exit', (code, signal) => {
          this.exited = true;
          resolve({ code, signal });
        }),
      );
      if (params.timeoutMs !== undefined) timer = new PausableTimer(params.timeoutMs, () => this.stop('timeout', leader));
      if (ctx.signal.aborted) onAbort();
      else if (paused) applyPause();

      const { code, signal } = await exit;
      timer?.clear();
      // Whatever the program left behind (background children) goes with it.
      if (POSIX && !this.stopping && treeAlive(leader)) {
        ctx.log(`The program exited but left processes in its group ${leader}; stopping them`);
        await this.terminate(leader);
      }
      await this.stopped;
      if (!(await settledWithin(Promise.all([out, err]), PIPE_DRAIN_MS))) {
        // A process that escaped the tree (double fork and setsid) still holds the pipes.
        ctx.log(`Output still held open ${PIPE_DRAIN_MS} ms after the program ended; closing it`);
        child.stdout?.destroy();
        child.stderr?.destroy();
        await Promise.all([out, err]);
      }
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      if (this.stopping === 'cancel') throw ctx.signal.reason;
      if (this.stopping === 'timeout') {
        throw new FerryError('REMOTE', `${this.op}: timed out after ${params.timeoutMs} ms`, { timeoutMs: params.timeoutMs, retriable: true });
      }
      if (code === 0) {
        ctx.log(`Exit code 0 after ${seconds} s`);
        return { result: 'success', summary: { exitCode: 0, durationMs: Date.now() - started } };
      }
      if (signal) throw new FerryError('REMOTE', `${this.op}: killed by signal ${signal}`, { signal, retriable: true });
      throw new FerryError('REMOTE', `${this.op}: exit code ${code}`, { exitCode: code, retriable: true });
    } finally {
      timer?.clear();
      unlisten?.();
      ctx.signal.removeEventListener('abort', onAbort);
    }
  }

  private async checkCwd(cwd: string): Promise<void> {
    if (!isAbsolute(cwd)) throw new FerryError('INVALID_INPUT', `${this.op}: the working folder must be an absolute path (got ${cwd})`, { retriable: false });
    const info = await stat(cwd).catch((err: unknown) => {
      throw new FerryError('IO', ioError(`${this.op}: working folder ${cwd}`, err).message, { retriable: false });
    });
    if (!info.isDirectory()) throw new FerryError('IO', `${this.op}: working folder ${cwd} is not a folder`, { retriable: false });
  }

  /** Streams a pipe into the log line by line; resolves when it ends (or is cut after the tree is gone). */
  private pipe(stream: NodeJS.ReadableStream, tag: string): Promise<void> {
    const lines = new LineSplitter((line) => this.ctx.log(tag + line));
    return new Promise((resolve) => {
      stream.on('data', (chunk: Buffer) => lines.push(chunk));
      stream.once('error', () => undefined);
      stream.once('close', () => {
        lines.end();
        resolve();
      });
    });
  }

  /** Cancel and timeout: SIGTERM to the tree (and SIGCONT, or a stopped tree never sees it), SIGKILL after the grace. */
  private stop(why: 'cancel' | 'timeout', pid: number): void {
    if (this.stopping || this.exited) return;
    this.stopping = why;
    this.ctx.log(why === 'cancel' ? 'Canceled: stopping the process group' : `Timed out after ${this.params.timeoutMs} ms: stopping the process group`);
    this.stopped = this.terminate(pid);
  }

  private async terminate(pid: number): Promise<void> {
    if (!POSIX) {
      this.child?.kill();
      return;
    }
    signalTree(pid, 'SIGTERM');
    signalTree(pid, 'SIGCONT');
    if (await treeGone(pid, this.params.graceMs)) return;
    this.ctx.log(`Still running after ${this.params.graceMs} ms: sending SIGKILL`);
    signalTree(pid, 'SIGKILL');
    await treeGone(pid, 5000);
  }
}

/**
 * Runs a program (no shell: each argument is one argv element) in its own process group, with its
 * output in the job log line by line, pause as SIGSTOP/SIGCONT of the group, and cancel or timeout
 * as SIGTERM then SIGKILL of the whole tree.
 */
export function createCommandRunner(gate: { check(op: string): void }): JobRunner<CommandParams, unknown> {
  return {
    kind: 'command',
    // A command may not be safe to run twice: another attempt is the user's call (retry), not the scheduler's.
    policy: { maxAttempts: 1 },
    async run(ctx) {
      // Checked at every start, retries and restarts included: permission withdrawn stops what was queued.
      gate.check(`command(job ${ctx.jobId})`);
      const parsed = commandParamsSchema.safeParse(ctx.params);
      if (!parsed.success) {
        const issues = parsed.error.issues.map((i) => `${i.path.join('.') || 'params'}: ${i.message}`).join('; ');
        throw new FerryError('INVALID_INPUT', `command(job ${ctx.jobId}): ${issues}`, { retriable: false });
      }
      return new CommandRun(ctx as RunnerContext<unknown, unknown>, parsed.data).run();
    },
  };
}

