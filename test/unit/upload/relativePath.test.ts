import { describe, expect, test } from 'vitest';
import { checkRelativePath, relativePathProblem } from '../../../main/engine/upload/relativePath';

describe('relative path validator', () => {
  test('accepts ordinary dataset paths', () => {
    for (const ok of ['a.bin', 'run 7/images/0001.tif', 'ü/ñ/データ.h5', '.hidden/file', 'a..b/c']) {
      expect(relativePathProblem(ok)).toBeUndefined();
    }
  });

  test.each([
    ['', 'empty'],
    ['../x', "has a '..' segment"],
    ['a/../../b', "has a '..' segment"],
    ['./a', "has a '.' segment"],
    ['/etc/passwd', 'absolute'],
    ['C:/Windows', 'has a drive letter'],
    ['a\\..\\b', 'contains a backslash'],
    ['a\0b', 'contains NUL'],
    ['a//b', 'has an empty segment'],
    ['a/', 'has an empty segment'],
  ])('refuses %j (%s)', (bad, problem) => {
    expect(relativePathProblem(bad)).toBe(problem);
    expect(() => checkRelativePath(bad, 'upload(test)')).toThrow(/^upload\(test\): unsafe relative path/);
  });
});
