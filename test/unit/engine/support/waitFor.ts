import type { Engine } from '../../../../main/engine/engine';

/**
 * Resolves once `predicate` holds, checked now and after every batch of job changes the engine
 * announces (the engine's own signal: no polling, no sleeping).
 */
export function waitFor(engine: Engine, predicate: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  return new Promise((resolve, reject) => {
    let stop: () => void = () => {};
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
    }, timeoutMs);
    const check = () => {
      if (!predicate()) return;
      stop();
      clearTimeout(timer);
      resolve();
    };
    stop = engine.services.jobs.onChanged(check);
    check();
  });
}
