import { describe, expect, it } from 'vitest';
import { formatJobLogFooter, type JobLogFooter } from '../../../shared/jobLog';
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
