import { describe, expect, it } from 'vitest';
import { formatJobLogFooter, formatJobLogHeader, type JobLogFooter, type JobLogHeader } from '../../../shared/jobLog';
import { summarizeFrame } from '../../../renderer/src/components/detail/logFrame';

const base: JobLogFooter = { result: 'partial', state: 'completed', id: 1, kind: 'upload', total: 786_432, processed: 10, failed: 2, attempts: 1, durationMs: 10_000, wallMs: 10_000, finished: '2026-12-03T15:24:36.419Z' };
const processedLine = (footer: JobLogFooter) => summarizeFrame(formatJobLogFooter(footer).trimEnd()).lines.find((l) => l.label === 'Processed')?.value;

describe('the log footer as a summary', () => {
  it('sets the files processed against the files of a transfer, not its bytes', () => {
    expect(processedLine({ ...base, files: 12, bytes: 786_432 })).toBe('10 of 12, 2 failed');
  });

  it('sets the items of a job that counts items against its total, and names no total it cannot match', () => {
    expect(processedLine({ ...base, kind: 'demo', total: 40, processed: 34, failed: 6 })).toBe('34 of 40, 6 failed');
    expect(processedLine({ ...base, kind: 'download', total: 5_000_000, processed: 1, failed: 0 })).toBe('1, 0 failed');
  });
});

describe('the log header and footer as summaries: where to follow, and the items', () => {
  const header: JobLogHeader = { id: 4, kind: 'demo', name: 'Demo', created: '2026-12-03T15:24:36.419Z', destination: null, params: {} };
  const line = (text: string, label: string) => summarizeFrame(text.slice(text.indexOf('<'))).lines.find((l) => l.label === label)?.value;

  it('shows the follow command, or that the local API was off, and nothing for an older header', () => {
    expect(line(formatJobLogHeader({ ...header, monitor: 'http://127.0.0.1:5/api/v1/jobs/4/log?follow=1' }), 'Follow with')).toBe('curl -N http://127.0.0.1:5/api/v1/jobs/4/log?follow=1');
    expect(line(formatJobLogHeader({ ...header, monitor: null }), 'Follow with')).toMatch(/local API was off/);
    expect(line(formatJobLogHeader(header), 'Follow with')).toBeUndefined();
  });

  it('lists processed and failed items with reasons, and how many more there are', () => {
    const text = formatJobLogFooter({ ...base, items: { processed: ['a.bin', 'b.bin'], processedMore: 8, failed: [{ item: 'c.bin', reason: 'gone' }], failedMore: 1 } }).trimEnd();
    const lines = summarizeFrame(text).lines;
    expect(lines.find((l) => l.label === 'Processed items')?.value).toBe('a.bin, b.bin and 8 more');
    expect(lines.find((l) => l.label === 'Failed items')?.value).toBe('c.bin (gone) and 1 more');
    // The list is not shown a second time as raw JSON.
    expect(lines.some((l) => l.label === 'Items')).toBe(false);
  });
});
