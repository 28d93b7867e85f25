/** `ferry dest list|add|test|remove`: the destinations of the running instance. */
import { resolve } from 'node:path';
import type { DestinationInput } from '../../shared/destinations';
import { EXIT, usageError } from './cliError';
import { findDestination, write, type Ctx } from './commands';
import { destinationsTable } from './format';
import { headerArgs, readSecret } from './secretInput';

const SUBCOMMANDS = ['list', 'add', 'test', 'remove'] as const;
const ADD_KINDS = ['tus', 's3', 'folder'] as const;

/** Options that belong to `dest add` only. */
const ADD_ONLY = ['kind', 'endpoint', 'header', 'secret-header', 'secret-stdin', 'secret-file', 'secret', 'bucket', 'region', 'prefix', 'access-key-id', 'path-style', 'path', 'default'];

export async function dest(ctx: Ctx): Promise<number> {
  const [sub, target] = ctx.line.positionals;
  if (!(SUBCOMMANDS as readonly string[]).includes(sub!)) throw usageError(`ferry dest: ${JSON.stringify(sub)} is not one of ${SUBCOMMANDS.join(', ')}`);
  if (sub !== 'add') {
    const stray = ADD_ONLY.filter((o) => ctx.line.values[o] !== undefined);
    if (stray.length) throw usageError(`ferry dest ${sub}: --${stray[0]} belongs to \`ferry dest add\``);
  }
  if (sub === 'list') {
    if (target !== undefined) throw usageError('ferry dest list takes no argument');
    const all = await ctx.conn.call('listDestinations', {});
    await write(ctx.io.stdout, ctx.line.values.json ? `${JSON.stringify(all, null, 2)}\n` : destinationsTable(all));
    return EXIT.ok;
  }
  if (target === undefined) throw usageError(`ferry dest ${sub}: name the destination${sub === 'add' ? ' to add' : ' (its id or name)'}`);
  if (sub === 'add') return add(ctx, target);
  const found = await findDestination(ctx, target, `dest ${sub}`);
  if (sub === 'remove') {
    await ctx.conn.call('deleteDestination', { id: found.id });
    await write(ctx.io.stdout, `Destination ${found.name} [${found.id}] removed\n`);
    return EXIT.ok;
  }
  const result = await ctx.conn.call('testDestination', { id: found.id });
  if (ctx.line.values.json) await write(ctx.io.stdout, `${JSON.stringify(result, null, 2)}\n`);
  else if (result.ok) await write(ctx.io.stdout, `${found.name}: OK, ${result.message} (${result.latencyMs} ms)\n`);
  else await write(ctx.io.stderr, `ferry: ${found.name}: FAILED, ${result.message}${result.hint ? `\n  ${result.hint}` : ''}\n`);
  return result.ok ? EXIT.ok : EXIT.jobFailed;
}

function required(ctx: Ctx, name: string, kind: string): string {
  const value = ctx.line.values[name];
  if (typeof value !== 'string' || value === '') throw usageError(`ferry dest add: --kind ${kind} needs --${name}`);
  return value;
}

function refuse(ctx: Ctx, kind: string, names: string[]): void {
  const stray = names.filter((o) => ctx.line.values[o] !== undefined);
  if (stray.length) throw usageError(`ferry dest add: --${stray[0]} does not apply to --kind ${kind}`);
}

async function add(ctx: Ctx, name: string): Promise<number> {
  const { values } = ctx.line;
  const kind = values.kind;
  if (!(ADD_KINDS as readonly unknown[]).includes(kind)) throw usageError(`ferry dest add: --kind must be one of ${ADD_KINDS.join(', ')}${kind === undefined ? '' : `, got ${JSON.stringify(kind)}`}`);
  const secret = await readSecret(ctx);
  let input: DestinationInput;
  if (kind === 'tus') {
    refuse(ctx, kind, ['bucket', 'region', 'prefix', 'access-key-id', 'path-style', 'path']);
    const headers = headerArgs(values, 'dest add');
    const headerName = values['secret-header'] as string | undefined;
    if (headerName !== undefined && secret === undefined) throw usageError('ferry dest add: --secret-header needs its value from --secret-stdin or --secret-file');
    input = { name, kind, config: { endpoint: required(ctx, 'endpoint', kind), headers }, ...(secret !== undefined ? { secret: { headerName: headerName ?? 'Authorization', value: secret } } : {}) };
  } else if (kind === 's3') {
    refuse(ctx, kind, ['header', 'secret-header', 'path']);
    if (secret === undefined) throw usageError('ferry dest add: --kind s3 needs the secret access key from --secret-stdin or --secret-file');
    input = {
      name,
      kind,
      config: {
        bucket: required(ctx, 'bucket', kind),
        accessKeyId: required(ctx, 'access-key-id', kind),
        ...(typeof values.endpoint === 'string' ? { endpoint: values.endpoint } : {}),
        ...(typeof values.region === 'string' ? { region: values.region } : {}),
        ...(typeof values.prefix === 'string' ? { prefix: values.prefix } : {}),
        ...(values['path-style'] ? { forcePathStyle: true } : {}),
      },
      secret: { secretAccessKey: secret },
    };
  } else {
    refuse(ctx, 'folder', ['endpoint', 'header', 'secret-header', 'bucket', 'region', 'prefix', 'access-key-id', 'path-style']);
    if (secret !== undefined) throw usageError('ferry dest add: a folder destination takes no secret');
    input = { name, kind: 'folder', config: { path: resolve(ctx.cwd, required(ctx, 'path', 'folder')) } };
  }
  let saved = await ctx.conn.call('saveDestination', input);
  if (values.default) saved = await ctx.conn.call('setDefaultDestination', { id: saved.id });
  await write(ctx.io.stdout, values.json ? `${JSON.stringify(saved, null, 2)}\n` : `Destination ${saved.name} [${saved.id}] added: ${saved.summary}${saved.isDefault ? ' (default)' : ''}\n`);
  return EXIT.ok;
}
