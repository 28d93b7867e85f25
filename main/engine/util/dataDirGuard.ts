import { realpathSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, isAbsolute } from 'node:path';

/**
 * Ferry's own data directory (database, secrets, logs, local-config.json, which allows command
 * jobs) is never a place a job writes to: a download or an upload landing there could grant what
 * only the user may grant. Links are followed, so a symlinked folder does not get round it.
 */
export function dataDirProblem(dataDir: string, target: string): string | undefined {
  const inside = (root: string, path: string) => {
    const rel = relative(root, path);
    return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
  };
  const root = real(resolve(dataDir));
  return inside(root, real(resolve(target))) ? `${target} is inside Ferry's data directory (${dataDir}), where jobs never write` : undefined;
}

/** The real path of `path`, or of its nearest existing ancestor with the rest appended. */
function real(path: string): string {
  try {
    return realpathSync.native(path);
  } catch {
    const parent = dirname(path);
    return parent === path ? path : join(real(parent), basename(path));
  }
}
