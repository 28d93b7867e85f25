import { describe, expect, it } from 'vitest';
import { LineSplitter } from '../../../main/engine/kinds/lineSplitter';
import { parseContentRange } from '../../../main/engine/kinds/httpGet';
import { parseRetryAfter } from '../../../main/engine/util/retryAfter';

function split(chunks: Buffer[], max?: number): string[] {
  const lines: string[] = [];
  const s = new LineSplitter((l) => lines.push(l), max);
  for (const c of chunks) s.push(c);
  s.end();
  return lines;
}

describe('LineSplitter', () => {
  it('joins a UTF-8 character split across chunks and keeps a last line without newline', () => {
    const euro = Buffer.from('a€b\nlast', 'utf8');
    expect(split([euro.subarray(0, 2), euro.subarray(2, 3), euro.subarray(3)])).toEqual(['a€b', 'last']);
  });

  it('turns CRLF into lines, keeps what a terminal shows of carriage-return overwrites, escapes control bytes', () => {
    expect(split([Buffer.from('one\r\n10%\r55%\r100%\nnul\x00bell\x07\ttab\n')])).toEqual(['one', '100%', 'nul\\x00bell\\x07\ttab']);
  });

  it('cuts a runaway line into marked pieces instead of buffering it whole', () => {
    expect(split([Buffer.from('x'.repeat(25))], 10)).toEqual(['xxxxxxxxxx […]', 'xxxxxxxxxx […]', 'xxxxx']);
  });
});

describe('HTTP header parsing', () => {
  it('reads Content-Range, refusing nonsense', () => {
    expect(parseContentRange('bytes 100-199/1000')).toEqual({ start: 100, end: 199, total: 1000 });
    expect(parseContentRange('bytes 0-9/*')).toEqual({ start: 0, end: 9, total: null });
    expect(parseContentRange('bytes */1000')).toEqual({ start: -1, end: -1, total: 1000 });
    expect(parseContentRange('bytes 9-0/10')).toBeUndefined();
    expect(parseContentRange('bytes 0-10/10')).toBeUndefined();
    expect(parseContentRange('items 0-1/2')).toBeUndefined();
  });

  it('reads Retry-After as seconds or a date, capped', () => {
    expect(parseRetryAfter('3')).toBe(3000);
    expect(parseRetryAfter(new Date(10_000 + 5000).toUTCString(), 10_000)).toBe(5000);
    expect(parseRetryAfter('999999999')).toBe(3_600_000);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(undefined)).toBeUndefined();
  });
});
