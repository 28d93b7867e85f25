import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine, type EngineOptions } from '../../main/engine/engine';
import type { JobView } from '../../shared/model';

/** A started engine in a fresh data directory; `dispose` stops it and removes the directory. */
export function startEngine(options: Partial<EngineOptions> = {}): { engine: Engine; dataDir: string; dispose: () => Promise<void> } {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'ferry-engine-'));
  const engine = new Engine({ ...options, dataDir });
  engine.start();
  return {
    engine,
    dataDir,
    dispose: async () => {
      await engine.stop();
      if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Resolves with the job's view once `predicate` holds, listening to the engine's change batches. */
export function waitForJob(engine: Engine, id: number, predicate: (job: JobView) => boolean, timeoutMs = 20_000): Promise<JobView> {
  return new Promise((resolve, reject) => {
    const check = (): boolean => {
      const view = engine.services.jobs.view(id);
      if (predicate(view)) {
        stop();
        clearTimeout(timer);
        resolve(view);
        return true;
      }
      return false;
    };
    const stop = engine.services.jobs.onChanged((batch) => {
      if (batch.upserts.some((j) => j.id === id)) check();
    });
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`job ${id} did not reach the expected state in ${timeoutMs} ms (now ${engine.services.jobs.view(id).state})`));
    }, timeoutMs);
    check();
  });
}

/**
 * Resolves with what `find` answers once it answers something (not undefined), asking at once and
 * again each time `subscribe` reports a change (an engine event, such as a job change or a log
 * flush); rejects after `timeoutMs` naming `what`.
 */
export function waitOn<T>(subscribe: (changed: () => void) => () => void, find: () => T | undefined | Promise<T | undefined>, what: string, timeoutMs = 20_000): Promise<T> {
  return new Promise((resolve, reject) => {
    let done = false;
    const finish = (settle: () => void) => {
      if (done) return;
      done = true;
      stop();
      clearTimeout(timer);
      settle();
    };
    const check = () => {
      Promise.resolve()
        .then(find)
        .then(
          (value) => value !== undefined && finish(() => resolve(value)),
          (err: unknown) => finish(() => reject(err)),
        );
    };
    const stop = subscribe(check);
    const timer = setTimeout(() => finish(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`))), timeoutMs);
    check();
  });
}
