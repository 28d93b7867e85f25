import type { Stats } from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { conflict } from '../../shared/errors';
import { sha256File } from '../util/sha256File';

/** Where a verified file ended up. */
export interface Placement {
  /** Path relative to the storage dir, "/"-separated (may carry a ` (n)` suffix). */
  storedAs: string;
  /** True when an identical file was already there, so this copy was dropped. */
  duplicate: boolean;
}

export interface PlaceRequest {
  /** The verified data file (inside the storage dir, so a rename is atomic). */
  source: string;
  storageDir: string;
  /** Validated path segments under the storage dir (see uploadMetadata.filingTarget). */
  segments: string[];
  sha256: string;
  size: number;
}

async function lstatOrUndefined(file: string): Promise<Stats | undefined> {
  return fsp.lstat(file).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined;
    throw err;
  });
}

/**
 * Finds or makes each folder of `dirSegments` below the storage dir, one level at a time, and
 * refuses a symbolic link at any level: a link inside the tree (made by anyone, pointing anywhere)
 * would file the upload outside the storage folder. Checked on every filing, not cached, so a link
 * put in place after a first upload is caught too. A regular file in the way fails its mkdir (IO).
 */
async function realFolder(storageDir: string, dirSegments: string[]): Promise<string> {
  let dir = storageDir;
  for (const [i, segment] of dirSegments.entries()) {
    dir = path.join(dir, segment);
    let stat = await lstatOrUndefined(dir);
    if (!stat) {
      // EEXIST: another filing made it meanwhile; what it is gets checked below all the same.
      await fsp.mkdir(dir).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'EEXIST') throw err;
      });
      stat = await fsp.lstat(dir);
    }
    if (stat.isSymbolicLink()) {
      throw conflict(`file upload: ${dirSegments.slice(0, i + 1).join('/')} is a symbolic link in the storage folder; files are filed into real folders only`);
    }
    // Not a folder: the mkdir fails with EEXIST naming the path, as any mkdir over a file does.
    if (!stat.isDirectory()) await fsp.mkdir(dir);
  }
  return dir;
}

/** Suffixes tried before giving up; far beyond any real re-upload pattern. */
const MAX_SUFFIX = 9999;

/**
 * Per-directory serialisation: the "is the name free? then rename" step must not interleave with
 * another upload filing into the same directory, or both would pick the same free name and the
 * second rename would silently replace the first file.
 */
const directoryQueues = new Map<string, Promise<unknown>>();

function inDirectoryQueue<T>(dir: string, task: () => Promise<T>): Promise<T> {
  const previous = directoryQueues.get(dir) ?? Promise.resolve();
  const run = previous.then(task, task);
  const tail = run.catch(() => undefined);
  directoryQueues.set(dir, tail);
  void tail.then(() => {
    if (directoryQueues.get(dir) === tail) directoryQueues.delete(dir);
  });
  return run;
}

/** `img 001.tif` → `img 001 (2).tif`; a leading-dot name such as `.env` counts as having no extension. */
function candidateName(base: string, n: number): string {
  if (n === 0) return base;
  const ext = path.extname(base);
  return `${base.slice(0, base.length - ext.length)} (${n})${ext}`;
}

async function sameContent(file: string, stat: Stats, size: number, sha256: string): Promise<boolean> {
  // Size first: hashing an existing multi-GB file is only worth it when it could be identical.
  return stat.isFile() && stat.size === size && (await sha256File(file)) === sha256;
}

/**
 * Moves a verified file into the final tree with one rename, so the tree never holds a partial
 * file. A name already taken by identical content drops the new copy; taken by different content,
 * the new file gets the first free ` (n)` suffix. A symbolic link on the way is refused (CONFLICT);
 * file system errors are thrown as they are.
 */
export async function placeFile(req: PlaceRequest): Promise<Placement> {
  const dirSegments = req.segments.slice(0, -1);
  const base = req.segments[req.segments.length - 1];
  if (base === undefined) throw new Error('placeFile: empty target path');
  const dir = path.join(req.storageDir, ...dirSegments);

  return inDirectoryQueue(dir, async () => {
    // Inside the queue, right before the rename: the check is as close to the move as it can be.
    await realFolder(req.storageDir, dirSegments);
    for (let n = 0; n <= MAX_SUFFIX; n++) {
      const name = candidateName(base, n);
      const target = path.join(dir, name);
      const storedAs = [...dirSegments, name].join('/');
      const existing = await lstatOrUndefined(target);
      if (!existing) {
        await fsp.rename(req.source, target);
        return { storedAs, duplicate: false };
      }
      if (await sameContent(target, existing, req.size, req.sha256)) {
        await fsp.rm(req.source, { force: true });
        return { storedAs, duplicate: true };
      }
    }
    throw conflict(`file upload: no free name for ${req.segments.join('/')} after ${MAX_SUFFIX} suffixes`);
  });
}
