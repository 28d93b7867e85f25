import { describe, expect, it } from 'vitest';
import { formatCount, formatFullTimestamp } from '../../../shared/format';
import { cachedCount, cachedFullTimestamp } from '../../../renderer/src/lib/formatCache';

describe('formatCache', () => {
  it('gives the same text as the formatter it remembers, the first time and after', () => {
    const stamps = [Date.UTC(2026, 11, 3, 17, 20, 12), Date.UTC(2025, 0, 1, 0, 0, 0), 0];
    for (const ts of [...stamps, ...stamps]) expect(cachedFullTimestamp(ts)).toBe(formatFullTimestamp(ts));
    for (const n of [0, 1, 1234, 1234, 10_000_000]) expect(cachedCount(n)).toBe(formatCount(n));
  });

  it('has no date for a job without one', () => {
    expect(cachedFullTimestamp(null)).toBe('');
  });

  it('keeps answering once more values were seen than it keeps', () => {
    const base = Date.UTC(2026, 0, 1);
    for (let i = 0; i < 12_000; i++) cachedFullTimestamp(base + i * 1000);
    expect(cachedFullTimestamp(base + 11_999_000)).toBe(formatFullTimestamp(base + 11_999_000));
    expect(cachedFullTimestamp(base)).toBe(formatFullTimestamp(base));
  });
});
