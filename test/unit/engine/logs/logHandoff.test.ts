import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { followLog } from '../../../../main/engine/logs/followers';
import { LogStore } from '../../../../main/engine/logs/logStore';
import { makeTmpDir, type TmpDir } from '../../../helpers/tmpDir';

/** Resolves once `store` has flushed job `id`. */
const nextFlush = (store: LogStore, id: number) =>
  new Promise<void>((resolve) => {
    const stop = store.onFlush(id, () => {
      stop();
      resolve();
    });
  });

/** Lines with one-, two-, three- and four-byte characters, and one with a lone surrogate. */
const texts = ['plain ascii', 'café ünïcödé', '日本語のログ行', 'emoji 🚀🚀 done', 'lone \ud800 surrogate', ''];

describe('log store: timestamps and the in-memory handoff to followers', () => {
  let tmp: TmpDir;
  let store: LogStore | undefined;
  afterEach(async () => {
    store?.close();
    store = undefined;
    await tmp?.cleanup();
  });

  it('stamps every line with its own time across millisecond, second and day boundaries', () => {
    tmp = makeTmpDir('ferry-stamps');
    store = new LogStore(tmp.dir, { capBytes: null });
    const w = store.writer(1);
    const base = Date.UTC(2025, 11, 31, 23, 59, 59, 998);
    // Repeats (the cached prefix), steps of one ms over a second and a year boundary, and a step back.
    const times = [base, base, base + 1, base + 1, base + 2, base + 3, base + 1000, base - 5, base - 5, 0, 1];
    times.forEach((ts, i) => w.line(`l${i}`, ts));
    store.finish(1);
    const lines = readFileSync(store.paths(1).log, 'utf8').trimEnd().split('\n');
    expect(lines).toEqual(times.map((ts, i) => `${new Date(ts).toISOString()} l${i}`));
    expect(lines[4]).toBe('2026-01-01T00:00:00.000Z l4');
  });

  it('hands a follower close behind the writer the flushed bytes from memory, equal to the file, over many flushes', async () => {
    tmp = makeTmpDir('ferry-handoff');
    store = new LogStore(tmp.dir, { capBytes: null, flushIntervalMs: 5 });
    const w = store.writer(1);
    let finished = false;
    const got = ['', '', ''];
    const done = got.map(
      (_, k) =>
        new Promise<void>((resolve, reject) => {
          const stop = followLog(
            store!,
            1,
            0,
            () => finished,
            (c) => {
              got[k] += c.text;
              if (c.eof) {
                stop();
                resolve();
              }
            },
            reject,
          );
        }),
    );
    for (let round = 0; round < 40; round++) {
      // Small flushes from the timer and large ones (past the eager threshold) in turn.
      const n = round % 4 === 0 ? 3000 : 7;
      for (let i = 0; i < n; i++) w.line(`${round}.${i} ${texts[(round + i) % texts.length]}`);
      w.raw(`raw ${round} ${texts[round % texts.length]}\n`);
      await nextFlush(store, 1);
    }
    finished = true;
    store.finish(1);
    await Promise.all(done);
    const file = readFileSync(store.paths(1).log).toString('utf8');
    for (const text of got) expect(text === file).toBe(true);
  });

  it('answers reads from memory exactly as from the file, at any offset and chunk size', async () => {
    tmp = makeTmpDir('ferry-handoff-reads');
    store = new LogStore(tmp.dir, { capBytes: null });
    const stop = store.onFlush(1, () => {});
    const w = store.writer(1);
    for (let f = 0; f < 6; f++) {
      for (let i = 0; i < 50; i++) w.line(`${f}.${i} ${texts[(f + i) % texts.length]}`);
      store.flushJob(1);
    }
    const bytes = readFileSync(store.paths(1).log);
    // Every read of a running log (of at least one character's bytes) ends on a character boundary.
    for (const max of [4, 5, 64, 1000, 4096, 1 << 20]) {
      let pos = 0;
      let text = '';
      while (pos < bytes.length) {
        const c = await store.readLog(1, pos, max, false);
        expect(c.offset).toBe(pos);
        expect(c.nextOffset).toBeGreaterThan(pos);
        expect(c.nextOffset - pos).toBeLessThanOrEqual(max);
        expect(c.text).toBe(bytes.subarray(pos, c.nextOffset).toString('utf8'));
        text += c.text;
        pos = c.nextOffset;
      }
      expect(text).toBe(bytes.toString('utf8'));
    }
    stop();
  });

  it('keeps nothing in memory for a log no one follows, and reads it from the file', async () => {
    tmp = makeTmpDir('ferry-handoff-unfollowed');
    store = new LogStore(tmp.dir, { capBytes: null });
    const w = store.writer(1);
    w.line('one');
    store.flushJob(1);
    expect(w.recentLog(0, 1024)).toBeUndefined();
    const c = await store.readLog(1, 0, 1024, false);
    expect(c.text).toMatch(/Z one\n$/);
  });
});
