import { describe, expect, it } from 'vitest';
import type { LogChunk } from '../../../shared/model';
import { batchLogChunks } from '../../../renderer/src/store/logBatcher';

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
});
