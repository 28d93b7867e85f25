/** Checks a rule before it is stored: a real folder, patterns that compile, a known destination. */
import { realpath, stat } from 'node:fs/promises';
import { conflict, FerryError, notFound, invalidInput } from '../../../shared/errors';
import type { WatchRuleConfig } from '../../../shared/watch';
import { localPath } from '../files/pathGuard';
import { PathFilter } from './glob';
import { checkTemplate } from './nameTemplate';
import { isInside } from './treeWalk';

export interface ValidationDeps {
  /** Answers the destination's id, or throws NOT_FOUND. */
  resolveDestination: (id: string | undefined) => string;
  dataDir: string;
}

/** Answers the rule with its folder resolved (symbolic links followed), or throws a typed error. */
export async function validateRule(input: WatchRuleConfig, deps: ValidationDeps): Promise<WatchRuleConfig> {
  const given = localPath('saveWatchRule', input.path);
  let path: string;
  try {
    path = await realpath(given);
    const st = await stat(path);
    if (!st.isDirectory()) throw invalidInput(`saveWatchRule: ${given} is a file, not a folder`, { path: given });
  } catch (err) {
    if (err instanceof FerryError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw notFound(`saveWatchRule: ${given} does not exist`, { path: given });
    throw new FerryError('IO', `saveWatchRule: cannot read ${given}: ${(err as Error).message}`, { path: given, errno: code });
  }
  const dataDir = await realpath(deps.dataDir).catch(() => deps.dataDir);
  if (isInside(dataDir, path)) {
    throw conflict(`saveWatchRule: ${given} is inside Ferry's data folder (${dataDir}); what Ferry writes there would be uploaded again`, { path: given });
  }
  try {
    new PathFilter(input.include, input.exclude);
  } catch (err) {
    throw invalidInput(`saveWatchRule: ${(err as Error).message}`);
  }
  checkTemplate(input.metadata.nameTemplate, 'the name template');
  checkTemplate(input.metadata.folder, 'the folder');
  checkTemplate(input.metadata.description, 'the description');
  if (input.destinationId !== null) deps.resolveDestination(input.destinationId);
  return { ...input, path };
}
