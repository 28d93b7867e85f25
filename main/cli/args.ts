import { parseArgs, type ParseArgsConfig } from 'node:util';
import { usageError } from './cliError';

type Options = NonNullable<ParseArgsConfig['options']>;
export type Values = Record<string, string | boolean | string[] | undefined>;

interface CommandSpec {
  usage: string;
  summary: string;
  options: Options;
  /** How many positionals the command takes: [min, max]. */
  positionals: [number, number];
}

const ID: [number, number] = [1, 1];
const idCommand = (verb: string, summary: string): CommandSpec => ({ usage: `ferry ${verb} <id>`, summary, options: {}, positionals: ID });

/** Every subcommand: its usage line, one-line summary, options and positionals. */
export const COMMANDS: Record<string, CommandSpec> = {
  serve: { usage: 'ferry serve [--data-dir DIR] [--port N] [--concurrency N] [--pin-token] [--allow-command-jobs]', summary: 'run Ferry headless behind HTTP and WebSocket on 127.0.0.1', options: {}, positionals: [0, Infinity] },
  status: { usage: 'ferry status [--json]', summary: "the running instance's health", options: { json: { type: 'boolean' } }, positionals: [0, 0] },
  jobs: {
    usage: 'ferry jobs [--state STATE[,STATE...]] [--kind KIND] [--text TEXT] [--limit N] [--json]',
    summary: 'list jobs, newest first',
    options: { state: { type: 'string', multiple: true }, kind: { type: 'string', multiple: true }, text: { type: 'string' }, limit: { type: 'string' }, json: { type: 'boolean' } },
    positionals: [0, 0],
  },
  logs: {
    usage: 'ferry logs [-f] <id> [--allow-partial]',
    summary: "print a job's log; -f follows it until the job ends (exit 1 if it failed or some files failed, unless --allow-partial)",
    options: { follow: { type: 'boolean', short: 'f' }, 'allow-partial': { type: 'boolean' } },
    positionals: ID,
  },
  upload: {
    usage:
      'ferry upload <paths...> [--to DESTINATION] [--name NAME] [--priority high|normal|low] [--incremental [--delete-removed] [--rehash]] [--plan] [--wait [--allow-partial]] [--json]',
    summary:
      'upload files and folders as one dataset job; --wait follows it (exit 1 if it failed or some files failed, unless --allow-partial); --incremental sends only what differs from what the destination holds (--delete-removed also deletes there the files gone from the source); --plan only prints what an incremental upload would send',
    options: {
      to: { type: 'string' },
      name: { type: 'string' },
      priority: { type: 'string' },
      wait: { type: 'boolean' },
      'allow-partial': { type: 'boolean' },
      json: { type: 'boolean' },
      incremental: { type: 'boolean' },
      'delete-removed': { type: 'boolean' },
      rehash: { type: 'boolean' },
      plan: { type: 'boolean' },
    },
    positionals: [1, 10_000],
  },
  pause: idCommand('pause', 'pause a job (a running one stops at its next checkpoint)'),
  resume: idCommand('resume', 'resume a paused job'),
  cancel: idCommand('cancel', 'cancel a job (what it left unfinished at the destination is discarded)'),
  delete: {
    usage: 'ferry delete <id> [--files]',
    summary: 'delete a finished, failed or canceled job; --files also deletes the files it uploaded (folder, S3, built-in receiver)',
    options: { files: { type: 'boolean' } },
    positionals: ID,
  },
  retry: idCommand('retry', 'queue a failed or canceled job again'),
  approve: idCommand('approve', 'approve a job waiting at an approval gate'),
  reject: idCommand('reject', 'reject a job waiting at an approval gate'),
  export: {
    usage: 'ferry export --format csv|json [--out FILE] [--state STATE[,STATE...]]',
    summary: 'export the job history',
    options: { format: { type: 'string' }, out: { type: 'string' }, state: { type: 'string', multiple: true } },
    positionals: [0, 0],
  },
  dest: {
    usage: [
      'ferry dest list [--json]',
      'ferry dest add <name> --kind tus --endpoint URL [--header NAME:VALUE]... [(--secret-stdin | --secret-file FILE) [--secret-header NAME, default Authorization]] [--default]',
      'ferry dest add <name> --kind s3 --bucket B --access-key-id ID (--secret-stdin | --secret-file FILE) [--endpoint URL] [--region R] [--prefix P] [--path-style] [--default]',
      'ferry dest add <name> --kind folder --path DIR [--default]',
      'ferry dest test <destination> [--json]',
      'ferry dest remove <destination>',
    ].join('\n       '),
    summary: 'list, add, test and remove destinations (by id or name); secrets are read from stdin or a file, never from the command line',
    options: {
      json: { type: 'boolean' },
      kind: { type: 'string' },
      endpoint: { type: 'string' },
      header: { type: 'string', multiple: true },
      'secret-header': { type: 'string' },
      'secret-stdin': { type: 'boolean' },
      'secret-file': { type: 'string' },
      // Accepted only to refuse it with a clear message: a secret on argv is visible to every process.
      secret: { type: 'string' },
      bucket: { type: 'string' },
      region: { type: 'string' },
      prefix: { type: 'string' },
      'access-key-id': { type: 'string' },
      'path-style': { type: 'boolean' },
      path: { type: 'string' },
      default: { type: 'boolean' },
    },
    positionals: [1, 2],
  },
  download: {
    usage: [
      'ferry download <url> --to PATH [--sha256 HEX] [--header NAME:VALUE]... [--headers-file FILE|-] [--name NAME] [--priority high|normal|low] [--wait [--allow-partial]] [--json]',
      'ferry download s3://<destination>/<prefix> --to DIR [--name NAME] [--priority P] [--wait [--allow-partial]] [--json]',
      'ferry download <upload-job-id> --to DIR [--name NAME] [--priority P] [--wait [--allow-partial]] [--json]',
    ].join('\n       '),
    summary:
      "download a URL to a file, an S3 destination's prefix to a folder, or an S3 upload's dataset back, as a job; credentials (Authorization, Cookie...) come from --headers-file (- for stdin), never the command line",
    options: { to: { type: 'string' }, sha256: { type: 'string' }, header: { type: 'string', multiple: true }, 'headers-file': { type: 'string' }, name: { type: 'string' }, priority: { type: 'string' }, wait: { type: 'boolean' }, 'allow-partial': { type: 'boolean' }, json: { type: 'boolean' } },
    positionals: [1, 1],
  },
  command: {
    usage: 'ferry command [--cwd DIR] [--env NAME=VALUE]... [--timeout SECONDS] [--max-attempts N] [--name NAME] [--priority P] [--wait] [--json] -- <program> [args...]',
    summary: 'run a program as a job (the instance must allow command jobs); --wait follows it (exit 1 if it failed)',
    options: { cwd: { type: 'string' }, env: { type: 'string', multiple: true }, timeout: { type: 'string' }, 'max-attempts': { type: 'string' }, name: { type: 'string' }, priority: { type: 'string' }, wait: { type: 'boolean' }, 'allow-partial': { type: 'boolean' }, json: { type: 'boolean' } },
    positionals: [1, 4096],
  },
  verify: {
    usage: 'ferry verify <upload-job-id> [--priority P] [--wait] [--json]',
    summary: "check that a destination still holds an upload job's files (size and SHA-256); --wait follows it (exit 1 if some differ)",
    options: { priority: { type: 'string' }, wait: { type: 'boolean' }, 'allow-partial': { type: 'boolean' }, json: { type: 'boolean' } },
    positionals: ID,
  },
  priority: { usage: 'ferry priority <id> high|normal|low', summary: 'change the priority of a job', options: {}, positionals: [2, 2] },
  search: {
    usage: 'ferry search <text> [--limit N] [--json]',
    summary: 'search job names, metadata and log lines',
    options: { limit: { type: 'string' }, json: { type: 'boolean' } },
    positionals: [1, 1],
  },
  stats: {
    usage: 'ferry stats [--from DATE] [--to DATE] [--json]',
    summary: 'success rate, durations and bytes moved (default: the last 24 hours; DATE as ISO 8601)',
    options: { from: { type: 'string' }, to: { type: 'string' }, json: { type: 'boolean' } },
    positionals: [0, 0],
  },
  events: {
    usage: 'ferry events [-f] [<id>] [--since N] [--types TYPE[,TYPE...]] [--json]',
    summary: "a job's events; -f follows them until it ends, or without an id every job's events from now until Ctrl-C; --since: after a job's event seq, or without an id a global event id (0: the oldest kept); --json: one JSON object per line",
    options: { follow: { type: 'boolean', short: 'f' }, since: { type: 'string' }, types: { type: 'string', multiple: true }, json: { type: 'boolean' }, 'allow-partial': { type: 'boolean' } },
    positionals: [0, 1],
  },
  help: { usage: 'ferry help [COMMAND]', summary: 'this help, or one command\'s usage', options: {}, positionals: [0, 1] },
};

export function usageText(command?: string): string {
  const spec = command ? COMMANDS[command] : undefined;
  if (spec) return `Usage: ${spec.usage}\n  ${spec.summary}\n\nGlobal options: --data-dir DIR (else FERRY_DATA_DIR, else the default data directory)\n`;
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  const lines = Object.entries(COMMANDS).map(([name, s]) => `  ${name.padEnd(width)}  ${s.summary}`);
  return [
    'Usage: ferry <command> [options]',
    '',
    'Commands:',
    ...lines,
    '',
    'Global options:',
    '  --data-dir DIR  the data directory of the instance to talk to (else FERRY_DATA_DIR, else the default)',
    '  -h, --help      usage',
    '',
    'Exit codes: 0 ok, 1 the job failed, was canceled or completed with failed files (--allow-partial: 0) or a destination test failed, 2 usage error, 3 no running instance, 4 server error.',
    '',
  ].join('\n');
}

export interface CommandLine {
  command: string;
  values: Values;
  positionals: string[];
  dataDir: string | undefined;
  help: boolean;
  /** `serve` gets its arguments untouched (the web host parses them). */
  rest: string[];
}

/** Global options may come before the command (`ferry --data-dir D jobs`) or among its own. */
export function parseCommandLine(argv: string[]): CommandLine {
  let dataDir: string | undefined;
  let help = false;
  let i = 0;
  for (; i < argv.length && argv[i]!.startsWith('-'); i++) {
    const arg = argv[i]!;
    if (arg === '-h' || arg === '--help') help = true;
    else if (arg === '--data-dir') {
      dataDir = argv[++i];
      if (dataDir === undefined) throw usageError('--data-dir needs a directory');
    } else if (arg.startsWith('--data-dir=')) dataDir = arg.slice('--data-dir='.length);
    else throw usageError(`unknown option ${arg}`);
  }
  const command = argv[i] ?? 'help';
  const rest = argv.slice(i + 1);
  const spec = COMMANDS[command];
  if (!spec) throw usageError(`unknown command ${JSON.stringify(command)}`);
  if (command === 'serve') return { command, values: {}, positionals: [], dataDir, help, rest: dataDir && !rest.some((a) => a.startsWith('--data-dir')) ? ['--data-dir', dataDir, ...rest] : rest };
  let parsed: { values: Values; positionals: string[] };
  try {
    parsed = parseArgs({
      args: rest,
      options: { ...spec.options, 'data-dir': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    }) as { values: Values; positionals: string[] };
  } catch (err) {
    throw usageError(`ferry ${command}: ${(err as Error).message}`);
  }
  const { values, positionals } = parsed;
  help ||= values.help === true;
  dataDir = (values['data-dir'] as string | undefined) ?? dataDir;
  const [min, max] = spec.positionals;
  if (!help && (positionals.length < min || positionals.length > max)) {
    throw usageError(`ferry ${command}: expected ${min === max ? min : `${min} to ${max === Infinity ? 'any number of' : max}`} argument${max === 1 ? '' : 's'}, got ${positionals.length}\nUsage: ${spec.usage}`);
  }
  return { command, values, positionals, dataDir, help, rest };
}

/** A job id argument: a positive integer, `#12` accepted. */
export function jobIdArg(text: string | undefined, command: string): number {
  const id = Number((text ?? '').replace(/^#/, ''));
  if (!Number.isSafeInteger(id) || id <= 0) throw usageError(`ferry ${command}: ${JSON.stringify(text)} is not a job id`);
  return id;
}

/** `--state a,b --state c` → ['a', 'b', 'c'], each checked against `allowed`. */
export function listArg(values: Values, name: string, allowed: readonly string[], command: string): string[] | undefined {
  const raw = values[name];
  if (raw === undefined) return undefined;
  const items = (Array.isArray(raw) ? raw : [String(raw)]).flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean);
  for (const item of items) {
    if (!allowed.includes(item)) throw usageError(`ferry ${command}: --${name} ${item} is not one of ${allowed.join(', ')}`);
  }
  return items;
}
