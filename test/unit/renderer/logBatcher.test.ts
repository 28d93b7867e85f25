import { describe, expect, it } from 'vitest';
import type { LogChunk } from '../../../shared/model';
import { batchLogChunks, sliceLogChunk } from '../../../renderer/src/store/logBatcher';

const chunk = (offset: number, text: string, eof = false): LogChunk => ({ jobId: 1, offset, nextOffset: offset + text.length, text, eof, epoch: 0 });

describe('log chunk batching', () => {
  it('applies the first chunk at once, merges what follows within the interval, and flushes on eof', async () => {
    const applied: LogChunk[] = [];
    let clock = 0;
    const batch = batchLogChunks((c) => applied.push(c), 100, () => clock);
    batch.push(chunk(0, 'a\n'));
    expect(applied).toHaveLength(1);
    clock = 10;
    batch.push(chunk(2, 'b\n'));
    batch.push(chunk(4, 'c\n'));
    expect(applied).toHaveLength(1);
    clock = 20;
    batch.push(chunk(6, 'd\n', true));
    expect(applied).toHaveLength(2);
    expect(applied[1]).toEqual({ jobId: 1, offset: 2, nextOffset: 8, text: 'b\nc\nd\n', eof: true, epoch: 0 });
  });

  it('applies pending text after the interval, and never merges chunks that do not follow each other', async () => {
    const applied: LogChunk[] = [];
    const batch = batchLogChunks((c) => applied.push(c), 20);
    batch.push(chunk(0, 'a\n'));
    batch.push(chunk(2, 'b\n'));
    batch.push(chunk(100, 'later\n'));
    expect(applied.map((c) => c.text)).toEqual(['a\n', 'b\n']);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(applied.map((c) => c.text)).toEqual(['a\n', 'b\n', 'later\n']);
    batch.push(chunk(106, 'x\n'));
    batch.cancel();
  });

  it('applies a long backlog in slices, one task each, cut after a line end, with the byte offsets between them', async () => {
    const applied: LogChunk[] = [];
    const batch = batchLogChunks((c) => applied.push(c), 100, () => 0, 10);
    // 'é' is two bytes: offsets count bytes, not characters.
    const lines = ['line é 1\n', 'line 2\n', 'line 3\n', 'a longer line 4\n'];
    const text = lines.join('');
    const bytes = Buffer.byteLength(text);
    batch.push({ jobId: 1, offset: 100, nextOffset: 100 + bytes, text, eof: true, epoch: 0 });
    // The first slice at once; the rest after the tasks they wait for.
    expect(applied.map((c) => c.text)).toEqual(['line é 1\n']);
    expect(applied[0]).toMatchObject({ offset: 100, nextOffset: 100 + Buffer.byteLength('line é 1\n'), eof: false });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(applied.map((c) => c.text).join('')).toBe(text);
    expect(applied.map((c) => c.text)).toEqual(['line é 1\n', 'line 2\n', 'line 3\n', 'a longer l', 'ine 4\n']);
    // Each slice starts where the one before ended; only the last carries eof.
    for (let i = 1; i < applied.length; i++) expect(applied[i]!.offset).toBe(applied[i - 1]!.nextOffset);
    expect(applied.at(-1)).toMatchObject({ nextOffset: 100 + bytes, eof: true });
    expect(applied.filter((c) => c.eof)).toHaveLength(1);
  });

  it('cuts a line longer than a slice where it must, but never inside a surrogate pair', () => {
    const text = `abcdefghi\u{1F600}xyz`;
    const sliced = sliceLogChunk({ jobId: 1, offset: 0, nextOffset: Buffer.byteLength(text), text, eof: false }, 10);
    expect(sliced?.head.text).toBe('abcdefghi');
    expect(sliced?.rest).toMatchObject({ offset: 9, text: '\u{1F600}xyz' });
    expect(sliceLogChunk({ jobId: 1, offset: 0, nextOffset: 3, text: 'ab\n', eof: false }, 10)).toBeNull();
  });
});
