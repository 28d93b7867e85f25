import { FerryError } from '../../../shared/errors';
import type { JobState } from '../../../shared/model';
import { backoffDelay } from '../../../shared/backoff';
import type { KindPolicy } from './kindPolicy';
import type { RunnerOutcome } from './runner';

/** What becomes of a job when its runner returns or throws. */
export type AttemptDecision =
  | { kind: 'canceled' }
  | { kind: 'completed'; result: 'success' | 'partial' }
  /** Back to the queue after `delayMs` (the attempt counter goes up). */
  | { kind: 'retry'; delayMs: number; message: string }
  | { kind: 'failed'; message: string }
  /** The runner failed after the job was paused: it stays paused with the error; resume retries. */
  | { kind: 'pausedError'; message: string };

export const errorMessage = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/** Errors say when trying again cannot help (`details.retriable === false`); others are retried. */
export function isRetriable(err: unknown): boolean {
  return !(err instanceof FerryError) || (err.details as { retriable?: boolean } | undefined)?.retriable !== false;
}

/** The one place that turns an attempt's end into the next state (pure; the caller applies it). */
export function decideAttempt(
  row: { state: JobState; attempts: number; max_attempts: number },
  policy: KindPolicy,
  outcome: RunnerOutcome | undefined,
  err: unknown,
  random: () => number = Math.random,
): AttemptDecision {
  if (row.state === 'canceled' || (err instanceof FerryError && err.code === 'CANCELED')) return { kind: 'canceled' };
  if (outcome) return { kind: 'completed', result: outcome.result };
  const message = errorMessage(err);
  if (row.state === 'paused') return { kind: 'pausedError', message };
  if (isRetriable(err) && row.attempts < row.max_attempts) {
    const delayMs = backoffDelay(row.attempts, policy.backoff, random);
    return { kind: 'retry', delayMs, message: `Attempt ${row.attempts} failed: ${message}; retrying in ${(delayMs / 1000).toFixed(1)} s` };
  }
  return { kind: 'failed', message };
}
