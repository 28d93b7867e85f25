import { invalidInput } from '../../shared/errors';
import { storedPathProblem } from '../../shared/storedPath';

/**
 * The one validator for client-supplied paths (dataset names, relative paths); the rule itself is
 * shared/storedPath.ts, so clients can tell in advance which names the receiver refuses.
 */

export interface SafePathOptions {
  /** Platform whose naming rules apply (defaults to the running one); a parameter so tests can pin it. */
  platform?: NodeJS.Platform;
}

/**
 * Checks a client-supplied relative POSIX path (`run1/img 001.tif`) and returns its segments.
 * Throws FerryError('INVALID_INPUT') naming `what` and the reason.
 */
export function safeRelativePath(value: unknown, what: string, opts: SafePathOptions = {}): string[] {
  const problem = storedPathProblem(value, opts.platform ?? process.platform);
  if (problem) throw invalidInput(`${what}: ${problem}`, { value: typeof value === 'string' ? value : String(value) });
  return (value as string).split('/');
}
