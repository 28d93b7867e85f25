import { describe, expect, it } from 'vitest';
import {
  formatJobLogFooter,
  formatJobLogHeader,
  formatJobLogReopen,
  JOB_LOG_FOOTER_END,
  parseJobLogFooters,
  parseJobLogHeader,
  type JobLogFooter,
  type JobLogHeader,
} from '../../../shared/jobLog';

const header: JobLogHeader = { id: 7, kind: 'demo', name: 'Demo: 3 items', created: '2026-01-02T03:04:05.000Z', destination: null, params: { items: 3, note: '</header_json>' } };
const footer = (result: JobLogFooter['result'], attempts: number): JobLogFooter => ({
  result,
  state: result === 'success' ? 'completed' : 'failed',
  id: 7,
  kind: 'demo',
  total: 3,
  processed: 3,
  failed: 0,
  attempts,
  durationMs: 12,
  wallMs: 15,
  finished: '2026-01-02T03:04:06.000Z',
  files: 3,
});

describe('the job log frame', () => {
  it('writes the title, header and sections readers have always seen', () => {
    const text = formatJobLogHeader(header);
    expect(text.startsWith('# Ferry job 7: Demo: 3 items\n# Kind: demo\n# Created: 2026-01-02T03:04:05.000Z\n\n<header_json>\n{\n  "id": 7,')).toBe(true);
    expect(text.endsWith('\n</header_json>\n<log>\n')).toBe(true);
    expect(formatJobLogReopen(3)).toBe('<log attempt="3">\n');
    const end = formatJobLogFooter(footer('success', 1));
    expect(end.startsWith('</log>\n<footer_json>\n{\n  "result": "success",')).toBe(true);
    expect(end.endsWith(JOB_LOG_FOOTER_END)).toBe(true);
    expect(JOB_LOG_FOOTER_END).toBe('</footer_json>\n');
  });

  it('reads back the header and every footer of a retried job, the last one being the result', () => {
    const log = [
      formatJobLogHeader(header),
      '2026-01-02T03:04:05.100Z first line\n',
      formatJobLogFooter(footer('failed', 1)),
      formatJobLogReopen(2),
      '2026-01-02T03:04:05.200Z second attempt\n',
      formatJobLogFooter(footer('success', 2)),
    ].join('');
    expect(parseJobLogHeader(log)).toEqual(header);
    const footers = parseJobLogFooters(log);
    expect(footers.map((f) => [f.result, f.attempts])).toEqual([
      ['failed', 1],
      ['success', 2],
    ]);
    expect(footers[1]).toEqual(footer('success', 2));
  });

  it('answers null for a log without a whole header, and throws for a damaged one', () => {
    expect(parseJobLogHeader('')).toBeNull();
    const text = formatJobLogHeader(header);
    expect(parseJobLogHeader(text.slice(0, text.lastIndexOf('</header_json>') - 3))).toBeNull();
    // A read that stops right after the closing marker still holds the whole header.
    expect(parseJobLogHeader(text.slice(0, text.lastIndexOf('</header_json>') + '</header_json>'.length))).toEqual(header);
    expect(() => parseJobLogHeader('<header_json>\n{"id": \n</header_json>\n')).toThrow();
  });

  it('skips a footer that is not JSON and one that is not whole yet', () => {
    const good = formatJobLogFooter(footer('success', 1));
    const log = `</log>\n<footer_json>\n{"result": \n</footer_json>\n${good}${good.slice(0, -20)}`;
    expect(parseJobLogFooters(log).map((f) => f.result)).toEqual(['success']);
  });
});
