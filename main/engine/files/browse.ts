import { opendir, readdir, stat } from 'node:fs/promises';
import { homedir, platform } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { FerryError, notFound } from '../../../shared/errors';
import type { DirectoryEntry, DirectoryListing, FolderSummary, Place } from '../../../shared/files';
import { localPath } from './pathGuard';

const SUMMARY_FILE_CAP = 200_000;

/** The places the browser starts from: home, and mounted volumes where the OS keeps them. */
export async function listPlaces(): Promise<Place[]> {
  const places: Place[] = [{ name: 'Home', path: homedir(), kind: 'home' }];
  const roots = platform() === 'darwin' ? ['/Volumes'] : platform() === 'win32' ? [] : ['/media', '/mnt', `/run/media/${process.env.USER ?? ''}`];
  for (const root of roots) {
    const names = await readdir(root).catch(() => [] as string[]);
    for (const name of names) {
      const path = join(root, name);
      const info = await stat(path).catch(() => undefined);
      if (!info?.isDirectory()) continue;
      // /media/<user>/<volume> on some Linux desktops: list the volumes inside.
      if (root === '/media' && name === process.env.USER) {
        for (const vol of await readdir(path).catch(() => [] as string[])) places.push({ name: vol, path: join(path, vol), kind: 'volume' });
      } else places.push({ name, path, kind: 'volume' });
    }
  }
  if (platform() === 'win32') {
    for (const letter of 'CDEFGHIJKLMNOPQRSTUVWXYZ') {
      const path = `${letter}:\\`;
      if (await stat(path).then(() => true, () => false)) places.push({ name: `${letter}:`, path, kind: 'volume' });
    }
  } else places.push({ name: 'Computer', path: '/', kind: 'root' });
  return places;
}

/** One folder's entries, folders first; sizes of files only (folder sizes come lazily). */
export async function browseDirectory(rawPath: string, showHidden: boolean): Promise<DirectoryListing> {
  const path = localPath('listDirectory', rawPath);
  const info = await stat(path).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') throw notFound(`listDirectory: ${path} does not exist`);
    throw new FerryError('IO', `listDirectory: cannot read ${path} (${err.code})`);
  });
  if (!info.isDirectory()) throw new FerryError('INVALID_INPUT', `listDirectory: ${path} is not a folder`);
  const entries: DirectoryEntry[] = [];
  let dir;
  try {
    dir = await opendir(path);
  } catch (err) {
    throw new FerryError('IO', `listDirectory: cannot open ${path} (${(err as NodeJS.ErrnoException).code})`);
  }
  for await (const d of dir) {
    const hidden = d.name.startsWith('.');
    if (hidden && !showHidden) continue;
    const full = join(path, d.name);
    const s = await stat(full).catch(() => undefined);
    entries.push({
      name: d.name,
      path: full,
      kind: d.isSymbolicLink() ? 'link' : s?.isDirectory() ? 'folder' : s?.isFile() ? 'file' : 'other',
      size: s?.isFile() ? s.size : null,
      mtimeMs: s ? Math.trunc(s.mtimeMs) : null,
      hidden,
      readable: s !== undefined,
    });
  }
  entries.sort((a, b) => (a.kind === 'folder') === (b.kind === 'folder') ? a.name.localeCompare(b.name) : a.kind === 'folder' ? -1 : 1);
  const parent = dirname(path);
  return { path, name: basename(path) || path, parent: parent === path ? null : parent, entries };
}

/** Files and bytes under a folder, counted lazily for the browser; capped for huge trees. */
export async function summarizeFolder(rawPath: string, signal?: AbortSignal): Promise<FolderSummary> {
  const root = localPath('summarizeFolder', rawPath);
  let files = 0;
  let bytes = 0;
  let truncated = false;
  const stack = [root];
  while (stack.length) {
    if (signal?.aborted) break;
    if (files >= SUMMARY_FILE_CAP) {
      truncated = true;
      break;
    }
    const dir = stack.pop()!;
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const e of entries) {
      if (e.isDirectory()) stack.push(join(dir, e.name));
      else if (e.isFile()) {
        files++;
        const s = await stat(join(dir, e.name)).catch(() => undefined);
        bytes += s?.size ?? 0;
      }
    }
  }
  return { path: root, files, bytes, truncated };
}
