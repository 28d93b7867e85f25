import type { JobKind } from '../../../shared/model';
import type { KindPolicy } from './kindPolicy';

/** Progress a runner reports; the engine derives rate and ETA from it. */
export interface ProgressUpdate {
  done: number;
  total: number;
  unit?: 'items' | 'bytes';
  processed?: number;
  failed?: number;
  /** What is being worked on now (a file's path, "a.tif and 3 more"); null when nothing in particular. */
  current?: string | null;
}

/** What a running job receives from the engine. */
export interface RunnerContext<Params = unknown, State = unknown> {
  readonly jobId: number;
  readonly params: Params;
  /** Number of this attempt, from 1. */
  readonly attempt: number;
  /** Aborted when the job is canceled (or the engine shuts down); stop promptly. */
  readonly signal: AbortSignal;
  /** Appends a line to the job's human log. */
  log(line: string): void;
  /** Reports progress; cheap, call it as often as you like. */
  progress(update: ProgressUpdate): void;
  /** Names the stage the job is in (logged as an event). */
  stage(name: string): void;
  /**
   * Call between units of work: returns at once while running, blocks while the job is paused,
   * and throws a CANCELED FerryError when the job was canceled. Persist your state first. A job
   * asked to stop after its current item pauses here, unless `midItem` says the runner is inside
   * an item (or finishing the job once every item is done), where stopping would cut it.
   */
  checkpoint(options?: { midItem?: boolean }): Promise<void>;
  /**
   * True once the job was asked to stop after the item in hand. A runner with several items in
   * flight starts no new one and lets those finish; its next `checkpoint()` then pauses the job.
   */
  stopRequested(): boolean;
  /**
   * Saves resume state; after a crash or retry it comes back from `restore()`. Writes are batched
   * (a crash may lose the last ~100 ms, so work since then is done again); pass `durable` when
   * redoing it would be wrong, and the state is committed before `persist` returns.
   */
  persist(state: State, options?: { durable?: boolean }): void;
  /** The state saved by the last `persist`, or undefined on a fresh start. */
  restore(): State | undefined;
  /**
   * Told when the job is paused or resumed, for runners whose unit of work is long (a big file, a
   * child process) and must react before their next checkpoint. Returns the unsubscribe function.
   */
  onPauseChange(listener: (paused: boolean) => void): () => void;
}

/** How a job ended, as the runner sees it. */
export interface RunnerOutcome {
  /** `partial` when some items failed but the job went through. */
  result: 'success' | 'partial';
  /** Extra fields for the log footer. */
  summary?: Record<string, unknown>;
}

/** What a runner gets to clean up after a job was canceled (its attempt is over by then). */
export interface DiscardContext<Params = unknown> {
  readonly jobId: number;
  readonly params: Params;
  /** Aborted when discarding takes too long or the engine stops. */
  readonly signal: AbortSignal;
  /** Appends a line to the job's human log (before its footer). */
  log(line: string): void;
}

/** A job kind: validates its params and runs resumably. Throw to fail the attempt. */
export interface JobRunner<Params = unknown, State = unknown> {
  readonly kind: JobKind;
  /** Attempts, timeout and stall time this kind wants (the engine's options can override them). */
  readonly policy?: Partial<KindPolicy>;
  run(ctx: RunnerContext<Params, State>): Promise<RunnerOutcome>;
  /**
   * Discards what a canceled job left unfinished outside Ferry (partial uploads at a destination).
   * Called once the job is canceled and no attempt runs; pause and shutdown never call it.
   */
  discard?(ctx: DiscardContext<Params>): Promise<void>;
}
