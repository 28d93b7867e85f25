import { appendFileSync, readFileSync, statSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { EventBatch } from '../../../../shared/contract';
import type { LogChunk } from '../../../../shared/model';
import { followEvents, followLog } from '../../../../main/engine/logs/followers';
import { LogStore } from '../../../../main/engine/logs/logStore';
import { makeTmpDir, type TmpDir } from '../../../helpers/tmpDir';

/** Resolves once `store` has flushed job `id` (the store's own signal, no sleeping). */
const nextFlush = (store: LogStore, id: number) =>
  new Promise<void>((resolve) => {
    const stop = store.onFlush(id, () => {
      stop();
      resolve();
    });
  });

/** Follows a log until eof, collecting the text; resolves with it. */
function followToEnd(store: LogStore, id: number, finished: () => boolean, offset = 0): Promise<{ text: string; chunks: LogChunk[] }> {
  return new Promise((resolve, reject) => {
    let text = '';
    const chunks: LogChunk[] = [];
    const stop = followLog(
      store,
      id,
      offset,
      finished,
      (c) => {
        chunks.push(c);
        text += c.text;
        if (c.eof) {
          stop();
          resolve({ text, chunks });
        }
      },
      reject,
    );
  });
}

describe('log store', () => {
  let tmp: TmpDir;
  let store: LogStore | undefined;
  afterEach(async () => {
    vi.useRealTimers();
    store?.close();
    store = undefined;
    await tmp?.cleanup();
  });

  it('buffers writes and flushes them within 100 ms, in one write per flush', async () => {
    tmp = makeTmpDir('ferry-logs');
    store = new LogStore(tmp.dir);
    const w = store.writer(1);
    const started = performance.now();
    for (let i = 0; i < 100; i++) w.line(`line ${i}`);
    expect(statSync(store.paths(1).log).size).toBe(0);
    await nextFlush(store, 1);
    expect(performance.now() - started).toBeLessThan(100);
    const lines = readFileSync(store.paths(1).log, 'utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(100);
    expect(lines[99]).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z line 99$/);
  });

  it('reads from byte offsets, never splitting a line or a character, and marks eof only when finished', async () => {
    tmp = makeTmpDir('ferry-logs');
    store = new LogStore(tmp.dir);
    const w = store.writer(2);
    w.raw('héllo wörld ✓\n'.repeat(50));
    w.flush();
    const first = await store.readLog(2, 0, 40, false);
    expect(first.text.endsWith('\n')).toBe(true);
    expect(first.eof).toBe(false);
    let all = first.text;
    let pos = first.nextOffset;
    for (;;) {
      const c = await store.readLog(2, pos, 7, true);
      all += c.text;
      pos = c.nextOffset;
      if (c.eof) break;
    }
    expect(all).toBe('héllo wörld ✓\n'.repeat(50));
    const tiny = await store.readLog(2, 1, 3, false);
    expect(Buffer.from(tiny.text).length).toBeLessThanOrEqual(3);
    expect(tiny.text).not.toContain('\uFFFD');
  });

  it('cuts a torn last line of both files when a writer reopens after a crash', () => {
    tmp = makeTmpDir('ferry-logs');
    store = new LogStore(tmp.dir);
    const w = store.writer(3);
    w.line('whole');
    w.event({ type: 'created', state: 'queued', stage: null, message: 'x' });
    w.event({ type: 'started', state: 'running', stage: null, message: 'y' });
    w.flush();
    store.close();
    appendFileSync(store.paths(3).log, '2026-01-01T00:00:00.000Z torn li');
    appendFileSync(store.paths(3).events, '{"seq":3,"ts":1,"ty');
    store = new LogStore(tmp.dir);
    const again = store.writer(3);
    expect(readFileSync(store.paths(3).log, 'utf8')).toMatch(/ whole\n$/);
    expect(again.lastSeq).toBe(2);
    expect(again.event({ type: 'log', state: 'running', stage: null, message: 'z' }).seq).toBe(3);
  });

  it('reads events after any `since` quickly, across thousands of events', async () => {
    tmp = makeTmpDir('ferry-logs');
    store = new LogStore(tmp.dir);
    const w = store.writer(4);
    for (let i = 0; i < 3000; i++) w.event({ type: 'progress', state: 'running', stage: null, message: `m${i}` });
    w.flush();
    for (const since of [0, 1, 255, 256, 257, 1000, 2999, 3000]) {
      const events = await store.readEvents(4, since, 3);
      expect(events.map((e) => e.seq)).toEqual([since + 1, since + 2, since + 3].filter((s) => s <= 3000));
    }
    // Growing after the index was built: only new bytes are scanned, and still found.
    w.event({ type: 'log', state: 'running', stage: null, message: 'late' });
    w.flush();
    expect((await store.readEvents(4, 3000, 10)).map((e) => e.message)).toEqual(['late']);
  });

  it('gives any number of followers, of a running or a finished log, exactly the bytes in the file', async () => {
    tmp = makeTmpDir('ferry-logs');
    store = new LogStore(tmp.dir);
    let finished = false;
    const w = store.writer(5);
    const early = Array.from({ length: 5 }, () => followToEnd(store!, 5, () => finished));
    for (let i = 0; i < 20_000; i++) {
      w.line(`line ${i} ${'x'.repeat(i % 50)}`);
      if (i % 2000 === 0) await nextFlush(store, 5);
    }
    const late = followToEnd(store, 5, () => finished);
    finished = true;
    store.finish(5);
    const onDisk = readFileSync(store.paths(5).log, 'utf8');
    for (const f of [...early, late]) expect((await f).text).toBe(onDisk);
    // A follower of the finished log gets the rest from its offset, then the end marker.
    const rest = await followToEnd(store, 5, () => true, 1000);
    expect(rest.text).toBe(Buffer.from(onDisk).subarray(1000).toString('utf8'));
    expect(rest.chunks.at(-1)!.eof).toBe(true);
  });

  it('sends an events follower a heartbeat after 5 s of silence and an end once finished', async () => {
    tmp = makeTmpDir('ferry-logs');
    store = new LogStore(tmp.dir);
    const w = store.writer(6);
    w.event({ type: 'created', state: 'queued', stage: null, message: 'a' });
    w.flush();
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'Date'] });
    let finished = false;
    const batches: EventBatch[] = [];
    let notify: () => void = () => {};
    const stop = followEvents(
      store,
      6,
      0,
      () => finished,
      (b) => {
        batches.push(b);
        notify();
      },
      (e) => {
        throw e;
      },
    );
    const next = () => new Promise<void>((r) => (notify = r));
    await next();
    expect(batches[0]!.events.map((e) => e.seq)).toEqual([1]);
    const beat = next();
    vi.advanceTimersByTime(5000);
    await beat;
    expect(batches.at(-1)).toEqual({ events: [], end: false, heartbeat: true });
    vi.useRealTimers();
    const end = next();
    finished = true;
    w.event({ type: 'completed', state: 'completed', stage: null, message: 'done' });
    store.finish(6);
    await end;
    expect(batches.at(-1)).toMatchObject({ end: true, events: [{ seq: 2, type: 'completed' }] });
    stop();
  });

  it('keeps the head and the tail of a log over its cap, with a marker between', async () => {
    tmp = makeTmpDir('ferry-logs');
    store = new LogStore(tmp.dir, { capBytes: 64 * 1024 });
    const w = store.writer(7);
    for (let i = 0; i < 10_000; i++) {
      w.line(`line ${String(i).padStart(5, '0')}`);
      if (i % 500 === 0) w.flush();
    }
    store.finish(7);
    await store.settled(7);
    const text = readFileSync(store.paths(7).log, 'utf8');
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(64 * 1024);
    expect(text).toContain(' line 00000\n');
    expect(text).toMatch(/ line 09999\n$/);
    const marker = /\[ferry\] \.\.\. (\d+) bytes \((\d+) lines\) omitted here to keep this log under its size cap \(cut (\d+)\) \.\.\.\n/.exec(text)!;
    expect(marker).not.toBeNull();
    const kept = text.split('\n').filter((l) => / line \d{5}$/.test(l)).map((l) => Number(l.slice(-5)));
    expect(kept.length + Number(marker[2])).toBe(10_000);
    // Every line kept is whole, and the kept lines are a head and a tail in order.
    const gap = kept.findIndex((n, i) => i > 0 && n !== kept[i - 1]! + 1);
    expect(kept.slice(0, gap)).toEqual(Array.from({ length: gap }, (_, i) => i));
    expect(kept.slice(gap).at(-1)).toBe(9999);
    // A restart finds the cut (epoch and counts) from the file itself.
    store.close();
    store = new LogStore(tmp.dir, { capBytes: 64 * 1024 });
    expect(store.epoch(7)).toBe(Number(marker[3]));
    const read = await store.readLog(7, 0, 1 << 20, true);
    expect(read.text).toBe(text);
    expect(read.epoch).toBe(Number(marker[3]));
  });

  it('maps a follower across a cut: it reads on in the new file without gaps or torn lines', async () => {
    tmp = makeTmpDir('ferry-logs');
    store = new LogStore(tmp.dir, { capBytes: 32 * 1024 });
    let finished = false;
    const w = store.writer(8);
    const follower = followToEnd(store, 8, () => finished);
    for (let i = 0; i < 4000; i++) {
      w.line(`n ${String(i).padStart(4, '0')}`);
      if (i % 100 === 0) await nextFlush(store, 8);
    }
    await store.settled(8);
    finished = true;
    store.finish(8);
    const { text, chunks } = await follower;
    expect(chunks.some((c) => (c.epoch ?? 0) > 0)).toBe(true);
    const numbers = text.split('\n').filter((l) => / n \d{4}$/.test(l)).map((l) => Number(l.slice(-4)));
    // Ascending and ending with the last line; every line whole (the pattern matched all of them).
    const backwards = numbers.findIndex((n, i) => i > 0 && n <= numbers[i - 1]!);
    expect(backwards, `went from ${numbers[backwards - 1]} to ${numbers[backwards]}; epochs ${chunks.map((c) => `${c.epoch}@${c.offset}`).join(' ')}`).toBe(-1);
    expect(numbers.at(-1)).toBe(3999);
    expect(text.split('\n').slice(0, -1).every((l) => / n \d{4}$/.test(l) || l.startsWith('[ferry] ...'))).toBe(true);
  });

  it('answers NOT_FOUND for a job without files and wakes followers of a removed job with it', async () => {
    tmp = makeTmpDir('ferry-logs');
    store = new LogStore(tmp.dir);
    await expect(store.readLog(99, 0, 10, false)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(store.readEvents(99, 0, 10)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const w = store.writer(9);
    w.line('x');
    w.flush();
    let first: () => void = () => {};
    const delivered = new Promise<void>((r) => (first = r));
    const failed = new Promise((resolve) => {
      followLog(store!, 9, 0, () => false, first, resolve);
    });
    await delivered;
    store.remove(9);
    await expect(failed).resolves.toMatchObject({ code: 'NOT_FOUND' });
  });
});
