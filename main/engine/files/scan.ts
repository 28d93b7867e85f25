import type { Stats } from 'node:fs';
import { lstat, opendir, realpath, stat } from 'node:fs/promises';
import { basename, join, relative, sep } from 'node:path';
import { FerryError } from '../../../shared/errors';
import { localPath } from './pathGuard';

/** One file of a dataset as found on disk. */
export interface ScannedFile {
  /** Absolute path on disk. */
  path: string;
  /**
   * Path inside the dataset, with '/' separators. One dropped folder is the dataset itself, so its
   * name is not repeated; several dropped items each keep their own name at the top.
   */
  relativePath: string;
  size: number;
  mtimeMs: number;
}

export interface ScanResult {
  files: ScannedFile[];
  bytes: number;
  /** Entries passed over and why (symlinks not followed, loops, unreadable folders, specials). */
  skipped: { path: string; reason: string }[];
}

export interface ScanOptions {
  /** Relative paths are taken from this folder; default: a single folder itself, else each item's parent. */
  base?: string;
  followSymlinks?: boolean;
  includeHidden?: boolean;
  signal?: AbortSignal;
  /** Stop after this many files (a preview of a huge tree); `truncated` tells. */
  maxFiles?: number;
  onProgress?: (files: number, bytes: number) => void;
  /**
   * Which entries below the dropped items are taken (a watch rule's patterns): a folder refused is
   * not entered, a file refused is left out. Hidden entries are then the predicate's to decide.
   */
  take?: (path: string, isFolder: boolean) => boolean;
}

/** What a scan handed over in batches amounts to. */
export interface ScanSummary {
  files: number;
  bytes: number;
  skipped: ScanResult['skipped'];
  truncated: boolean;
}

const toPosix = (p: string) => p.split(sep).join('/');
/** Folder entries stat'ed at once. */
const STAT_WINDOW = 64;
/** Files handed over at once by scanInBatches. */
const SCAN_BATCH = 2000;

/**
 * The order a folder's entries are visited in: by name, a folder's name read as `name/`. Visiting
 * in this order hands files over sorted by their relative paths (`a-c` before `a/b`, as a sort of
 * the whole list puts them), so a tree of any size is sorted without being held.
 */
const entryKey = (name: string, isFolder: boolean) => (isFolder ? `${name}/` : name);
const byKey = (a: { key: string }, b: { key: string }) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

/**
 * Walks files and folders into a flat, sorted list. Symlinks are not followed unless asked; when
 * followed, a folder already on the current path (by device and inode) is a loop and is skipped.
 */
export async function scanPaths(paths: string[], options: ScanOptions = {}): Promise<ScanResult & { truncated: boolean }> {
  const files: ScannedFile[] = [];
  const summary = await scanInBatches(paths, options, (batch) => {
    for (const f of batch) files.push(f);
  });
  return { files, bytes: summary.bytes, skipped: summary.skipped, truncated: summary.truncated };
}

/**
 * Walks as scanPaths does, handing the files over in their sorted order, a batch at a time, and
 * waiting for each batch to be taken before reading on: memory stays flat whatever the tree holds.
 * Dropped items whose places overlap (two named alike, one inside another) are gathered and sorted
 * whole instead, as they must be to find two files landing at the same place.
 */
export async function scanInBatches(paths: string[], options: ScanOptions, onBatch: (files: ScannedFile[]) => void | Promise<void>): Promise<ScanSummary> {
  const skipped: ScanResult['skipped'] = [];
  let count = 0;
  let bytes = 0;
  let truncated = false;
  const max = options.maxFiles ?? Number.POSITIVE_INFINITY;
  let pending: ScannedFile[] = [];
  let last: ScannedFile | undefined;
  let gathered: ScannedFile[] | undefined;

  const emit = async (file: ScannedFile): Promise<void> => {
    if (gathered) {
      gathered.push(file);
      return;
    }
    if (last && last.relativePath === file.relativePath) throw collision(last, file);
    last = file;
    pending.push(file);
    if (pending.length >= SCAN_BATCH) await flush();
  };
  const flush = async (): Promise<void> => {
    if (pending.length === 0) return;
    const batch = pending;
    pending = [];
    await onBatch(batch);
  };

  const visit = async (abs: string, base: string, ancestors: Set<string>, seen?: Stats | NodeJS.ErrnoException): Promise<void> => {
    if (options.signal?.aborted) throw new FerryError('CANCELED', 'scan canceled');
    if (count >= max) {
      truncated = true;
      return;
    }
    const got = seen ?? (await lstat(abs).catch((err: NodeJS.ErrnoException) => err));
    if (got instanceof Error) {
      skipped.push({ path: abs, reason: got.code === 'ENOENT' ? 'vanished' : `unreadable (${got.code})` });
      return;
    }
    let info: Stats | undefined = got;
    if (info.isSymbolicLink()) {
      if (!options.followSymlinks) {
        skipped.push({ path: abs, reason: 'symbolic link (not followed)' });
        return;
      }
      info = await stat(abs).catch(() => undefined);
      if (!info) {
        skipped.push({ path: abs, reason: 'broken symbolic link' });
        return;
      }
    }
    if (info.isFile()) {
      count++;
      bytes += info.size;
      await emit({ path: abs, relativePath: toPosix(relative(base, abs)), size: info.size, mtimeMs: Math.trunc(info.mtimeMs) });
      if (count % 1000 === 0) options.onProgress?.(count, bytes);
      return;
    }
    if (!info.isDirectory()) {
      skipped.push({ path: abs, reason: 'not a regular file' });
      return;
    }
    const id = `${info.dev}:${info.ino}`;
    if (ancestors.has(id)) {
      skipped.push({ path: abs, reason: `loop back to ${await realpath(abs).catch(() => abs)}` });
      return;
    }
    let dir;
    try {
      dir = await opendir(abs);
    } catch (err) {
      skipped.push({ path: abs, reason: `unreadable folder (${(err as NodeJS.ErrnoException).code})` });
      return;
    }
    const entries: { name: string; key: string }[] = [];
    for await (const entry of dir) {
      if (options.take) {
        // A symbolic link is a file here; followed to a folder, its files come in its name's place.
        if (!options.take(join(abs, entry.name), entry.isDirectory())) continue;
      } else if (!options.includeHidden && entry.name.startsWith('.')) continue;
      entries.push({ name: entry.name, key: entryKey(entry.name, entry.isDirectory()) });
    }
    entries.sort(byKey);
    const next = new Set(ancestors).add(id);
    // The entries are stat'ed several at a time (one at a time, a folder of 10 000 small files
    // spends most of its scan waiting), then visited in order.
    for (let at = 0; at < entries.length; at += STAT_WINDOW) {
      const window = entries.slice(at, at + STAT_WINDOW).map((e) => join(abs, e.name));
      const infos = await Promise.all(window.map((p) => lstat(p).catch((err: NodeJS.ErrnoException) => err)));
      for (let i = 0; i < window.length; i++) await visit(window[i]!, base, next, infos[i]);
    }
  };

  const tops: { abs: string; base: string; key: string }[] = [];
  for (const raw of paths) {
    const abs = localPath('scan', raw);
    const info = await lstat(abs).catch(() => undefined);
    if (!info) throw new FerryError('NOT_FOUND', `scan: ${abs} does not exist`);
    const datasetIsThisFolder = paths.length === 1 && info.isDirectory();
    const base = options.base ?? (datasetIsThisFolder ? abs : join(abs, '..'));
    tops.push({ abs, base, key: entryKey(toPosix(relative(base, abs)), info.isDirectory()) });
  }
  tops.sort(byKey);
  for (let i = 1; i < tops.length; i++) {
    const prev = tops[i - 1]!.key;
    if (tops[i]!.key === prev || (prev.endsWith('/') && tops[i]!.key.startsWith(prev))) gathered = [];
  }
  for (const top of tops) await visit(top.abs, top.base, new Set());
  if (gathered) {
    gathered.sort((a, b) => (a.relativePath < b.relativePath ? -1 : a.relativePath > b.relativePath ? 1 : 0));
    const all = gathered;
    gathered = undefined;
    for (const f of all) await emit(f);
  }
  await flush();
  options.onProgress?.(count, bytes);
  return { files: count, bytes, skipped, truncated };
}

function collision(a: ScannedFile, b: ScannedFile): FerryError {
  return new FerryError('CONFLICT', `scan: two dropped items would both land at ${b.relativePath} (${a.path} and ${b.path})`);
}

/** A dataset name from what was dropped: the folder's name, or the first file's. */
export function datasetNameFor(paths: string[]): string {
  const first = paths[0];
  if (!first) return 'Dataset';
  const name = basename(first);
  return paths.length === 1 ? name : `${name} and ${paths.length - 1} more`;
}
