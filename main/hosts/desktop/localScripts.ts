/**
 * "Allow local scripts" in the desktop app. On: the versioned API (and the CLI's command route)
 * on a loopback port, its address and a fresh token in `<dataDir>/instance.json` (mode 0600), as
 * `ferry serve` writes them. Off: no port at all, and an instance file that says only that the
 * desktop app runs with scripts turned off, so the CLI can tell the user which setting to turn on.
 * The setting takes effect at once; the file is removed when the app quits.
 */
import { createLogger, type Engine } from '../../engine/index';
import { removeInstanceFile, writeInstanceFile } from '../web/instanceFile';
import { startRestServer, type RestServer } from '../web/restServer';

const log = createLogger('desktop');

export interface LocalScripts {
  /** Opens or closes the API to match the setting; calls are applied in order. */
  apply(allowed: boolean): Promise<void>;
  /** Where scripts reach the app now, or null while they are turned off. */
  server(): RestServer | null;
  /** Closes the API and removes the instance file (on quit). */
  close(): Promise<void>;
}

/** Applies the setting now and after each change of it. */
export function watchLocalScripts(engine: Engine, dataDir: string, pid = process.pid): LocalScripts {
  const scripts = localScripts(engine, dataDir, pid);
  const fail = (err: unknown) => log.error('local scripts: could not apply the setting', err);
  scripts.apply(engine.currentSettings().allowLocalScripts).catch(fail);
  const stop = engine.onSettingsChange((s, changed) => {
    if (changed.includes('allowLocalScripts')) scripts.apply(s.allowLocalScripts).catch(fail);
  });
  return {
    ...scripts,
    close: () => {
      stop();
      return scripts.close();
    },
  };
}

export function localScripts(engine: Engine, dataDir: string, pid = process.pid): LocalScripts {
  let server: RestServer | null = null;
  let closed = false;
  let queue: Promise<void> = Promise.resolve();

  const set = async (allowed: boolean): Promise<void> => {
    if (closed) return;
    if (allowed && !server) {
      server = await startRestServer({ engine });
      log.info(`local scripts allowed: the API answers at ${server.url}/api/v1`);
    } else if (!allowed && server) {
      const s = server;
      server = null;
      // The file first: a script that reads it from now on is told scripts are off, not given a dead port.
      writeInstanceFile(dataDir, { pid, host: 'desktop', scripts: false });
      await s.close();
      log.info('local scripts turned off: the API port is closed');
    }
    if (server) writeInstanceFile(dataDir, { url: server.url, port: server.port, token: server.token, pid, host: 'desktop' });
    else writeInstanceFile(dataDir, { pid, host: 'desktop', scripts: false });
  };

  const run = (step: () => Promise<void>): Promise<void> => {
    queue = queue.then(step, step);
    return queue;
  };

  return {
    apply: (allowed) => run(() => set(allowed)),
    server: () => server,
    close: () =>
      run(async () => {
        if (closed) return;
        closed = true;
        const s = server;
        server = null;
        removeInstanceFile(dataDir);
        await s?.close();
      }),
  };
}
