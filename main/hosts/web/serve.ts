/**
 * `ferry serve`: the engine and the renderer behind HTTP + WebSocket on 127.0.0.1, headless.
 * Prints the URL (with its token) to open in a browser.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startServices } from '../bootstrap';
import { createLogger } from '../../engine/index';
import { defaultDataDir } from '../../util/dataDir';
import { loadOrCreateToken, removeInstanceFile, writeInstanceFile } from './instanceFile';
import { API_FLAGS_USAGE, apiLimitOptions, LIMIT_FLAGS_USAGE, limitOptions } from './limitFlags';
import { WebStaging, webHostServices } from './staging';
import { startWebHost } from './webHost';

const log = createLogger('serve');

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'data-dir': { type: 'string' },
      port: { type: 'string', default: process.env.FERRY_PORT ?? '0' },
      concurrency: { type: 'string' },
      'kind-concurrency': { type: 'string' },
      'destination-concurrency': { type: 'string' },
      'kind-timeout': { type: 'string' },
      'pin-token': { type: 'boolean', default: false },
      'allow-command-jobs': { type: 'boolean', default: false },
      'idle-stream-seconds': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log('Usage: ferry serve [--data-dir DIR] [--port N] [--concurrency N] [--pin-token] [--allow-command-jobs]');
    console.log('  --allow-command-jobs  let jobs run programs on this computer (off by default; no API call can turn it on)');
    console.log('  --pin-token  keep the access token across restarts (kept in DIR/web-token, mode 0600);');
    console.log('               without it every start makes a new token and open tabs must reopen the printed URL');
    for (const line of LIMIT_FLAGS_USAGE) console.log(line);
    for (const line of API_FLAGS_USAGE) console.log(line);
    return;
  }
  const dataDir = resolve(values['data-dir'] ?? defaultDataDir());
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be 0..65535, got ${values.port}`);
  const here = dirname(fileURLToPath(import.meta.url));
  const apiLimits = apiLimitOptions(values);
  const rendererDir = [join(here, '../renderer'), resolve('out/renderer')].find((d) => existsSync(join(d, 'index.html')));
  if (!rendererDir) throw new Error('the renderer is not built: run `npm run build` first');

  const staging = new WebStaging(dataDir);
  // Known once the web host listens; jobs created from then on name their log's URL in its header.
  let origin: string | null = null;
  const services = await startServices({
    dataDir,
    host: webHostServices(staging, () => origin),
    allowCommandJobs: values['allow-command-jobs'] === true,
    ...limitOptions(values),
  });
  const engine = services.engine;
  const stopStaging = await staging.attach(engine);
  // A fresh token each start limits how long a leaked one is worth; pinning it (a 0600 file) is the
  // user's choice, for an open tab that should reconnect after a restart.
  const host = await startWebHost({ engine, staging, rendererDir, port, apiLimits, ...(values['pin-token'] ? { token: loadOrCreateToken(dataDir) } : {}) });
  writeInstanceFile(dataDir, { url: host.url, port: host.port, token: host.token, pid: process.pid, host: 'web' });
  origin = new URL(host.url).origin;
  services.announce(origin);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info(`${signal}: stopping`);
    await host.close();
    stopStaging();
    log.info('web host closed');
    await services.stop();
    log.info('engine and receiver stopped');
    removeInstanceFile(dataDir);
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  // The one line scripts and tests read: keep its shape. Printed once the signals are handled, so
  // a script that reads it and sends SIGTERM at once gets a clean stop, not the default signal death.
  console.log(`Ferry is serving at ${host.url}`);
  console.log(`Data directory: ${dataDir}`);
}

main().catch((err: unknown) => {
  console.error(`ferry serve: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
