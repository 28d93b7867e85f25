import { describe, expect, test } from 'vitest';
import { checkRelativePath, relativePathProblem, storedPathProblem } from '../../../shared/storedPath';

describe('relative path rule', () => {
  test('accepts ordinary dataset paths', () => {
    for (const ok of ['a.bin', 'run 7/images/0001.tif', 'ü/ñ/データ.h5', '.hidden/file', 'a..b/c']) {
      expect(relativePathProblem(ok)).toBeUndefined();
    }
  });

  test.each([
    ['', 'must be a non-empty string'],
    ['../x', 'contains a ".." segment'],
    ['a/../../b', 'contains a ".." segment'],
    ['./a', 'contains a "." segment'],
    ['/etc/passwd', 'must be relative, not absolute'],
    ['C:/Windows', 'must not start with a drive letter'],
    ['a\\..\\b', 'contains a backslash (use "/" as the separator)'],
    ['a\0b', 'contains a NUL byte'],
    ['a//b', 'contains an empty segment ("//" or a leading/trailing "/")'],
    ['a/', 'contains an empty segment ("//" or a leading/trailing "/")'],
  ])('refuses %j (%s), for every destination and in the receiver alike', (bad, problem) => {
    expect(relativePathProblem(bad)).toBe(problem);
    expect(storedPathProblem(bad, 'linux')).toBe(problem);
    expect(() => checkRelativePath(bad, 'upload(test)')).toThrow(/^upload\(test\): unsafe relative path/);
  });

  test('only the receiver tree bounds lengths and refuses control characters', () => {
    for (const name of ['line\nbreak.txt', 'tab\there', 'x'.repeat(256)]) {
      expect(relativePathProblem(name)).toBeUndefined();
      expect(storedPathProblem(name, 'linux')).toBeDefined();
    }
  });
});
