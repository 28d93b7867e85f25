/**
 * What a watcher knows of the files under its folder: size and modification time per file, grouped
 * by folder so that a removed folder or a folder re-read after an event costs only its own entries.
 */
import type { Stats } from 'node:fs';
import { dirname, basename, sep } from 'node:path';

/** What decides "changed": size and whole-millisecond modification time (as the job items store it). */
export interface FileSig {
  size: number;
  mtimeMs: number;
}

export const sigOf = (st: Stats): FileSig => ({ size: st.size, mtimeMs: Math.trunc(st.mtimeMs) });
export const sameSig = (a: FileSig, b: FileSig): boolean => a.size === b.size && a.mtimeMs === b.mtimeMs;

export class FileIndex {
  private readonly dirs = new Map<string, Map<string, FileSig>>();
  private count = 0;

  get size(): number {
    return this.count;
  }

  get(path: string): FileSig | undefined {
    return this.dirs.get(dirname(path))?.get(basename(path));
  }

  /** Records a file; answers true when it is new or its size or time changed. */
  set(path: string, sig: FileSig): boolean {
    const dir = dirname(path);
    let names = this.dirs.get(dir);
    if (!names) {
      names = new Map();
      this.dirs.set(dir, names);
    }
    const name = basename(path);
    const before = names.get(name);
    if (before && sameSig(before, sig)) return false;
    if (!before) this.count++;
    names.set(name, sig);
    return true;
  }

  delete(path: string): boolean {
    const dir = dirname(path);
    const names = this.dirs.get(dir);
    if (!names?.delete(basename(path))) return false;
    this.count--;
    if (names.size === 0) this.dirs.delete(dir);
    return true;
  }

  /** The names of the files known directly in one folder. */
  namesIn(dir: string): string[] {
    return [...(this.dirs.get(dir)?.keys() ?? [])];
  }

  /** Forgets every file in and below a folder; answers their paths. */
  deleteUnder(dir: string): string[] {
    const gone: string[] = [];
    const prefix = dir.endsWith(sep) ? dir : dir + sep;
    for (const [d, names] of this.dirs) {
      if (d !== dir && !d.startsWith(prefix)) continue;
      for (const name of names.keys()) gone.push(d + sep + name);
      this.count -= names.size;
      this.dirs.delete(d);
    }
    return gone;
  }

  /** Every file, folder by folder. */
  *entries(): IterableIterator<[string, FileSig]> {
    for (const [d, names] of this.dirs) for (const [name, sig] of names) yield [d + sep + name, sig];
  }
}
