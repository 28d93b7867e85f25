/**
 * Watched-folder tests: one fixture per test (Ferry in its own data folder, a folder to watch, the
 * upload jobs it makes), rules through the contract, and waits on the engine's own events.
 */
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onTestFinished } from 'vitest';
import { dispatchCommand } from '../../../main/engine/api/dispatch';
import type { Engine } from '../../../main/engine/engine';
import type { FerryServices } from '../../../main/hosts/bootstrap';
import { FerryError, fromWireError } from '../../../shared/errors';
import { isFinished, type JobView } from '../../../shared/model';
import type { WatchRule, WatchRuleInput, WatchRuleStatus } from '../../../shared/watch';
import { sha256Of, startFerryServices } from '../../helpers/servicesFixture';
import { makeTmpDir } from '../../helpers/tmpDir';

export interface WatchFixture {
  /** Engine and built-in receiver (received files under `<dataDir>/received`); new after `restart`. */
  readonly ferry: FerryServices & { dataDir: string };
  readonly engine: Engine;
  /** A fresh, empty folder to watch. */
  readonly src: string;
  /** The upload jobs Ferry made since it (re)started. */
  readonly jobs: JobRecorder;
  /** Runs `cleanup` when the test ends, before Ferry stops. */
  defer(cleanup: () => unknown): void;
  /** Quits Ferry and opens it again on the same data folder, as a user would; `whileClosed` runs in between. */
  restart(whileClosed?: () => unknown): Promise<void>;
}

/**
 * Ferry, a folder to watch and a job recorder for the current test, all removed when it ends
 * (whether it passed or not).
 */
export async function watchFixture(): Promise<WatchFixture> {
  const cleanups: (() => unknown)[] = [];
  onTestFinished(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  const dataDir = mkdtempSync(join(tmpdir(), 'ferry-watch-data-'));
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
  const src = makeTmpDir('ferry-watch-src');
  cleanups.push(src.cleanup);
  let ferry: Awaited<ReturnType<typeof startFerryServices>> | undefined;
  let jobs: JobRecorder | undefined;
  const open = async () => {
    ferry = await startFerryServices({ dataDir });
    jobs = recordUploadJobs(ferry.engine);
  };
  const close = async () => {
    jobs?.stop();
    await ferry?.dispose();
    ferry = undefined;
  };
  cleanups.push(close);
  await open();
  return {
    get ferry() {
      return ferry!;
    },
    get engine() {
      return ferry!.engine;
    },
    src: src.dir,
    get jobs() {
      return jobs!;
    },
    // Run in reverse order at the end, so before `close` whenever they were added.
    defer: (cleanup) => cleanups.push(cleanup),
    restart: async (whileClosed) => {
      await close();
      await whileClosed?.();
      await open();
    },
  };
}

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
    stop = engine.services.watch.subscribe((batch) => {
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

/** A job has ended, whichever way. */
export const finished = (job: JobView): boolean => isFinished(job.state);

export interface JobRecorder {
  /** Every upload job seen, in order. */
  jobs(): JobView[];
  /** The next job not yet handed out, waiting for it if need be. */
  next(timeoutMs?: number): Promise<JobView>;
  stop(): void;
}

/** Records every upload job the engine creates from now on. */
export function recordUploadJobs(engine: Engine): JobRecorder {
  const seen = new Map<number, JobView>();
  const waiters: ((job: JobView) => void)[] = [];
  const stop = engine.services.jobs.onChanged((batch) => {
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
  return engine.services.items.page(jobId, 0, 100_000).map((i) => ({ relativePath: i.relative_path, path: i.path, sha256: i.sha256, state: i.state }));
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
