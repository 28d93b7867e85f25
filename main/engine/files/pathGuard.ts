import { isAbsolute, normalize } from 'node:path';
import { invalidInput } from '../../../shared/errors';

/**
 * The one validator for local paths that come from clients: absolute, no NUL, normalized.
 * (Relative paths inside datasets are checked by the rule of shared/storedPath.ts.)
 */
export function localPath(op: string, input: string): string {
  if (typeof input !== 'string' || input.length === 0) throw invalidInput(`${op}: a path is required`);
  if (input.includes('\0')) throw invalidInput(`${op}: the path contains a NUL byte`);
  if (!isAbsolute(input)) throw invalidInput(`${op}: ${JSON.stringify(input)} is not an absolute path`);
  return normalize(input);
}
