/** The one place a rule's patterns become a filter, so watcher, walks and ledger agree. */
import type { WatchRule } from '../../../shared/watch';
import { globToRegExp, PathFilter, PLATFORM_NOCASE } from './glob';
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

/**
 * Whether a dataset job sends its marker file (`rel`: the marker's path below the watched folder).
 * The marker is a signal, not data, so it stays behind unless an include pattern names it: the
 * pattern's last segment is the marker's name as written (e.g. `RTAComplete.txt`) and the pattern
 * matches. A wildcard that merely happens to match it, as the default include does, does not
 * count. Excludes do not apply to it, as they do not to the signal.
 */
export function markerSender(rule: Pick<WatchRule, 'include' | 'mode' | 'markerFile'>): (rel: string) => boolean {
  const marker = rule.mode === 'dataset' ? rule.markerFile : null;
  if (!marker) return () => false;
  const same = (a: string, b: string) => (PLATFORM_NOCASE ? a.toLowerCase() === b.toLowerCase() : a === b);
  const naming = rule.include
    .filter((pattern) => same(pattern.trim().replace(/\/+$/, '').split('/').at(-1) ?? '', marker))
    .map((pattern) => globToRegExp(pattern, { nocase: PLATFORM_NOCASE }));
  return (rel) => naming.some((re) => re.test(rel));
}
