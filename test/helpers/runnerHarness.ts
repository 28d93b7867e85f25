import { FerryError } from '../../shared/errors';
import type { JobRunner, ProgressUpdate, RunnerContext, RunnerOutcome } from '../../main/engine/jobs/runner';

/**
 * A RunnerContext without the engine: log lines and progress land in arrays, persist/restore live in
 * memory, checkpoints can be held (pause), and cancel aborts the signal, so one job kind can be
 * driven and watched directly. Waits resolve on the runner's own reports, never on timers.
 */
export interface RunnerHarness<Params, State> {
  readonly ctx: RunnerContext<Params, State>;
  readonly logs: string[];
  readonly progress: ProgressUpdate[];
  readonly stages: string[];
  /** The last state persisted (or the one the harness started from). */
  readonly saved: State | undefined;
  /** How many times the runner persisted, and how many of those asked to be durable. */
  readonly persists: number;
  readonly durablePersists: number;
  /** How many times a checkpoint held the runner while the job was paused. */
  readonly held: number;
  /** Holds the next checkpoints and tells pause listeners. */
  pause(): void;
  resume(): void;
  /** Aborts the signal with a CANCELED error (as the engine does) and wakes a held checkpoint. */
  cancel(reason?: string): void;
  /** Runs the runner once; call again for another attempt on the same saved state. */
  run(): Promise<RunnerOutcome>;
  /** Resolves once `predicate` holds, checked after every log line, progress, stage, persist and held checkpoint. */
  waitFor(predicate: () => boolean, what: string, timeoutMs?: number): Promise<void>;
  /** Resolves with the first log line (present or future) matching `pattern`. */
  waitForLog(pattern: RegExp, timeoutMs?: number): Promise<string>;
}

export interface HarnessOptions<State> {
  jobId?: number;
  attempt?: number;
  /** Resume state as if an earlier attempt had persisted it. */
  state?: State;
  /** Leave out onPauseChange, as a context from before it existed would. */
  withoutPauseListeners?: boolean;
}

export function createRunnerHarness<Params, State>(
  runner: JobRunner<Params, State>,
  params: Params,
  options: HarnessOptions<State> = {},
): RunnerHarness<Params, State> {
  const logs: string[] = [];
  const progress: ProgressUpdate[] = [];
  const stages: string[] = [];
  const watchers = new Set<() => void>();
  const pauseListeners = new Set<(paused: boolean) => void>();
  let saved: State | undefined = options.state === undefined ? undefined : (structuredClone(options.state) as State);
  let persists = 0;
  let durablePersists = 0;
  let held = 0;
  let abort = new AbortController();
  let gate: { promise: Promise<void>; release: () => void; fail: (e: unknown) => void } | undefined;

  const changed = () => {
    for (const w of [...watchers]) w();
  };

  const ctx: RunnerContext<Params, State> = {
    jobId: options.jobId ?? 1,
    params,
    attempt: options.attempt ?? 1,
    get signal() {
      return abort.signal;
    },
    log(line) {
      logs.push(line);
      changed();
    },
    progress(update) {
      progress.push({ ...update });
      changed();
    },
    stage(name) {
      stages.push(name);
      changed();
    },
    stopRequested() {
      return false;
    },
    async checkpoint() {
      if (abort.signal.aborted) throw abort.signal.reason;
      if (gate) {
        held++;
        changed();
      }
      while (gate) await gate.promise;
      if (abort.signal.aborted) throw abort.signal.reason;
    },
    persist(state, options) {
      // A JSON round trip, as the engine's SQLite column does: what is not plain data is lost here too.
      saved = JSON.parse(JSON.stringify(state)) as State;
      persists++;
      if (options?.durable) durablePersists++;
      changed();
    },
    restore() {
      return saved === undefined ? undefined : (structuredClone(saved) as State);
    },
    onPauseChange(listener) {
      pauseListeners.add(listener);
      return () => pauseListeners.delete(listener);
    },
  };
  if (options.withoutPauseListeners) delete (ctx as Partial<RunnerContext<Params, State>>).onPauseChange;

  const harness: RunnerHarness<Params, State> = {
    ctx,
    logs,
    progress,
    stages,
    get saved() {
      return saved;
    },
    get persists() {
      return persists;
    },
    get durablePersists() {
      return durablePersists;
    },
    get held() {
      return held;
    },
    pause() {
      if (gate) return;
      let release!: () => void;
      let fail!: (e: unknown) => void;
      const promise = new Promise<void>((res, rej) => {
        release = res;
        fail = rej;
      });
      promise.catch(() => undefined);
      gate = { promise, release, fail };
      for (const l of [...pauseListeners]) l(true);
    },
    resume() {
      const g = gate;
      gate = undefined;
      g?.release();
      if (g) for (const l of [...pauseListeners]) l(false);
    },
    cancel(reason = 'canceled by the test') {
      const err = new FerryError('CANCELED', reason);
      if (!abort.signal.aborted) abort.abort(err);
      const g = gate;
      gate = undefined;
      g?.fail(err);
    },
    async run() {
      if (abort.signal.aborted) abort = new AbortController();
      return runner.run(ctx);
    },
    waitFor(predicate, what, timeoutMs = 15_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (!predicate()) return;
          watchers.delete(check);
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(() => {
          watchers.delete(check);
          reject(new Error(`runner harness: timed out after ${timeoutMs} ms waiting for ${what}; last log lines:\n${logs.slice(-10).join('\n')}`));
        }, timeoutMs);
        watchers.add(check);
        check();
      });
    },
    async waitForLog(pattern, timeoutMs) {
      let found: string | undefined;
      await harness.waitFor(() => (found = logs.find((l) => pattern.test(l))) !== undefined, `a log line matching ${pattern}`, timeoutMs);
      return found!;
    },
  };
  return harness;
}
