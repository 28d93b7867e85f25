/**
 * `ferry`: the command line of a running Ferry (desktop app or `ferry serve`). It finds the
 * instance through `<dataDir>/instance.json`, calls its commands over HTTP with the bearer token
 * and follows logs and events through the versioned API (/api/v1). Exit codes: see EXIT in cliError.ts.
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseCommandLine, usageText } from './args';
import { describeFailure, EXIT } from './cliError';
import { write, type CliIo } from './commands';
import { HANDLERS } from './handlers';
import { Connection } from './connection';
import { findInstance, resolveDataDir } from './instance';
import { runServe } from './serveCommand';

export type { CliIo } from './commands';

/** Runs one command line; never throws, answers the exit code. */
export async function main(argv: string[], io: CliIo): Promise<number> {
  try {
    if (argv.length === 0) {
      await write(io.stderr, usageText());
      return EXIT.usage;
    }
    const line = parseCommandLine(argv);
    if (line.command === 'help' || line.help) {
      await write(io.stdout, usageText(line.command === 'help' ? line.positionals[0] : line.command));
      return EXIT.ok;
    }
    if (line.command === 'serve') return await runServe(line.rest);
    const instance = findInstance(resolveDataDir(line.dataDir, io.env ?? process.env));
    return await HANDLERS[line.command]!({ io, conn: new Connection(instance), line, cwd: io.cwd ?? process.cwd() });
  } catch (err) {
    const { exitCode, message } = describeFailure(err);
    await write(io.stderr, `ferry: ${message}\n`);
    return exitCode;
  }
}

/** True when this module is the program node was started with (not when a test imports it). */
function isEntry(): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntry()) {
  void main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr }).then((code) => {
    process.exitCode = code;
  });
}
