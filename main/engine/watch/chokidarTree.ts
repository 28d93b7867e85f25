/**
 * Native watching with chokidar, folders only. chokidar puts one fs.watch on every file as well as
 * every folder: 100 000 files cost 100 000 inotify watches on Linux and as many open descriptors
 * on macOS (chokidar#887, #1369: EMFILE). A folder's watch already reports changes to the files
 * in it, so chokidar here tracks folders only (its `ignored` turns files away) and the files are
 * read from folder listings and from the folder watches' raw events (the file names that changed).
 */
import { watch, type FSWatcher } from 'chokidar';
import type { Stats } from 'node:fs';
import { lstat } from 'node:fs/promises';
import { join } from 'node:path';
import { FileIndex, sigOf } from './fileIndex';
import { limiter } from './limiter';
import { applyListing, isInside, listFolder, toRel } from './treeWalk';
import type { TreeOptions, TreeWatcher } from './treeWatcher';

/** Raw events for one file come in bursts while it is written: look once the burst settles. */
const RAW_SETTLE_MS = 25;
/** A new folder is listed again after this, for files created before its own watch began. */
const RELIST_MS = 1000;
/** Errors after which native watching cannot go on: descriptors or inotify watches exhausted. */
const LIMIT_CODES = new Set(['EMFILE', 'ENFILE', 'ENOSPC']);
const STAT_BATCH = 64;
/**
 * Folders listed at once. chokidar announces a whole tree's folders within moments at start; listing
 * them all at once would hold every listing and stat in memory together.
 */
const LIST_CONCURRENCY = 8;

export class ChokidarTree implements TreeWatcher {
  readonly mode = 'watching';
  readonly files = new FileIndex();
  private watcher: FSWatcher | undefined;
  private readonly folders = new Set<string>();
  private readonly dirtyFiles = new Set<string>();
  private readonly dirtyFolders = new Set<string>();
  private readonly scans = new Set<Promise<void>>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly listing = limiter(LIST_CONCURRENCY);
  private flushTimer: NodeJS.Timeout | undefined;
  private flushing = false;
  private isReady = false;
  private closed = false;

  constructor(private readonly options: TreeOptions) {}

  start(): void {
    const { root } = this.options;
    const w = watch(root, {
      ignored: (path: string, stats?: Stats) => this.ignored(path, stats),
      ignoreInitial: false,
      followSymlinks: false,
      // Atomic-write folding delays unlink/add pairs; stability tracking already covers renames.
      atomic: false,
      ignorePermissionErrors: true,
      persistent: true,
    });
    w.on('addDir', (dir) => this.onAddDir(dir));
    w.on('unlinkDir', (dir) => this.onUnlinkDir(dir));
    w.on('raw', (_event, name, details) => this.onRaw(name, details));
    w.on('error', (err) => this.onError(err));
    w.on('ready', () => void this.onReady());
    this.watcher = w;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    if (this.flushTimer) clearTimeout(this.flushTimer);
    await this.watcher?.close();
  }

  private ignored(path: string, stats?: Stats): boolean {
    const { root, filter } = this.options;
    if (path === root || !isInside(root, path)) return false;
    if (stats && !stats.isDirectory()) return true;
    return filter.skipsDir(toRel(root, path));
  }

  private onAddDir(dir: string): void {
    if (this.closed || !isInside(this.options.root, dir)) return;
    this.folders.add(dir);
    this.track(this.listing(() => this.relist(dir)));
    if (this.isReady) {
      const t = setTimeout(() => {
        this.timers.delete(t);
        this.track(this.listing(() => this.relist(dir)));
      }, RELIST_MS);
      this.timers.add(t);
    }
  }

  private onUnlinkDir(dir: string): void {
    if (this.closed) return;
    for (const f of this.folders) if (isInside(dir, f)) this.folders.delete(f);
    for (const path of this.files.deleteUnder(dir)) this.options.events.gone(path);
    if (dir === this.options.root) this.options.events.error(new Error(`${dir} was removed`), true);
  }

  private onRaw(name: string, details: unknown): void {
    if (this.closed) return;
    const watched = (details as { watchedPath?: unknown } | undefined)?.watchedPath;
    if (typeof watched !== 'string' || !isInside(this.options.root, watched)) return;
    if (!name) {
      // Some platforms do not say which entry changed: the folder is read again.
      this.dirtyFolders.add(watched);
    } else {
      const path = join(watched, name);
      if (this.folders.has(path)) return; // a subfolder: chokidar follows it
      this.dirtyFiles.add(path);
    }
    this.flushTimer ??= setTimeout(() => void this.flush(), RAW_SETTLE_MS);
  }

  private onError(err: unknown): void {
    if (this.closed) return;
    const error = err instanceof Error ? err : new Error(String(err));
    const code = (error as NodeJS.ErrnoException).code;
    this.options.events.error(error, code !== undefined && LIMIT_CODES.has(code));
  }

  private async onReady(): Promise<void> {
    while (this.scans.size > 0 && !this.closed) await Promise.all([...this.scans]);
    if (this.closed) return;
    this.isReady = true;
    this.options.events.ready();
  }

  private track(p: Promise<void>): void {
    this.scans.add(p);
    void p.finally(() => this.scans.delete(p));
  }

  /** Reads one folder and reports what is new, changed or gone in it. */
  private async relist(dir: string): Promise<void> {
    const { root, filter, events } = this.options;
    if (this.closed) return;
    let listed;
    try {
      listed = await listFolder(root, dir, filter);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR' && !this.closed) events.error(err as Error, false);
      return;
    }
    if (this.closed) return;
    applyListing(this.files, dir, listed.files, events);
  }

  /** Looks at the files and folders raw events named since the last flush. */
  private async flush(): Promise<void> {
    this.flushTimer = undefined;
    if (this.flushing || this.closed) return;
    this.flushing = true;
    try {
      const folders = [...this.dirtyFolders];
      this.dirtyFolders.clear();
      for (const dir of folders) await this.listing(() => this.relist(dir));
      while (this.dirtyFiles.size > 0 && !this.closed) {
        const batch = [...this.dirtyFiles].slice(0, STAT_BATCH);
        for (const p of batch) this.dirtyFiles.delete(p);
        await Promise.all(batch.map((p) => this.look(p)));
      }
    } finally {
      this.flushing = false;
      if ((this.dirtyFiles.size > 0 || this.dirtyFolders.size > 0) && !this.closed) {
        this.flushTimer ??= setTimeout(() => void this.flush(), RAW_SETTLE_MS);
      }
    }
  }

  private async look(path: string): Promise<void> {
    const { root, filter, events } = this.options;
    const st = await lstat(path).catch(() => undefined);
    if (this.closed) return;
    if (st?.isFile() && filter.takesFile(toRel(root, path))) {
      const sig = sigOf(st);
      if (this.files.set(path, sig)) events.file(path, sig);
    } else if (!st?.isDirectory() && this.files.delete(path)) {
      events.gone(path);
    }
  }
}
