import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FerryError } from '../../../../shared/errors';
import { scanInBatches, scanPaths, type ScannedFile } from '../../../../main/engine/files/scan';
import { makeTmpDir, type TmpDir } from '../../../helpers/tmpDir';

const jsSorted = (list: string[]) => [...list].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

describe('scanning a dataset', () => {
  let tmp: TmpDir;
  beforeEach(() => {
    tmp = makeTmpDir('ferry-scan');
  });
  afterEach(async () => {
    await tmp.cleanup();
  });

  const write = (rel: string, text = rel) => {
    mkdirSync(join(tmp.dir, rel, '..'), { recursive: true });
    writeFileSync(join(tmp.dir, rel), text);
  };

  it('hands files over in batches, in the order a sort of every relative path gives, without holding them', async () => {
    // `a-c` sorts before `a/b` ('-' before '/'), though the folder `a` comes first by name.
    for (const rel of ['a/b', 'a-c', 'a.txt', 'a/z/deep', 'b', 'A', 'a0/x']) write(join('set', rel));
    for (let i = 0; i < 2100; i++) write(join('set', 'many', `f${i}`), String(i));
    const batches: ScannedFile[][] = [];
    const summary = await scanInBatches([join(tmp.dir, 'set')], {}, (files) => {
      batches.push(files);
    });
    const order = batches.flat().map((f) => f.relativePath);
    expect(summary.files).toBe(2107);
    expect(batches.length).toBe(2);
    expect(Math.max(...batches.map((b) => b.length))).toBeLessThanOrEqual(2000);
    expect(order).toEqual(jsSorted(order));
    expect(order.slice(0, 7)).toEqual(['A', 'a-c', 'a.txt', 'a/b', 'a/z/deep', 'a0/x', 'b']);
    expect((await scanPaths([join(tmp.dir, 'set')])).files.map((f) => f.relativePath)).toEqual(order);
  });

  it('refuses two dropped items that would put a file at the same place, and merges those that do not', async () => {
    write('one/data/x.tif');
    write('one/data/y.tif');
    write('two/data/y.tif');
    write('three/data/z.tif');
    const clash = await scanPaths([join(tmp.dir, 'one', 'data'), join(tmp.dir, 'two', 'data')]).catch((err: unknown) => err);
    expect(clash).toBeInstanceOf(FerryError);
    expect((clash as FerryError).code).toBe('CONFLICT');
    expect((clash as FerryError).message).toContain('would both land at data/y.tif');
    const merged = await scanPaths([join(tmp.dir, 'three', 'data'), join(tmp.dir, 'one', 'data')]);
    expect(merged.files.map((f) => f.relativePath)).toEqual(['data/x.tif', 'data/y.tif', 'data/z.tif']);
  });

  it('takes only what the predicate takes, hidden entries included, and does not enter a folder it refuses', async () => {
    for (const rel of ['keep.bin', '.meta.json', 'skip.tmp', 'scratch/a.bin', 'raw/b.bin']) write(join('set', rel));
    const asked: string[] = [];
    const { files } = await scanPaths([join(tmp.dir, 'set')], {
      take: (path, isFolder) => {
        asked.push(path);
        return isFolder ? !path.endsWith('scratch') : !path.endsWith('.tmp');
      },
    });
    expect(files.map((f) => f.relativePath)).toEqual(['.meta.json', 'keep.bin', 'raw/b.bin']);
    expect(asked.some((p) => p.includes(join('scratch', 'a.bin')))).toBe(false);
  });
});
