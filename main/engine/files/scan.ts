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
}

const toPosix = (p: string) => p.split(sep).join('/');
/** Folder entries stat'ed at once. */
const STAT_WINDOW = 64;

/**
 * Walks files and folders into a flat, sorted list. Symlinks are not followed unless asked; when
 * followed, a folder already on the current path (by device and inode) is a loop and is skipped.
 */
export async function scanPaths(paths: string[], options: ScanOptions = {}): Promise<ScanResult & { truncated: boolean }> {
  const files: ScannedFile[] = [];
  const skipped: ScanResult['skipped'] = [];
  let bytes = 0;
  let truncated = false;
  const max = options.maxFiles ?? Number.POSITIVE_INFINITY;

  const visit = async (abs: string, base: string, ancestors: Set<string>, seen?: Stats | NodeJS.ErrnoException): Promise<void> => {
    if (options.signal?.aborted) throw new FerryError('CANCELED', 'scan canceled');
    if (files.length >= max) {
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
      files.push({ path: abs, relativePath: toPosix(relative(base, abs)), size: info.size, mtimeMs: Math.trunc(info.mtimeMs) });
      bytes += info.size;
      if (files.length % 1000 === 0) options.onProgress?.(files.length, bytes);
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
    const names: string[] = [];
    for await (const entry of dir) {
      if (!options.includeHidden && entry.name.startsWith('.')) continue;
      names.push(entry.name);
    }
    names.sort();
    const next = new Set(ancestors).add(id);
    // The entries are stat'ed several at a time (one at a time, a folder of 10 000 small files
    // spends most of its scan waiting), then visited in order.
    for (let at = 0; at < names.length; at += STAT_WINDOW) {
      const window = names.slice(at, at + STAT_WINDOW).map((name) => join(abs, name));
      const infos = await Promise.all(window.map((p) => lstat(p).catch((err: NodeJS.ErrnoException) => err)));
      for (let i = 0; i < window.length; i++) await visit(window[i]!, base, next, infos[i]);
    }
  };

  for (const raw of paths) {
    const abs = localPath('scan', raw);
    const info = await lstat(abs).catch(() => undefined);
    if (!info) throw new FerryError('NOT_FOUND', `scan: ${abs} does not exist`);
    const datasetIsThisFolder = paths.length === 1 && info.isDirectory();
    await visit(abs, options.base ?? (datasetIsThisFolder ? abs : join(abs, '..')), new Set());
  }
  files.sort((a, b) => (a.relativePath < b.relativePath ? -1 : a.relativePath > b.relativePath ? 1 : 0));
  for (let i = 1; i < files.length; i++) {
    if (files[i]!.relativePath === files[i - 1]!.relativePath) {
      throw new FerryError('CONFLICT', `scan: two dropped items would both land at ${files[i]!.relativePath} (${files[i - 1]!.path} and ${files[i]!.path})`);
    }
  }
  options.onProgress?.(files.length, bytes);
  return { files, bytes, skipped, truncated };
}

/** A dataset name from what was dropped: the folder's name, or the first file's. */
export function datasetNameFor(paths: string[]): string {
  const first = paths[0];
  if (!first) return 'Dataset';
  const name = basename(first);
  return paths.length === 1 ? name : `${name} and ${paths.length - 1} more`;
}
