import { describe, expect, it } from 'vitest';
import { PathFilter, globToRegExp } from '../../../main/engine/watch/glob';
import { filterFor } from '../../../main/engine/watch/ruleFilter';
import { DEFAULT_EXCLUDES } from '../../../shared/watch';

const matches = (glob: string, path: string, nocase = false) => globToRegExp(glob, { nocase }).test(path);

describe('rule globs', () => {
  it('matches *, ?, ** and names at any depth', () => {
    expect(matches('**/*', 'a')).toBe(true);
    expect(matches('**/*', 'a/b/c.tif')).toBe(true);
    expect(matches('*.tif', 'deep/er/x.tif')).toBe(true);
    expect(matches('*.tif', 'x.tiff')).toBe(false);
    expect(matches('/top.txt', 'top.txt')).toBe(true);
    expect(matches('/top.txt', 'sub/top.txt')).toBe(false);
    expect(matches('run-?/*.raw', 'run-1/a.raw')).toBe(true);
    expect(matches('run-?/*.raw', 'run-10/a.raw')).toBe(false);
    expect(matches('run-?/*.raw', 'run-1/sub/a.raw')).toBe(false);
    expect(matches('a/**/b', 'a/b')).toBe(true);
    expect(matches('a/**/b', 'a/x/y/b')).toBe(true);
    expect(matches('raw/**', 'raw')).toBe(true);
    expect(matches('raw/**', 'raw/x/y')).toBe(true);
    expect(matches('raw/**', 'rawer/x')).toBe(false);
  });

  it('supports classes, alternatives and escapes', () => {
    expect(matches('img-[0-9][0-9].png', 'img-07.png')).toBe(true);
    expect(matches('img-[!0-9]*.png', 'img-7.png')).toBe(false);
    expect(matches('img-[!0-9]*.png', 'img-x.png')).toBe(true);
    expect(matches('*.{tif,tiff,raw}', 'a/b.tiff')).toBe(true);
    expect(matches('*.{tif,{jp,pn}g}', 'b.png')).toBe(true);
    expect(matches('*.{tif,raw}', 'b.png')).toBe(false);
    expect(matches('\\*literal', 'x/*literal')).toBe(true);
    expect(matches('a+b(1).txt', 'a+b(1).txt')).toBe(true);
    expect(matches('*.TIF', 'x.tif', true)).toBe(true);
    expect(matches('*.TIF', 'x.tif', false)).toBe(false);
  });

  it('refuses unbalanced patterns with INVALID_INPUT', () => {
    for (const bad of ['{a,b', 'a}', '[abc', 'x\\', '[z-a]']) {
      expect(() => globToRegExp(bad), bad).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
    }
  });

  it('leaves temporary and hidden files, and everything under an excluded folder, alone', () => {
    const f = new PathFilter(['**/*'], DEFAULT_EXCLUDES, { nocase: false });
    for (const p of ['a.tmp', 'x/y.part', 'z.ferry-part', '~$report.docx', '.DS_Store', 'sub/.hidden', '.git/config']) expect(f.takesFile(p), p).toBe(false);
    for (const p of ['a.tif', 'sub/b.raw', 'part.bin', 'tmp/x.bin']) expect(f.takesFile(p), p).toBe(true);
    expect(f.skipsDir('.git')).toBe(true);
    expect(f.skipsDir('sub')).toBe(false);
  });

  it('always takes a dataset marker directly in a folder, and never enters Ferry’s own data folder', () => {
    const rule = { path: '/data', include: ['**/*.tif'], exclude: [...DEFAULT_EXCLUDES], mode: 'dataset' as const, markerFile: '.done' };
    const f = filterFor(rule, '/data/.ferry');
    expect(f.takesFile('run-1/.done')).toBe(true);
    expect(f.takesFile('run-1/sub/.done')).toBe(false);
    expect(f.takesFile('.done')).toBe(false);
    expect(f.takesFile('run-1/a.tif')).toBe(true);
    const withData = filterFor({ ...rule, exclude: [], markerFile: null }, '/data/ferry-data');
    expect(withData.skipsDir('ferry-data')).toBe(true);
    expect(withData.takesFile('ferry-data/x.tif')).toBe(false);
  });
});
