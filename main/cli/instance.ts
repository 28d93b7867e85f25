import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
// A node-only leaf module: the engine's index would load the whole engine (and its SQLite addon)
// into every CLI call, which only reads a file of a running instance.
import { defaultDataDir } from '../util/dataDir';
import { CliError, EXIT } from './cliError';

/** What a running instance wrote to `<dataDir>/instance.json`, and where it was found. */
export interface Instance {
  url: string;
  port: number;
  token: string;
  pid: number;
  host: string;
  /** `http://127.0.0.1:<port>`, without the token query of `url`. */
  origin: string;
  file: string;
  dataDir: string;
}

/** `--data-dir`, else FERRY_DATA_DIR, else the platform default (the same rule as the hosts). */
export function resolveDataDir(flag: string | undefined, env: Record<string, string | undefined>): string {
  return resolve(flag ?? env.FERRY_DATA_DIR ?? defaultDataDir());
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: alive, but another user's.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Reads and checks the instance file; every way it can be missing or stale is a clear exit 3. */
export function findInstance(dataDir: string): Instance {
  const file = join(dataDir, 'instance.json');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new CliError(EXIT.noInstance, `No Ferry instance is running for ${dataDir} (no ${file}). Start one with \`ferry serve\` or open the desktop app.`);
    throw new CliError(EXIT.noInstance, `Cannot read ${file}: ${code ?? (err as Error).message}.`);
  }
  let info: Partial<Instance>;
  try {
    info = JSON.parse(text) as Partial<Instance>;
  } catch {
    throw new CliError(EXIT.noInstance, `${file} is not valid JSON; remove it and start Ferry again.`);
  }
  const { url, port, token, pid } = info;
  // The desktop app with Settings → Allow local scripts off: it runs, but serves nothing to connect to.
  if ((info as { scripts?: unknown }).scripts === false && Number.isInteger(pid)) {
    if (!pidAlive(pid!)) throw new CliError(EXIT.noInstance, `The instance file ${file} is stale: process ${pid} is not running. Start Ferry again (or remove the file).`);
    throw new CliError(EXIT.noInstance, 'The desktop app is running; turn on Settings → Allow local scripts to use it from scripts and the command line.');
  }
  if (typeof url !== 'string' || typeof token !== 'string' || !Number.isInteger(port) || !Number.isInteger(pid)) {
    throw new CliError(EXIT.noInstance, `${file} lacks url, port, token or pid; remove it and start Ferry again.`);
  }
  if (!pidAlive(pid!)) {
    throw new CliError(EXIT.noInstance, `The instance file ${file} is stale: process ${pid} is not running. Start Ferry again (or remove the file).`);
  }
  let origin: string;
  try {
    origin = new URL(url).origin;
  } catch {
    throw new CliError(EXIT.noInstance, `${file} holds an invalid url; remove it and start Ferry again.`);
  }
  return { url, port: port!, token, pid: pid!, host: typeof info.host === 'string' ? info.host : 'web', origin, file, dataDir };
}

/** The instance file read again (a restarted instance has a new port and token), else the one we had. */
export function latestInstance(known: Instance): Instance {
  try {
    return findInstance(known.dataDir);
  } catch {
    return known;
  }
}
