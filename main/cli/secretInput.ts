/**
 * Secrets for the CLI come from stdin or a file, never from argv: a command line is visible to
 * every process of the computer (`ps`) and stays in shell history.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { usageError } from './cliError';
import type { Ctx } from './commands';

/** Header names that carry credentials: refused on the command line. */
export const SECRET_HEADER = /^(authorization|proxy-authorization|cookie|x-api-key|x-auth-token|x-amz-.*)$/i;

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

/** The text of `--x-file FILE` (`-` is stdin). */
export async function readTextArg(ctx: Ctx, file: string, what: string): Promise<string> {
  if (file === '-') return readAll(ctx.io.stdin ?? process.stdin);
  try {
    return await readFile(resolve(ctx.cwd, file), 'utf8');
  } catch (err) {
    throw usageError(`ferry ${ctx.line.command}: cannot read ${what} from ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

/**
 * The secret of `--secret-stdin` or `--secret-file FILE`, without its final line break; undefined
 * when neither is given. `--secret VALUE` is refused with the way to do it instead.
 */
export async function readSecret(ctx: Ctx): Promise<string | undefined> {
  const { values, command } = ctx.line;
  const name = `ferry ${command}${ctx.line.positionals[0] ? ` ${ctx.line.positionals[0]}` : ''}`;
  if (values.secret !== undefined) {
    throw usageError(`${name}: a secret on the command line is visible to every process and kept in shell history; pass it with --secret-stdin (e.g. \`ferry dest add ... --secret-stdin < key.txt\`) or --secret-file FILE`);
  }
  const file = values['secret-file'];
  if (values['secret-stdin'] && file !== undefined) throw usageError(`${name}: give --secret-stdin or --secret-file, not both`);
  if (!values['secret-stdin'] && file === undefined) return undefined;
  const text = values['secret-stdin'] ? await readAll(ctx.io.stdin ?? process.stdin) : await readTextArg(ctx, String(file), 'the secret');
  const secret = text.replace(/\r?\n$/, '');
  if (secret === '') throw usageError(`${name}: the secret is empty (${values['secret-stdin'] ? 'nothing on stdin' : `the file ${String(file)} is empty`})`);
  if (/[\r\n]/.test(secret)) throw usageError(`${name}: the secret must be one line`);
  return secret;
}

/** `NAME:VALUE` (or `NAME: VALUE`) from `--header`; credentials are refused here. */
export function headerArgs(values: Record<string, unknown>, command: string): Record<string, string> {
  const raw = values.header;
  const out: Record<string, string> = {};
  for (const item of Array.isArray(raw) ? (raw as string[]) : []) {
    const colon = item.indexOf(':');
    const name = colon > 0 ? item.slice(0, colon).trim() : '';
    if (!name) throw usageError(`ferry ${command}: --header ${JSON.stringify(item)} is not NAME:VALUE`);
    if (SECRET_HEADER.test(name)) {
      throw usageError(`ferry ${command}: the ${name} header carries a credential, which must not be on the command line; ${command === 'download' ? 'put it in a file given with --headers-file FILE (or - for stdin)' : 'give its name with --secret-header and its value with --secret-stdin or --secret-file'}`);
    }
    out[name] = item.slice(colon + 1).trim();
  }
  return out;
}

/** `Name: value` lines (blank lines and `#` comments skipped), as a headers file holds them. */
export function parseHeaderLines(text: string, source: string, command: string): Record<string, string> {
  const out: Record<string, string> = {};
  text.split(/\r?\n/).forEach((line, i) => {
    if (!line.trim() || line.trimStart().startsWith('#')) return;
    const colon = line.indexOf(':');
    if (colon <= 0) throw usageError(`ferry ${command}: line ${i + 1} of ${source} is not "Name: value"`);
    out[line.slice(0, colon).trim()] = line.slice(colon + 1).trim();
  });
  return out;
}
