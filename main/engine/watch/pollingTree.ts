/**
 * Polling by walking the tree: for network folders, where native events miss what other machines
 * write. chokidar's own polling keeps one fs.watchFile timer per file, each firing on its own, and
 * 10 000 files already saturate a core (chokidar#1057). Here one walk per interval does the work
 * in a single pass, the next walk starts only `intervalMs` after the last one ended (a slow share
 * is never asked twice at once), and most walks are light: a folder whose modification time did not
 * move has the same entries, so only its subfolders are looked at, not its files. Every
 * FULL_EVERY-th walk stats every file, which catches files rewritten in place.
 */
import { lstat } from 'node:fs/promises';
import { FileIndex } from './fileIndex';
import { applyListing, forEachFolder, isInside, listFolder } from './treeWalk';
import type { TreeOptions, TreeWatcher } from './treeWatcher';

/** One walk in this many reads every file; the others only folders whose entries changed. */
export const FULL_EVERY = 6;
/**
 * Folder times can be as coarse as 1-2 s (FAT, some shares): a folder listed this soon after it
 * changed may change again within the same tick, so it is listed again at the next walk.
 */
const MTIME_GRAIN_MS = 2000;

interface Folder {
  mtimeMs: number;
  /** Listed long enough after its last change that an unchanged time means unchanged entries. */
  settled: boolean;
  dirs: string[];
}

export class PollingTree implements TreeWatcher {
  readonly mode = 'polling';
  readonly files = new FileIndex();
  private readonly folders = new Map<string, Folder>();
  private timer: NodeJS.Timeout | undefined;
  private walking: Promise<void> | undefined;
  private walks = 0;
  private isReady = false;
  private failing = false;
  private closed = false;

  constructor(
    private readonly options: TreeOptions,
    private readonly intervalMs: number,
  ) {}

  start(): void {
    this.walking = this.cycle();
  }

  /** Walks completed so far (diagnostics and tests). */
  get walkCount(): number {
    return this.walks;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    await this.walking;
  }

  private async cycle(): Promise<void> {
    const { root, events } = this.options;
    const full = this.walks % FULL_EVERY === 0;
    try {
      await forEachFolder(root, (dir) => this.visit(dir, full), { stopped: () => this.closed });
      if (this.closed) return;
      this.walks++;
      if (this.failing) {
        this.failing = false;
        events.recovered();
      }
      if (!this.isReady) {
        this.isReady = true;
        events.ready();
      }
    } catch (err) {
      // The share may be back at the next walk; what is known stays known meanwhile.
      if (!this.closed) {
        this.failing = true;
        events.error(err instanceof Error ? err : new Error(String(err)), false);
      }
    }
    if (!this.closed) {
      this.timer = setTimeout(() => {
        this.walking = this.cycle();
      }, this.intervalMs);
    }
  }

  /** Looks at one folder; answers its subfolders. Only the root's failures are thrown. */
  private async visit(dir: string, full: boolean): Promise<string[]> {
    const { root, filter, events } = this.options;
    const st = await lstat(dir).catch((err: unknown) => {
      if (dir === root) throw err;
      return undefined;
    });
    if (this.closed) return [];
    if (!st?.isDirectory()) {
      if (dir === root) throw new Error(`${root} is not a folder any more`);
      this.forget(dir);
      return [];
    }
    const known = this.folders.get(dir);
    if (!full && known?.settled && known.mtimeMs === st.mtimeMs) return known.dirs;
    let listed;
    try {
      listed = await listFolder(root, dir, filter);
    } catch (err) {
      if (dir === root) throw err;
      this.forget(dir);
      return [];
    }
    if (this.closed) return [];
    applyListing(this.files, dir, listed.files, events);
    for (const old of known?.dirs ?? []) if (!listed.dirs.includes(old)) this.forget(old);
    this.folders.set(dir, { mtimeMs: st.mtimeMs, settled: Date.now() - st.mtimeMs > MTIME_GRAIN_MS, dirs: listed.dirs });
    return listed.dirs;
  }

  /** A folder is gone: so is everything known below it. */
  private forget(dir: string): void {
    for (const f of [...this.folders.keys()]) if (isInside(dir, f)) this.folders.delete(f);
    for (const path of this.files.deleteUnder(dir)) this.options.events.gone(path);
  }
}
