import { invalidInput } from '../../shared/errors';

/**
 * The one validator for client-supplied paths (dataset names, relative paths). A client names
 * where its file lands inside the storage tree, so anything that could climb out of it, alias
 * another file, or mean something else on another OS is refused rather than "cleaned up":
 * silently rewriting a name would file data somewhere the sender did not ask for.
 */

/** Longest accepted path, in UTF-8 bytes; beyond this most file systems fail anyway. */
const MAX_PATH_BYTES = 4096;
/** Longest accepted path segment, in UTF-8 bytes (NAME_MAX on Linux and macOS). */
const MAX_SEGMENT_BYTES = 255;
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;
const DRIVE_PREFIX = /^[A-Za-z]:/;
/** Characters Windows refuses in names; checked only there so POSIX names like `12:30.tif` stay valid. */
const WINDOWS_FORBIDDEN = /[<>:"|?*]/;
const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$/i;

export interface SafePathOptions {
  /** Platform whose naming rules apply (defaults to the running one); a parameter so tests can pin it. */
  platform?: NodeJS.Platform;
}

/**
 * Checks a client-supplied relative POSIX path (`run1/img 001.tif`) and returns its segments.
 * Throws FerryError('INVALID_INPUT') naming `what` and the reason.
 */
export function safeRelativePath(value: unknown, what: string, opts: SafePathOptions = {}): string[] {
  const platform = opts.platform ?? process.platform;
  const fail = (reason: string): never => {
    throw invalidInput(`${what}: ${reason}`, { value: typeof value === 'string' ? value : String(value) });
  };
  if (typeof value !== 'string' || value.length === 0) return fail('must be a non-empty string');
  if (Buffer.byteLength(value, 'utf8') > MAX_PATH_BYTES) return fail(`longer than ${MAX_PATH_BYTES} bytes`);
  if (value.includes('\0')) return fail('contains a NUL byte');
  if (CONTROL_CHARS.test(value)) return fail('contains a control character');
  // A backslash is a separator on Windows, so `a\..\..\b` would climb out there: refuse it everywhere.
  if (value.includes('\\')) return fail('contains a backslash (use "/" as the separator)');
  if (value.startsWith('/')) return fail('must be relative, not absolute');
  if (DRIVE_PREFIX.test(value)) return fail('must not start with a drive letter');

  const segments = value.split('/');
  for (const segment of segments) {
    if (segment === '') return fail('contains an empty segment ("//" or a leading/trailing "/")');
    if (segment === '.' || segment === '..') return fail(`contains a "${segment}" segment`);
    if (Buffer.byteLength(segment, 'utf8') > MAX_SEGMENT_BYTES) {
      return fail(`has a segment longer than ${MAX_SEGMENT_BYTES} bytes`);
    }
    if (platform === 'win32') {
      if (WINDOWS_FORBIDDEN.test(segment)) return fail(`segment "${segment}" has a character Windows forbids`);
      if (WINDOWS_RESERVED.test(segment)) return fail(`segment "${segment}" is a reserved Windows device name`);
      if (/[. ]$/.test(segment)) return fail(`segment "${segment}" ends with a dot or space`);
    }
  }
  return segments;
}
