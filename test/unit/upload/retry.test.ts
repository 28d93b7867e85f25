import { describe, expect, test } from 'vitest';
import { FerryError } from '../../../shared/errors';
import { isRetriable, retryDelay, withRetry, type RetryPolicy } from '../../../main/engine/upload/retry';

const policy: RetryPolicy = { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 1000 };
const transient = () => new FerryError('REMOTE', 'busy', { retriable: true });

describe('retry policy', () => {
  test('backoff doubles, is capped, and jitters within the upper half', () => {
    expect([1, 2, 3, 4, 5].map((n) => retryDelay(n, policy, () => 0))).toEqual([50, 100, 200, 400, 500]);
    expect([1, 2, 3, 4, 5].map((n) => retryDelay(n, policy, () => 1))).toEqual([100, 200, 400, 800, 1000]);
  });

  test('only errors marked retriable are retried', () => {
    expect(isRetriable(transient())).toBe(true);
    expect(isRetriable(new FerryError('REMOTE', 'no', { status: 400 }))).toBe(false);
    expect(isRetriable(new Error('plain'))).toBe(false);
  });

  test('retries a transient failure until it succeeds, telling about each retry', async () => {
    const told: number[] = [];
    const fast = { ...policy, baseDelayMs: 1, maxDelayMs: 2 };
    let calls = 0;
    const value = await withRetry(
      async () => {
        if (++calls < 3) throw transient();
        return 'ok';
      },
      { policy: fast, signal: new AbortController().signal, op: 't', onRetry: (_e, attempt) => told.push(attempt) },
    );
    expect(value).toBe('ok');
    expect(told).toEqual([1, 2]);
  });

  test('gives up after maxAttempts, and at once on a permanent error', async () => {
    const fast = { ...policy, baseDelayMs: 1, maxDelayMs: 2 };
    let calls = 0;
    const failWith = (err: FerryError) => async () => {
      calls++;
      throw err;
    };
    await expect(withRetry(failWith(transient()), { policy: fast, signal: new AbortController().signal, op: 't' })).rejects.toThrow('busy');
    expect(calls).toBe(4);
    calls = 0;
    const permanent = new FerryError('REMOTE', 'denied');
    await expect(withRetry(failWith(permanent), { policy: fast, signal: new AbortController().signal, op: 't' })).rejects.toBe(permanent);
    expect(calls).toBe(1);
  });

  test('an abort during the backoff wait ends it CANCELED', async () => {
    const controller = new AbortController();
    const slow = { maxAttempts: 5, baseDelayMs: 60_000, maxDelayMs: 60_000 };
    const running = withRetry(async () => Promise.reject(transient()), { policy: slow, signal: controller.signal, op: 'upload(x)' });
    setTimeout(() => controller.abort(), 10);
    await expect(running).rejects.toMatchObject({ code: 'CANCELED', message: 'upload(x): canceled' });
  });
});
