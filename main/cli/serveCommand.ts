import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CliError, EXIT } from './cliError';

/** The built web host: next to the CLI bundle in out/main, or in the working copy's build. */
export function serveScript(cwd = process.cwd()): string | undefined {
  const here = dirname(fileURLToPath(import.meta.url));
  return [join(here, 'serve.js'), resolve(cwd, 'out/main/serve.js')].find((p) => existsSync(p));
}

/**
 * `ferry serve`: runs the web host's own entry as a child with the terminal handed over, so its
 * options, its output (the `Ferry is serving at <url>` line included) and its shutdown stay
 * exactly those of `node out/main/serve.js`. Signals are passed on; the exit code comes back.
 */
export function runServe(args: string[]): Promise<number> {
  const script = serveScript();
  if (!script) throw new CliError(EXIT.usage, 'ferry serve needs the built web host (out/main/serve.js): run `npm run build` first.');
  const child = spawn(process.execPath, [script, ...args], { stdio: 'inherit' });
  const forward = (signal: NodeJS.Signals) => () => child.kill(signal);
  const onInt = forward('SIGINT');
  const onTerm = forward('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  return new Promise((resolvePromise, reject) => {
    child.once('error', (err) => reject(new CliError(EXIT.server, `ferry serve: cannot start ${script}: ${err.message}`)));
    child.once('exit', (code, signal) => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      resolvePromise(code ?? (signal === 'SIGINT' || signal === 'SIGTERM' ? 0 : EXIT.server));
    });
  });
}
