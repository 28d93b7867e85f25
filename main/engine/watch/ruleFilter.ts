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
  return patternFilter(rule, ownFolder(rule.path, dataDir));
}

/** Ferry's data folder below the watched one, as a path relative to it: never entered. */
const ownFolder = (root: string, dataDir?: string): string[] => (dataDir && dataDir !== root && isInside(root, dataDir) ? [toRel(root, dataDir)] : []);

function patternFilter(rule: Pick<WatchRule, 'include' | 'exclude' | 'mode' | 'markerFile'>, own: string[]): PathFilter {
  const marker = rule.mode === 'dataset' ? rule.markerFile : null;
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

/**
 * A dataset rule's patterns as its upload job keeps them (the rule may change or go before the job
 * runs): the job's scan takes the files the rule's own walk takes, however many there are.
 */
export interface DatasetFilter {
  /** The watched folder the patterns are relative to. */
  root: string;
  include: string[];
  exclude: string[];
  markerFile: string | null;
  /** Folders below the root never entered (Ferry's own data folder). */
  never: string[];
}

export function datasetFilter(rule: Pick<WatchRule, 'path' | 'include' | 'exclude' | 'markerFile'>, dataDir?: string): DatasetFilter {
  return { root: rule.path, include: [...rule.include], exclude: [...rule.exclude], markerFile: rule.markerFile, never: ownFolder(rule.path, dataDir) };
}

/**
 * Whether a dataset job's scan takes an entry, by the rule's patterns: a folder they exclude is not
 * entered; the marker file directly in the dataset folder only when an include pattern names it.
 */
export function datasetTaker(f: DatasetFilter): (path: string, isFolder: boolean) => boolean {
  const rule = { include: f.include, exclude: f.exclude, mode: 'dataset' as const, markerFile: f.markerFile };
  const filter = patternFilter(rule, f.never);
  const markerSent = markerSender(rule);
  return (path, isFolder) => {
    const rel = toRel(f.root, path);
    if (isFolder) return !filter.skipsDir(rel);
    if (f.markerFile !== null && rel.slice(rel.indexOf('/') + 1) === f.markerFile && rel.indexOf('/') > 0) return markerSent(rel);
    return filter.takesFile(rel);
  };
}
