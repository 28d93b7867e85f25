import { backoffDelay } from '../../../shared/backoff';
import { canceledError, detailsOf } from './transferErrors';

/** How often and how patiently a transient failure is retried. */
export interface RetryPolicy {
  /** Total tries including the first; 1 means no retry. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 8, baseDelayMs: 500, maxDelayMs: 30_000 };

/** The one backoff rule (shared/backoff.ts) in a transfer's terms; `failures` counts from 1. */
export function retryDelay(failures: number, policy: RetryPolicy, random: () => number = Math.random): number {
  return backoffDelay(failures, { baseMs: policy.baseDelayMs, maxMs: policy.maxDelayMs }, random);
}

/** Whether an error is marked transient (details.retriable, set where the failure is classified). */
export function isRetriable(err: unknown): boolean {
  return detailsOf(err)?.retriable === true;
}

/** Waits `ms`, or rejects with CANCELED as soon as the signal aborts. */
export function sleep(ms: number, signal: AbortSignal, op = 'wait'): Promise<void> {
  if (signal.aborted) return Promise.reject(canceledError(op));
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(canceledError(op));
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

export interface RetryOptions {
  policy: RetryPolicy;
  signal: AbortSignal;
  /** Names the operation in the CANCELED error a wait may end with. */
  op: string;
  /** Defaults to `isRetriable`. */
  shouldRetry?: (err: unknown) => boolean;
  /** Told before each wait (for logs): the error, the attempt that failed, the delay chosen. */
  onRetry?: (err: unknown, attempt: number, delayMs: number) => void;
  random?: () => number;
}

/** Runs `task` until it succeeds, fails with a non-retriable error, or the attempts run out. */
export async function withRetry<T>(task: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const shouldRetry = options.shouldRetry ?? isRetriable;
  for (let attempt = 1; ; attempt++) {
    try {
      return await task(attempt);
    } catch (err) {
      if (options.signal.aborted || attempt >= options.policy.maxAttempts || !shouldRetry(err)) throw err;
      const delay = retryDelay(attempt, options.policy, options.random);
      options.onRetry?.(err, attempt, delay);
      await sleep(delay, options.signal, options.op);
    }
  }
}
