import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { join, resolve } from 'node:path';
import type { CommandInput, CommandName, CommandResult } from '../../../shared/contract';
import type { JobState, JobView } from '../../../shared/model';

/**
 * What ships, driven as a user does: the built `ferry serve` as a process of its own with default
 * settings and its own data directory, its HTTP API with the token from instance.json, and the
 * built CLI. Run `node scripts/build.mjs` first (npm test does).
 */

const ROOT = resolve(__dirname, '../../..');
export const SERVE = join(ROOT, 'out/main/serve.js');
const CLI = join(ROOT, 'out/main/cli.js');
const STARTUP_MS = 60_000;

/** An error answered by the instance, with its stable code. */
export class CallError extends Error {
  constructor(
    readonly command: string,
    readonly code: string,
    message: string,
  ) {
    super(`${command}: ${code}: ${message}`);
  }
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI against `dataDir` to the end. */
export function runCli(dataDir: string, args: string[]): Promise<CliResult> {
  return new Promise((resolveRun) => {
    const child = spawn(process.execPath, [CLI, '--data-dir', dataDir, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, FERRY_LOG_LEVEL: 'warn' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolveRun({ code, stdout, stderr }));
  });
}

export class Instance {
  private child: ChildProcess | null = null;
  private exited: Promise<number | null> = Promise.resolve(null);
  private base = '';
  private token = '';
  /** Everything the processes printed, for failure messages. */
  output = '';
  /** How many times a process was started on this data directory. */
  starts = 0;

  constructor(
    readonly dataDir: string,
    private readonly args: string[] = [],
  ) {}

  /** Starts `ferry serve` and resolves once it printed its address (instance.json is then written). */
  async start(): Promise<void> {
    if (this.child) throw new Error('the instance is already running');
    const child = spawn(process.execPath, [SERVE, '--data-dir', this.dataDir, ...this.args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, FERRY_LOG_LEVEL: 'warn' },
    });
    this.child = child;
    this.starts++;
    this.exited = new Promise((resolveExit) => child.on('exit', (code, signal) => resolveExit(code ?? (signal ? -1 : null))));
    const serving = await new Promise<string>((resolveUrl, reject) => {
      let buffered = '';
      const timer = setTimeout(() => reject(new Error(`ferry serve did not start within ${STARTUP_MS} ms:\n${this.output.slice(-3000)}`)), STARTUP_MS);
      const onData = (d: Buffer) => {
        this.output += d.toString();
        buffered += d.toString();
        const m = /Ferry is serving at (\S+)/.exec(buffered);
        if (m) {
          clearTimeout(timer);
          resolveUrl(m[1]!);
        }
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', (d: Buffer) => (this.output += d.toString()));
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`ferry serve exited with ${code} before serving:\n${this.output.slice(-3000)}`));
      });
    });
    const info = JSON.parse(readFileSync(join(this.dataDir, 'instance.json'), 'utf8')) as { token: string; port: number };
    this.token = info.token;
    this.base = new URL(serving).origin;
  }

  get running(): boolean {
    return this.child !== null;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** SIGTERM, as a user quitting does; resolves with the exit code. */
  async stop(): Promise<number | null> {
    if (!this.child) return null;
    this.child.kill('SIGTERM');
    const code = await this.exited;
    this.child = null;
    return code;
  }

  /** SIGKILL: no shutdown code runs at all. */
  async kill9(): Promise<void> {
    if (!this.child) return;
    this.child.kill('SIGKILL');
    await this.exited;
    this.child = null;
  }

  /** A graceful stop and a start on the same data directory. */
  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  /** One command over the HTTP API (`POST /api/call/<name>`), its error rethrown with its code. */
  async call<K extends CommandName>(name: K, input: CommandInput<K>): Promise<CommandResult<K>> {
    const body = JSON.stringify(input);
    // A connection per call: a kept-alive socket the host closes while idle would fail a call
    // that cannot safely be sent twice (createUpload).
    const raw = await new Promise<string>((resolveBody, reject) => {
      const req = http.request(
        `${this.base}/api/call/${name}`,
        { method: 'POST', agent: false, headers: { Authorization: `Bearer ${this.token}`, 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) } },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (d: string) => (text += d));
          res.on('end', () => resolveBody(text));
          res.on('error', reject);
        },
      );
      req.on('error', (err) => reject(new Error(`${name}: ${err.message}\n${this.output.slice(-2000)}`)));
      req.end(body);
    });
    const envelope = JSON.parse(raw) as { ok: true; value: CommandResult<K> } | { ok: false; error: { code: string; message: string } };
    if (!envelope.ok) throw new CallError(name, envelope.error.code, envelope.error.message);
    return envelope.value;
  }

  /** The built CLI against this data directory. */
  cli(args: string[]): Promise<CliResult> {
    return runCli(this.dataDir, args);
  }

  /** Polls the job until `until` holds; fails with the job as it stands after `timeoutMs`. */
  async waitForJob(id: number, until: (job: JobView) => boolean = finished, timeoutMs = 180_000): Promise<JobView> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const job = await this.call('getJob', { id });
      if (until(job)) return job;
      if (Date.now() > deadline) throw new Error(`job ${id} did not reach the awaited state within ${timeoutMs} ms: ${JSON.stringify(job)}`);
      await pollPause();
    }
  }

  /** Every job, oldest first. */
  async jobs(): Promise<JobView[]> {
    const all: JobView[] = [];
    for (let offset = 0; ; offset += 500) {
      const page = await this.call('listJobs', { limit: 500, offset, sort: 'created', order: 'asc' });
      all.push(...page.jobs);
      if (all.length >= page.total || page.jobs.length === 0) return all;
    }
  }

  /** Polls until every job is finished (or `until` holds for the list). */
  async waitForAll(until: (jobs: JobView[]) => boolean = (jobs) => jobs.every(finished), timeoutMs = 240_000): Promise<JobView[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const jobs = await this.jobs();
      if (until(jobs)) return jobs;
      if (Date.now() > deadline) {
        throw new Error(`the jobs did not reach the awaited state within ${timeoutMs} ms: ${JSON.stringify(jobs.map((j) => [j.id, j.kind, j.state, j.error]))}`);
      }
      await pollPause();
    }
  }
}

export const FINISHED: JobState[] = ['completed', 'failed', 'canceled'];
export const finished = (job: JobView): boolean => FINISHED.includes(job.state);

/** The gap between two polls of the instance's state (a poll interval, not a synchronization). */
const pollPause = () => new Promise<void>((resolvePause) => setTimeout(resolvePause, 100));
