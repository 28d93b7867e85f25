import { createHash } from 'node:crypto';
import { mkdir, readFile, truncate, unlink } from 'node:fs/promises';
import path from 'node:path';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect } from 'vitest';
import { FileSource, statSource } from '../../../main/engine/upload/fileSource';
import { randomFile } from './fixtures/tempFiles';
import { rejection, test } from './fixtures/uploadHarness';

const signal = () => new AbortController().signal;

async function collect(source: FileSource, chunkSize: number, from = 0) {
  const chunks: Array<{ offset: number; length: number; last: boolean }> = [];
  const bytes: Buffer[] = [];
  for await (const c of source.chunks({ chunkSize, from, signal: signal() })) {
    chunks.push({ offset: c.offset, length: c.bytes.length, last: c.last });
    bytes.push(c.bytes);
  }
  return { chunks, data: Buffer.concat(bytes) };
}

describe('FileSource', () => {
  test('yields fixed-size chunks with a ragged last one and the whole-file SHA-256', async ({ tmp }) => {
    const src = await randomFile(tmp, 'a.bin', 10_000);
    const source = new FileSource(src.path, await statSource(src.path));
    const { chunks, data } = await collect(source, 4096);
    expect(chunks).toEqual([
      { offset: 0, length: 4096, last: false },
      { offset: 4096, length: 4096, last: false },
      { offset: 8192, length: 1808, last: true },
    ]);
    expect(data.equals(await readFile(src.path))).toBe(true);
    expect(source.sha256()).toBe(src.sha256);
  });

  test('an exact multiple ends on a full chunk; a 0-byte file yields one empty chunk', async ({ tmp }) => {
    const exact = await randomFile(tmp, 'exact.bin', 8192);
    const s1 = new FileSource(exact.path, await statSource(exact.path));
    expect((await collect(s1, 4096)).chunks.map((c) => c.length)).toEqual([4096, 4096]);
    const empty = await randomFile(tmp, 'empty.bin', 0);
    const s2 = new FileSource(empty.path, await statSource(empty.path));
    expect((await collect(s2, 4096)).chunks).toEqual([{ offset: 0, length: 0, last: true }]);
    expect(s2.sha256()).toBe(createHash('sha256').digest('hex'));
  });

  test('starting at an offset re-hashes the prefix without yielding it', async ({ tmp }) => {
    const src = await randomFile(tmp, 'a.bin', 9 * 1024 * 1024 + 3);
    const from = 5 * 1024 * 1024 + 17;
    const source = new FileSource(src.path, await statSource(src.path));
    const { chunks, data } = await collect(source, 1024 * 1024, from);
    expect(chunks[0]!.offset).toBe(from);
    expect(data.equals((await readFile(src.path)).subarray(from))).toBe(true);
    expect(source.sha256()).toBe(src.sha256);
  });

  test('starting at the end yields nothing but still knows the SHA-256', async ({ tmp }) => {
    const src = await randomFile(tmp, 'a.bin', 5000);
    const source = new FileSource(src.path, await statSource(src.path));
    expect((await collect(source, 4096, 5000)).chunks).toEqual([]);
    expect(source.sha256()).toBe(src.sha256);
  });

  test('memory stays flat: a 64 MiB file read in 1 MiB chunks holds a few MiB at most', async ({ tmp }) => {
    // A forced collection after each chunk makes the measure exact instead of GC-dependent.
    v8.setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const size = 64 * 1024 * 1024;
    const src = await randomFile(tmp, 'big.bin', size);
    const source = new FileSource(src.path, await statSource(src.path));
    gc();
    const base = process.memoryUsage().arrayBuffers;
    let peak = 0;
    for await (const c of source.chunks({ chunkSize: 1024 * 1024, from: 0, signal: signal() })) {
      void c;
      gc();
      peak = Math.max(peak, process.memoryUsage().arrayBuffers - base);
    }
    expect(source.sha256()).toBe(src.sha256);
    expect(peak).toBeLessThan(4 * 1024 * 1024);
  });

  test('missing file, directory and vanished file are IO errors that say so', async ({ tmp }) => {
    await expect(statSource(path.join(tmp, 'none'))).rejects.toMatchObject({ code: 'IO', message: `read(${path.join(tmp, 'none')}): no such file or directory` });
    await mkdir(path.join(tmp, 'dir'));
    await expect(statSource(path.join(tmp, 'dir'))).rejects.toMatchObject({ code: 'IO', message: expect.stringMatching(/not a regular file/) });

    const src = await randomFile(tmp, 'gone.bin', 100);
    const source = new FileSource(src.path, await statSource(src.path));
    await unlink(src.path);
    const err = await rejection(collect(source, 64));
    expect(err).toMatchObject({ code: 'IO', details: { reason: 'vanished' } });
  });

  test('a file that shrinks while being read fails "file changed during upload"', async ({ tmp }) => {
    const src = await randomFile(tmp, 'a.bin', 10_000);
    const source = new FileSource(src.path, await statSource(src.path));
    const err = await rejection(
      (async () => {
        for await (const c of source.chunks({ chunkSize: 4096, from: 0, signal: signal() })) {
          if (c.offset === 0) await truncate(src.path, 5000);
        }
      })(),
    );
    expect(err.code).toBe('IO');
    expect(err.message).toMatch(/file changed during upload \(size 10000 → 5000/);
  });

  test('an aborted signal stops reading with CANCELED', async ({ tmp }) => {
    const src = await randomFile(tmp, 'a.bin', 10_000);
    const source = new FileSource(src.path, await statSource(src.path));
    const controller = new AbortController();
    const err = await rejection(
      (async () => {
        for await (const c of source.chunks({ chunkSize: 1000, from: 0, signal: controller.signal })) {
          if (c.offset === 2000) controller.abort();
        }
      })(),
    );
    expect(err.code).toBe('CANCELED');
  });
});
