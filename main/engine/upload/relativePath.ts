import { invalidInput } from '../../../shared/errors';

/**
 * Why a dataset-relative path is unsafe, or undefined when it is fine. The rule is strict because
 * the same path becomes a file under a destination folder, an S3 key and tus metadata that a
 * receiver may write to disk: '/'-separated segments, none empty, '.' or '..', no NUL, no
 * backslash (a separator on Windows, a name character elsewhere), not absolute, no drive letter.
 */
export function relativePathProblem(path: string): string | undefined {
  if (typeof path !== 'string' || path.length === 0) return 'empty';
  if (path.includes('\0')) return 'contains NUL';
  if (path.includes('\\')) return 'contains a backslash';
  if (path.startsWith('/')) return 'absolute';
  if (/^[A-Za-z]:/.test(path)) return 'has a drive letter';
  for (const segment of path.split('/')) {
    if (segment === '') return 'has an empty segment';
    if (segment === '.' || segment === '..') return `has a '${segment}' segment`;
  }
  return undefined;
}

/** Returns `path` when safe, else throws INVALID_INPUT naming the operation and the path. */
export function checkRelativePath(path: string, op: string): string {
  const problem = relativePathProblem(path);
  if (problem) throw invalidInput(`${op}: unsafe relative path ${JSON.stringify(path)}: ${problem}`);
  return path;
}
