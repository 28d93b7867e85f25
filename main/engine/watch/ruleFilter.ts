/** The one place a rule's patterns become a filter, so watcher, walks and ledger agree. */
import type { WatchRule } from '../../../shared/watch';
import { PathFilter } from './glob';
import { isInside, toRel } from './treeWalk';

/**
 * A rule's filter. The marker file (directly inside a top-level folder) is always taken, since a
 * '.done' marker would otherwise fall to the default exclude of hidden files; Ferry's own data
 * folder, when it lies inside the watched one, is never entered: its database and logs change all
 * the time and would be uploaded forever.
 */
export function filterFor(rule: Pick<WatchRule, 'path' | 'include' | 'exclude' | 'mode' | 'markerFile'>, dataDir?: string): PathFilter {
  const marker = rule.mode === 'dataset' ? rule.markerFile : null;
  const own = dataDir && dataDir !== rule.path && isInside(rule.path, dataDir) ? [toRel(rule.path, dataDir)] : [];
  return new PathFilter(rule.include, rule.exclude, {
    never: own,
    ...(marker
      ? {
          always: (rel: string) => {
            const slash = rel.indexOf('/');
            return slash > 0 && rel.slice(slash + 1) === marker;
          },
        }
      : {}),
  });
}
