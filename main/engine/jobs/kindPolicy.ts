import type { JobKind } from '../../../shared/model';
import { DEFAULT_BACKOFF, type BackoffPolicy } from '../../../shared/backoff';

/** How the scheduler treats the jobs of one kind. */
export interface KindPolicy {
  /** Attempts before a job fails for good (a job created with its own figure keeps it). */
  maxAttempts: number;
  /** Running time allowed to one attempt (paused time does not count); null for none. */
  timeoutMs: number | null;
  /** No progress for this long while running is reported as a `stalled` event. */
  stallAfterMs: number;
  backoff: BackoffPolicy;
}

export type KindPolicies = Partial<Record<JobKind, Partial<KindPolicy>>>;

export const DEFAULT_POLICY: KindPolicy = { maxAttempts: 3, timeoutMs: null, stallAfterMs: 120_000, backoff: DEFAULT_BACKOFF };

/**
 * A kind's policy: the defaults, then what the runner declares, then the engine's overrides
 * (`base` applies to every kind, for tests and embedders).
 */
export function resolvePolicy(kind: JobKind, declared: Partial<KindPolicy> | undefined, overrides: KindPolicies = {}, base: Partial<KindPolicy> = {}): KindPolicy {
  return { ...DEFAULT_POLICY, ...declared, ...base, ...overrides[kind] };
}
