/** Helpers for watched-folder tests: rules through the contract, and waits on the engine's own events. */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { dispatchCommand } from '../../../main/engine/api/dispatch';
import type { Engine } from '../../../main/engine/engine';
import { FerryError, fromWireError } from '../../../shared/errors';
import type { JobView } from '../../../shared/model';
import type { WatchRule, WatchRuleInput, WatchRuleStatus } from '../../../shared/watch';
import { sha256Of } from '../../helpers/servicesFixture';

/** Short waits so the whole suite stays quick; each test overrides what it is about. */
export const FAST: Partial<WatchRuleInput> = { stabilityMs: 300, batchMs: 200, datasetQuietMs: 600, polling: 'never' };

/** Saves a rule through the contract (schema and validation included); throws the typed error. */
export async function saveRule(engine: Engine, input: WatchRuleInput): Promise<WatchRule> {
  const res = await dispatchCommand(engine, 'saveWatchRule', { ...FAST, ...input });
  if (!res.ok) throw fromWireError(res.error);
  return res.value as WatchRule;
}

export async function expectError(engine: Engine, input: WatchRuleInput): Promise<FerryError> {
  const res = await dispatchCommand(engine, 'saveWatchRule', input);
  if (res.ok) throw new Error(`saveWatchRule accepted ${JSON.stringify(input)}`);
  return fromWireError(res.error);
}

/** Resolves once the rule's status (from the `watch.changed` stream) satisfies `predicate`. */
export function waitForStatus(engine: Engine, ruleId: string, predicate: (s: WatchRuleStatus) => boolean, timeoutMs = 20_000): Promise<WatchRuleStatus> {
  return new Promise((resolve, reject) => {
    let last: WatchRuleStatus | undefined;
    let done = false;
    let stop: () => void = () => undefined;
    const timer = setTimeout(() => {
      done = true;
      stop();
      reject(new Error(`rule ${ruleId} did not reach the expected status in ${timeoutMs} ms; last: ${JSON.stringify(last)}`));
    }, timeoutMs);
    stop = engine.watch.subscribe((batch) => {
      for (const s of batch.statuses) {
        if (s.id !== ruleId || done) continue;
        last = s;
        if (predicate(s)) {
          done = true;
          clearTimeout(timer);
          queueMicrotask(() => stop());
          resolve(s);
        }
      }
    });
    if (done) stop();
  });
}

/** Watching (or polling), first scan done, nothing held back and no job of the rule unfinished. */
export const idle = (s: WatchRuleStatus): boolean => (s.state === 'watching' || s.state === 'polling') && s.waiting === 0 && s.pending === 0;
export const watching = (s: WatchRuleStatus): boolean => s.state === 'watching' || s.state === 'polling';

/** Records every upload job the engine creates from now on. */
export function recordUploadJobs(engine: Engine): { jobs: () => JobView[]; next: (timeoutMs?: number) => Promise<JobView>; stop: () => void } {
  const seen = new Map<number, JobView>();
  const waiters: ((job: JobView) => void)[] = [];
  const stop = engine.jobs.onChanged((batch) => {
    for (const job of batch.upserts) {
      if (job.kind !== 'upload' || seen.has(job.id)) continue;
      seen.set(job.id, job);
      waiters.shift()?.(job);
    }
  });
  let handed = 0;
  return {
    jobs: () => [...seen.values()],
    next: (timeoutMs = 20_000) => {
      const ready = [...seen.values()][handed];
      if (ready) {
        handed++;
        return Promise.resolve(ready);
      }
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no new upload job in ${timeoutMs} ms`)), timeoutMs);
        waiters.push((job) => {
          clearTimeout(timer);
          handed++;
          resolve(job);
        });
      });
    },
    stop,
  };
}

/** The files a job was given, by relative path, with their hashes once sent. */
export function jobFiles(engine: Engine, jobId: number): { relativePath: string; path: string; sha256: string | null; state: string }[] {
  return engine.items.page(jobId, 0, 10_000).map((i) => ({ relativePath: i.relative_path, path: i.path, sha256: i.sha256, state: i.state }));
}

/** Every file under a folder whose SHA-256 is `sha` (the receiver may add a ` (n)` suffix). */
export function findBySha(dir: string, sha: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (sha256Of(p) === sha) out.push(p);
    }
  };
  walk(dir);
  return out;
}
