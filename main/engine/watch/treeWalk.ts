/** Reading folders the way a rule sees them: filtered, without following symbolic links. */
import { lstat, readdir } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { sigOf, type FileIndex, type FileSig } from './fileIndex';
import type { PathFilter } from './glob';

export interface ListedFile {
  path: string;
  sig: FileSig;
}

/** Stats in flight per folder: enough to hide a network round trip, few enough to stay polite. */
const STAT_CONCURRENCY = 32;

/** A path under the watched folder as the filters see it: relative, '/'-separated. */
export function toRel(root: string, abs: string): string {
  const rel = relative(root, abs);
  return sep === '/' ? rel : rel.split(sep).join('/');
}

export const isInside = (root: string, abs: string): boolean => abs === root || abs.startsWith(root.endsWith(sep) ? root : root + sep);

/**
 * One folder: the files the filter takes, with size and time, and the subfolders it enters.
 * Entries that vanish between the listing and the stat are left out. Errors reading `dir` itself
 * are thrown.
 */
export async function listFolder(root: string, dir: string, filter: PathFilter): Promise<{ files: ListedFile[]; dirs: string[] }> {
  const entries = await readdir(dir, { withFileTypes: true });
  const dirs: string[] = [];
  const candidates: string[] = [];
  for (const e of entries) {
    const abs = join(dir, e.name);
    const rel = toRel(root, abs);
    if (e.isDirectory()) {
      if (!filter.skipsDir(rel)) dirs.push(abs);
    } else if (e.isFile() && filter.takesFile(rel)) {
      candidates.push(abs);
    }
  }
  const files: ListedFile[] = [];
  for (let i = 0; i < candidates.length; i += STAT_CONCURRENCY) {
    const stats = await Promise.all(candidates.slice(i, i + STAT_CONCURRENCY).map((p) => lstat(p).catch(() => undefined)));
    stats.forEach((st, k) => {
      if (st?.isFile()) files.push({ path: candidates[i + k]!, sig: sigOf(st) });
    });
  }
  return { files, dirs };
}

/** What a watcher reports about one folder's files. */
export interface ListingEvents {
  file(path: string, sig: FileSig): void;
  gone(path: string): void;
}

/** Brings the index up to date with one folder's listing and reports what is new, changed or gone. */
export function applyListing(index: FileIndex, dir: string, files: readonly ListedFile[], events: ListingEvents): void {
  const present = new Set<string>();
  for (const f of files) {
    present.add(f.path);
    if (index.set(f.path, f.sig)) events.file(f.path, f.sig);
  }
  for (const name of index.namesIn(dir)) {
    const path = join(dir, name);
    if (!present.has(path) && index.delete(path)) events.gone(path);
  }
}

/**
 * Visits folders breadth-first, a few at a time: `visit` answers the subfolders to visit next.
 * Errors visiting the first folder are thrown; a later folder's failure is the visitor's to handle.
 */
export async function forEachFolder(first: string, visit: (dir: string) => Promise<string[]>, options: { concurrency?: number; stopped?: () => boolean } = {}): Promise<void> {
  const queue = [...(await visit(first))];
  const concurrency = options.concurrency ?? 4;
  let active = 0;
  let failure: unknown;
  await new Promise<void>((resolve) => {
    const pump = (): void => {
      if (failure !== undefined || options.stopped?.()) queue.length = 0;
      while (active < concurrency && queue.length > 0) {
        const dir = queue.shift()!;
        active++;
        visit(dir)
          .then((more) => {
            queue.push(...more);
          })
          .catch((err: unknown) => {
            failure ??= err;
          })
          .finally(() => {
            active--;
            pump();
          });
      }
      if (active === 0 && queue.length === 0) resolve();
    };
    pump();
  });
  if (failure !== undefined) throw failure;
}

export interface WalkOptions {
  /** The folder to start from, inside `root` (default: `root`); paths stay relative to `root`. */
  from?: string;
  /** Folders read at once. */
  concurrency?: number;
  /** Checked between folders: a walk stops early once it is true. */
  stopped?: () => boolean;
}

/**
 * Walks a tree, calling `onFile` for every file taken, a few folders at a time. Only the first
 * folder must be readable: a subfolder that vanishes or cannot be read is passed over (the next
 * walk or event sees it again).
 */
export async function walkTree(root: string, filter: PathFilter, onFile: (file: ListedFile) => void, options: WalkOptions = {}): Promise<void> {
  const start = options.from ?? root;
  await forEachFolder(
    start,
    async (dir) => {
      let listed;
      try {
        listed = await listFolder(root, dir, filter);
      } catch (err) {
        if (dir === start) throw err;
        return [];
      }
      for (const f of listed.files) onFile(f);
      return listed.dirs;
    },
    options,
  );
}
