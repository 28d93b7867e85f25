/**
 * The one rule for a relative path that names where a file goes at a destination, and the stricter
 * form of it for the built-in receiver's tree: anything that could climb out, alias another file or
 * mean something else on another OS is refused, never "cleaned up". Pure, so the engine checks it
 * before sending, the receiver enforces it, and a client can tell in advance which names are refused.
 */
import { invalidInput } from './errors';

/** Longest accepted path, in UTF-8 bytes; beyond this most file systems fail anyway. */
const MAX_PATH_BYTES = 4096;
/** Longest accepted path segment, in UTF-8 bytes (NAME_MAX on Linux and macOS). */
const MAX_SEGMENT_BYTES = 255;
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;
const DRIVE_PREFIX = /^[A-Za-z]:/;
/** Characters Windows refuses in names; checked only there so POSIX names like `12:30.tif` stay valid. */
const WINDOWS_FORBIDDEN = /[<>:"|?*]/;
const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$/i;

const utf8Bytes = (s: string): number => new TextEncoder().encode(s).length;

/** Where the built-in receiver keeps partial uploads, under its storage directory. */
export const INCOMING_DIR = '.incoming';

/**
 * Why `name`, the first segment of a stored path (a dataset's folder), is reserved, or undefined.
 * Any letter case is refused: on a case-insensitive file system `.INCOMING` is the same folder.
 * Compared upper-cased too, as NTFS compares names: there `.ıncoming` (dotless i) is that folder.
 */
export function reservedNameProblem(name: string): string | undefined {
  const same = name.toLowerCase() === INCOMING_DIR || name.toUpperCase() === INCOMING_DIR.toUpperCase();
  return same ? 'is reserved for partial uploads' : undefined;
}

/**
 * Why `value` is not a safe dataset-relative path, or undefined: the one rule for every
 * destination, since the same path becomes a file under a destination folder, an S3 key and tus
 * metadata that a receiver may write to disk. '/'-separated segments, none empty, '.' or '..', no
 * NUL, no backslash (a separator on Windows, a name character elsewhere), not absolute, no drive
 * letter. `stored` adds what a file stored in the built-in receiver's tree must also meet: bounded
 * lengths, no control characters, and on win32 the names Windows refuses.
 */
export function relativePathProblem(value: unknown, stored?: { platform: string }): string | undefined {
  if (typeof value !== 'string' || value.length === 0) return 'must be a non-empty string';
  if (stored && utf8Bytes(value) > MAX_PATH_BYTES) return `longer than ${MAX_PATH_BYTES} bytes`;
  if (value.includes('\0')) return 'contains a NUL byte';
  if (stored && CONTROL_CHARS.test(value)) return 'contains a control character (a line break or tab)';
  // A backslash is a separator on Windows, so `a\..\..\b` would climb out there: refuse it everywhere.
  if (value.includes('\\')) return 'contains a backslash (use "/" as the separator)';
  if (value.startsWith('/')) return 'must be relative, not absolute';
  if (DRIVE_PREFIX.test(value)) return 'must not start with a drive letter';
  for (const segment of value.split('/')) {
    if (segment === '') return 'contains an empty segment ("//" or a leading/trailing "/")';
    if (segment === '.' || segment === '..') return `contains a "${segment}" segment`;
    if (!stored) continue;
    if (utf8Bytes(segment) > MAX_SEGMENT_BYTES) return `has a segment longer than ${MAX_SEGMENT_BYTES} bytes`;
    if (stored.platform === 'win32') {
      if (WINDOWS_FORBIDDEN.test(segment)) return `segment "${segment}" has a character Windows forbids`;
      if (WINDOWS_RESERVED.test(segment)) return `segment "${segment}" is a reserved Windows device name`;
      if (/[. ]$/.test(segment)) return `segment "${segment}" ends with a dot or space`;
    }
  }
  return undefined;
}

/** Why `value` cannot name a stored file in the built-in receiver's tree on `platform` (a Node platform name), or undefined. */
export function storedPathProblem(value: unknown, platform: string): string | undefined {
  return relativePathProblem(value, { platform });
}

/** Returns `path` when it is a safe relative path, else throws INVALID_INPUT naming the operation and the path. */
export function checkRelativePath(path: string, op: string): string {
  const problem = relativePathProblem(path);
  if (problem) throw invalidInput(`${op}: unsafe relative path ${JSON.stringify(path)}: ${problem}`);
  return path;
}
