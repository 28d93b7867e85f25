import { describe, expect, it } from 'vitest';
import { normalPrefix } from '../../../main/engine/api/s3DownloadCommands';
import { manifestLine } from '../../../main/engine/kinds/datasetFiles';
import { localPlace, parseManifest } from '../../../main/engine/kinds/s3DownloadRunner';

describe('where an S3 key lands under the download folder', () => {
  it.each([
    ['../escape.bin', /"\.\." segment/],
    ['a/../../escape.bin', /"\.\." segment/],
    ['/etc/passwd', /relative, not absolute/],
    ['C:/Windows/x', /drive letter/],
    ['a\\..\\..\\b', /backslash/],
    ['line\nbreak', /control character/],
    ['tab\there', /control character/],
    ['a//b', /empty segment/],
    ['./a', /"\." segment/],
  ])('refuses %j', (key, why) => {
    const place = localPlace(key, 'linux');
    expect('problem' in place && place.problem).toMatch(why);
  });

  it.each(['a.bin', 'raw/deep/file.h5', 'name with spaces/ü.tif', '12:30.tif'])('takes %j', (key) => {
    expect(localPlace(key, 'linux')).toEqual({ ok: true });
  });

  it("on Windows also refuses names Windows cannot hold", () => {
    expect('problem' in localPlace('12:30.tif', 'win32')).toBe(true);
    expect('problem' in localPlace('con.txt', 'win32')).toBe(true);
  });
});

describe('the manifest a download checks against', () => {
  it('reads back every line an upload writes, escaped names included', () => {
    const files: Array<[string, string]> = [
      ['a'.repeat(64), 'plain/file.bin'],
      ['b'.repeat(64), 'two  spaces.txt'],
      ['c'.repeat(64), 'back\\slash.bin'],
      ['d'.repeat(64), 'line\nbreak.bin'],
    ];
    const text = files.map(([sha, path]) => manifestLine(sha, path)).join('');
    expect(parseManifest(text)).toEqual(new Map(files.map(([sha, path]) => [path, sha])));
  });

  it('skips lines that are not manifest lines', () => {
    expect(parseManifest(`# comment\nnot a line\n${'e'.repeat(64)}  ok.bin\n`)).toEqual(new Map([['ok.bin', 'e'.repeat(64)]]));
  });
});

describe('the prefix a download lists', () => {
  it('is a folder: no leading slash, a trailing one added', () => {
    expect(normalPrefix('')).toBe('');
    expect(normalPrefix('runs')).toBe('runs/');
    expect(normalPrefix('/runs/2024/')).toBe('runs/2024/');
  });
  it('refuses control characters with INVALID_INPUT', () => {
    expect(() => normalPrefix('a\nb')).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
  });
});
