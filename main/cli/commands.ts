import { createReadStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { FerryError } from '../../shared/errors';
import type { UploadPlan } from '../../shared/contract';
import type { DestinationView } from '../../shared/destinations';
import { formatBytes } from '../../shared/format';
import { JOB_KINDS, JOB_STATES, PRIORITIES, type JobEvent, type JobKind, type JobState, type JobView, type Priority } from '../../shared/model';
import { jobIdArg, listArg, type CommandLine } from './args';
import { CliError, EXIT, usageError } from './cliError';
import type { Connection } from './connection';
import { healthText, jobsTable, stateText } from './format';
import { followLog } from './logFollow';
import { followSse } from './sseClient';

/** Where the CLI writes; a stream's `drain` is awaited so a big log never piles up in memory. */
export interface Output {
  write(chunk: string): boolean | void;
  once?(event: 'drain', listener: () => void): unknown;
}

export interface CliIo {
  stdout: Output;
  stderr: Output;
  /** Defaults to process.env (FERRY_DATA_DIR is read from here). */
  env?: Record<string, string | undefined>;
  /** Relative paths (upload, --out) resolve from here; defaults to process.cwd(). */
  cwd?: string;
  /** Where `--secret-stdin` and `--headers-file -` read; defaults to process.stdin. */
  stdin?: NodeJS.ReadableStream;
  /** Ends a follow without a natural end (`events -f`); defaults to the process's SIGINT (Ctrl-C). */
  signal?: AbortSignal;
}

export async function write(out: Output, text: string): Promise<void> {
  if (out.write(text) === false && out.once) await new Promise<void>((r) => out.once!('drain', r));
}

export interface Ctx {
  io: CliIo;
  conn: Connection;
  line: CommandLine;
  cwd: string;
}

const LOG_PAGE = 1024 * 1024;

/**
 * Exit 0 for a job that completed, 1 for one that failed or was canceled, so scripts can chain. A
 * job that completed with some files failed is 1 too (a script must not take it for the whole
 * dataset) unless `--allow-partial` says that is fine.
 */
export async function jobExit(job: JobView, io: CliIo, allowPartial: boolean): Promise<number> {
  if (job.state === 'completed' && (job.result !== 'partial' || allowPartial)) return EXIT.ok;
  await write(io.stderr, `ferry: job ${job.id} ${stateText(job)}${job.error ? `: ${job.error}` : ''}\n`);
  return EXIT.jobFailed;
}

/** Calls a command the instance may not offer yet, with a message that says so. */
async function callOptional(ctx: Ctx, command: string, name: string, input: unknown): Promise<unknown> {
  try {
    return await ctx.conn.callByName(name, input);
  } catch (err) {
    if (err instanceof FerryError && err.code === 'NOT_FOUND' && /^unknown command/.test(err.message)) {
      throw new CliError(EXIT.server, `ferry ${command}: this Ferry instance does not offer it yet (${err.message})`);
    }
    throw err;
  }
}

async function status({ io, conn, line }: Ctx): Promise<number> {
  const health = await conn.call('health', {});
  await write(io.stdout, line.values.json ? `${JSON.stringify(health, null, 2)}\n` : healthText(health, conn.instance));
  return health.ok ? EXIT.ok : EXIT.server;
}

async function jobs({ io, conn, line }: Ctx): Promise<number> {
  const state = listArg(line.values, 'state', JOB_STATES, 'jobs') as JobState[] | undefined;
  const kind = listArg(line.values, 'kind', JOB_KINDS, 'jobs') as JobKind[] | undefined;
  const limit = line.values.limit === undefined ? 50 : Number(line.values.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw usageError(`ferry jobs: --limit must be 1..500, got ${String(line.values.limit)}`);
  const text = line.values.text as string | undefined;
  const page = await conn.call('listJobs', { limit, offset: 0, ...(state ? { state } : {}), ...(kind ? { kind } : {}), ...(text ? { text } : {}) });
  await write(io.stdout, line.values.json ? `${JSON.stringify(page, null, 2)}\n` : jobsTable(page.jobs, page.total));
  return EXIT.ok;
}

async function logs({ io, conn, line }: Ctx): Promise<number> {
  const id = jobIdArg(line.positionals[0], 'logs');
  let offset = 0;
  // A log cut to its size cap starts a new epoch; passing ours back lets the engine map the offset.
  let epoch: number | undefined;
  const at = () => ({ id, offset, ...(epoch !== undefined ? { epoch } : {}) });
  if (!line.values.follow) {
    for (;;) {
      const chunk = await conn.call('readLog', { ...at(), maxBytes: LOG_PAGE });
      await write(io.stdout, chunk.text);
      if (chunk.eof || chunk.nextOffset === offset) return EXIT.ok;
      offset = chunk.nextOffset;
      epoch = chunk.epoch;
    }
  }
  await followLog(() => conn.relocate(), id, io.stdout);
  return jobExit(await conn.call('getJob', { id }), io, line.values['allow-partial'] === true);
}

/** Follows a job's events until it ends, telling stderr what happens; answers the exit code. */
export async function waitFor(ctx: Ctx, id: number): Promise<number> {
  await followSse(() => ctx.conn.relocate(), `/jobs/${id}/events?since=0`, (event) => {
    if (['progress', 'log', 'heartbeat', 'missed'].includes(event.event)) return;
    const e = JSON.parse(event.data) as JobEvent;
    ctx.io.stderr.write(`${new Date(e.ts).toISOString()} ${e.message}\n`);
  });
  const job = await ctx.conn.call('getJob', { id });
  await write(ctx.io.stdout, `Job ${id} ${stateText(job)}\n`);
  return jobExit(job, ctx.io, ctx.line.values['allow-partial'] === true);
}

/** A destination named by id or by name (any case). */
export async function findDestination(ctx: Ctx, to: string, command: string): Promise<DestinationView> {
  const all = await ctx.conn.call('listDestinations', {});
  const found = all.find((d) => d.id === to) ?? all.find((d) => d.name.toLowerCase() === to.toLowerCase());
  if (!found) throw usageError(`ferry ${command}: no destination ${JSON.stringify(to)} (there are: ${all.map((d) => `${d.name} [${d.id}]`).join(', ') || 'none'})`);
  return found;
}

/** `--priority` checked against the priorities. */
export function priorityArg(value: unknown, command: string, what = '--priority'): Priority | undefined {
  if (value === undefined) return undefined;
  if (!(PRIORITIES as readonly string[]).includes(String(value))) throw usageError(`ferry ${command}: ${what} must be one of ${PRIORITIES.join(', ')}, got ${JSON.stringify(value)}`);
  return value as Priority;
}

/** What a command that made a job prints: the job as JSON with --json, else one line; then --wait. */
export async function createdJob(ctx: Ctx, job: JobView): Promise<number> {
  await write(ctx.io.stdout, ctx.line.values.json ? `${JSON.stringify(job, null, 2)}\n` : `Job ${job.id} ${stateText(job)}: ${job.name}\n`);
  return ctx.line.values.wait ? waitFor(ctx, job.id) : EXIT.ok;
}

async function upload(ctx: Ctx): Promise<number> {
  const { values, positionals } = ctx.line;
  const priority = priorityArg(values.priority, 'upload');
  const destinationId = typeof values.to === 'string' ? (await findDestination(ctx, values.to, 'upload')).id : undefined;
  const target = {
    paths: positionals.map((p) => resolve(ctx.cwd, p)),
    ...(destinationId ? { destinationId } : {}),
    ...(typeof values.name === 'string' ? { name: values.name } : {}),
    ...(values.rehash === true ? { rehash: true } : {}),
  };
  if (values.plan === true) return printPlan(ctx, await ctx.conn.call('planUpload', target));
  if ((values['delete-removed'] === true || values.rehash === true) && values.incremental !== true) {
    throw usageError(`ferry upload: --${values.rehash === true ? 'rehash' : 'delete-removed'} goes with --incremental`);
  }
  const job = await ctx.conn.call('createUpload', {
    ...target,
    ...(priority ? { priority } : {}),
    ...(values.incremental === true ? { incremental: true } : {}),
    ...(values['delete-removed'] === true ? { deleteRemoved: true } : {}),
  });
  return createdJob(ctx, job);
}

/** `ferry upload --plan`: the plan as JSON, or a summary line and one line per listed file. */
async function printPlan(ctx: Ctx, plan: UploadPlan): Promise<number> {
  if (ctx.line.values.json) {
    await write(ctx.io.stdout, `${JSON.stringify(plan, null, 2)}\n`);
    return EXIT.ok;
  }
  const c = plan.counts;
  const lines = [
    `Plan for ${plan.dataset} on ${plan.destination}: ${c.new} new, ${c.changed} changed, ${c.unchanged} unchanged, ${c.removed} removed; ${formatBytes(plan.bytesToSend)} to send`,
    ...(plan.readable ? (plan.found ? [] : [`${plan.destination} holds no manifest of ${plan.dataset}: every file is new`]) : [`${plan.destination} cannot be read back: ${plan.why ?? ''}`]),
    ...plan.files.map((f) => `  ${f.change.padEnd(9)}  ${f.path}${f.size === null ? '' : `  ${formatBytes(f.size)}`}${f.why ? `  (${f.why})` : ''}`),
    ...(plan.truncated ? [`  … the first ${plan.files.length} files are listed`] : []),
  ];
  await write(ctx.io.stdout, `${lines.join('\n')}\n`);
  return EXIT.ok;
}

const ACTIONS: Record<string, string> = { pause: 'pauseJob', resume: 'resumeJob', cancel: 'cancelJob', retry: 'retryJob', approve: 'approveJob', reject: 'rejectJob' };

/** `ferry delete <id> [--files]`: removes the job (and with --files what it uploaded, where the destination allows). */
async function deleteJob(ctx: Ctx): Promise<number> {
  const id = jobIdArg(ctx.line.positionals[0], 'delete');
  const files = ctx.line.values.files === true;
  const result = await ctx.conn.call('deleteJob', { id, ...(files ? { deleteFiles: true } : {}) });
  await write(ctx.io.stdout, `Job ${id} deleted${files ? `; ${result.filesDeleted} uploaded file(s) removed from the destination` : ''}\n`);
  return EXIT.ok;
}

async function action(ctx: Ctx): Promise<number> {
  const { command, positionals } = ctx.line;
  const id = jobIdArg(positionals[0], command);
  const job = (await callOptional(ctx, command, ACTIONS[command]!, { id })) as JobView;
  await write(ctx.io.stdout, `Job ${id}: ${stateText(job)}\n`);
  return EXIT.ok;
}

/**
 * The instance writes the export (the same machine, so the same paths): with --out straight to
 * that file, else to a private temporary file that is then printed and removed.
 */
async function exportJobs(ctx: Ctx): Promise<number> {
  const { values } = ctx.line;
  const format = values.format;
  if (format !== 'csv' && format !== 'json') throw usageError('ferry export: --format csv or --format json is required');
  const state = listArg(values, 'state', JOB_STATES, 'export') as JobState[] | undefined;
  const out = typeof values.out === 'string' ? resolve(ctx.cwd, values.out) : undefined;
  const scratch = out ? undefined : await mkdtemp(join(tmpdir(), 'ferry-export-'));
  try {
    const path = out ?? join(scratch!, `jobs.${format}`);
    const result = await ctx.conn.call('exportJobs', { format, path, ...(state ? { state } : {}) });
    if (out) {
      await write(ctx.io.stderr, `Exported ${result.count} jobs (${result.bytes} bytes) to ${result.path}\n`);
      return EXIT.ok;
    }
    for await (const chunk of createReadStream(result.path, { encoding: 'utf8' })) await write(ctx.io.stdout, chunk as string);
    return EXIT.ok;
  } finally {
    if (scratch) await rm(scratch, { recursive: true, force: true });
  }
}

export const BASIC_HANDLERS: Record<string, (ctx: Ctx) => Promise<number>> = {
  status,
  jobs,
  logs,
  upload,
  export: exportJobs,
  delete: deleteJob,
  ...Object.fromEntries(Object.keys(ACTIONS).map((k) => [k, action])),
};
