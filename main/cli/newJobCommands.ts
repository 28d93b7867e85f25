/** `ferry download`, `ferry command`, `ferry verify` (new jobs) and `ferry priority`. */
import { resolve } from 'node:path';
import { EXIT, usageError } from './cliError';
import { createdJob, findDestination, priorityArg, write, type Ctx } from './commands';
import { jobIdArg } from './args';
import { stateText } from './format';
import { headerArgs, parseHeaderLines, readTextArg } from './secretInput';

/**
 * `ferry download s3://<destination>/<prefix> --to DIR` (a prefix of a saved S3 destination) and
 * `ferry download <upload-job-id> --to DIR` (that upload's dataset, back from S3).
 */
async function s3Download(ctx: Ctx, source: string, to: string): Promise<number> {
  const { values } = ctx.line;
  if (values.sha256 !== undefined || values.header !== undefined || values['headers-file'] !== undefined) {
    throw usageError('ferry download: --sha256, --header and --headers-file apply to a URL; an S3 download checks each file against the manifest or the store');
  }
  const priority = priorityArg(values.priority, 'download');
  const common = {
    dest: resolve(ctx.cwd, to),
    ...(typeof values.name === 'string' ? { name: values.name } : {}),
    ...(priority ? { priority } : {}),
  };
  if (/^\d+$/.test(source)) return createdJob(ctx, await ctx.conn.call('createBucketDownload', { sourceJobId: jobIdArg(source, 'download'), ...common }));
  const rest = source.slice('s3://'.length);
  const slash = rest.indexOf('/');
  const name = slash < 0 ? rest : rest.slice(0, slash);
  if (!name) throw usageError('ferry download: write s3://<destination name>/<prefix>');
  const destination = await findDestination(ctx, name, 'download');
  return createdJob(ctx, await ctx.conn.call('createBucketDownload', { destinationId: destination.id, prefix: slash < 0 ? '' : rest.slice(slash + 1), ...common }));
}

export async function download(ctx: Ctx): Promise<number> {
  const { values, positionals } = ctx.line;
  if (typeof values.to !== 'string') throw usageError('ferry download: --to PATH (where the file goes) is required');
  if (/^s3:\/\//i.test(positionals[0]!) || /^\d+$/.test(positionals[0]!)) return s3Download(ctx, positionals[0]!, values.to);
  const sha = values.sha256 as string | undefined;
  if (sha !== undefined && !/^[0-9a-fA-F]{64}$/.test(sha)) throw usageError(`ferry download: --sha256 must be 64 hex digits, got ${JSON.stringify(sha)}`);
  const headers = headerArgs(values, 'download');
  let secretHeaders: string[] | undefined;
  if (typeof values['headers-file'] === 'string') {
    const file = values['headers-file'];
    const fromFile = parseHeaderLines(await readTextArg(ctx, file, 'headers'), file === '-' ? 'stdin' : file, 'download');
    Object.assign(headers, fromFile);
    // What came from a file is kept as a secret, whatever its name.
    secretHeaders = Object.keys(fromFile);
  }
  const priority = priorityArg(values.priority, 'download');
  const job = await ctx.conn.call('createDownloadJob', {
    url: positionals[0]!,
    dest: resolve(ctx.cwd, values.to),
    ...(sha ? { expectedSha256: sha.toLowerCase() } : {}),
    ...(Object.keys(headers).length ? { headers } : {}),
    ...(secretHeaders?.length ? { secretHeaders } : {}),
    ...(typeof values.name === 'string' ? { name: values.name } : {}),
    ...(priority ? { priority } : {}),
  });
  return createdJob(ctx, job);
}

function positiveInt(value: unknown, option: string, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > max) throw usageError(`ferry command: --${option} must be a whole number from 1 to ${max}, got ${JSON.stringify(value)}`);
  return n;
}

export async function command(ctx: Ctx): Promise<number> {
  const { values, positionals } = ctx.line;
  const env: Record<string, string> = {};
  for (const item of (values.env as string[] | undefined) ?? []) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw usageError(`ferry command: --env ${JSON.stringify(item)} is not NAME=VALUE`);
    env[item.slice(0, eq)] = item.slice(eq + 1);
  }
  const timeoutS = positiveInt(values.timeout, 'timeout', 604_800);
  const maxAttempts = positiveInt(values['max-attempts'], 'max-attempts', 20);
  const priority = priorityArg(values.priority, 'command');
  const [program, ...args] = positionals as [string, ...string[]];
  const job = await ctx.conn.call('createCommandJob', {
    program,
    args,
    ...(typeof values.cwd === 'string' ? { cwd: resolve(ctx.cwd, values.cwd) } : {}),
    ...(Object.keys(env).length ? { env } : {}),
    ...(timeoutS ? { timeoutMs: timeoutS * 1000 } : {}),
    ...(maxAttempts ? { maxAttempts } : {}),
    ...(typeof values.name === 'string' ? { name: values.name } : {}),
    ...(priority ? { priority } : {}),
  });
  return createdJob(ctx, job);
}

export async function verify(ctx: Ctx): Promise<number> {
  const sourceJobId = jobIdArg(ctx.line.positionals[0], 'verify');
  const priority = priorityArg(ctx.line.values.priority, 'verify');
  const job = await ctx.conn.call('createVerifyJob', { sourceJobId, ...(priority ? { priority } : {}) });
  return createdJob(ctx, job);
}

export async function priority(ctx: Ctx): Promise<number> {
  const [idText, level] = ctx.line.positionals;
  const id = jobIdArg(idText, 'priority');
  const value = priorityArg(level, 'priority', 'the priority')!;
  const job = await ctx.conn.call('setPriority', { id, priority: value });
  await write(ctx.io.stdout, `Job ${id} (${stateText(job)}): priority ${job.priority}\n`);
  return EXIT.ok;
}
