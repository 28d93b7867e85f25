/**
 * The one backoff rule, for job retries, webhook deliveries and transfers in the engine, and for
 * reconnects in the renderer and the CLI: exponential, capped, with "equal jitter" (a random half on
 * top of a fixed half) so the wait always grows yet clients that failed together do not return together.
 */
export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 1000, maxMs: 60_000 };

/** Delay before attempt `attempt + 1` (attempt counts from 1). */
export function backoffDelay(attempt: number, policy: BackoffPolicy = DEFAULT_BACKOFF, random = Math.random): number {
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
