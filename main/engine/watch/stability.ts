/**
 * Holds files until they stop changing: a file is stable once its size and modification time have
 * stayed the same for `stabilityMs`. Every file shares the same wait, so entries kept in order of
 * their last change are also in order of when they fall due, and one timer serves them all.
 */
import { lstat } from 'node:fs/promises';
import { sameSig, sigOf, type FileSig } from './fileIndex';

const STAT_BATCH = 64;

interface Entry {
  sig: FileSig;
  due: number;
}

export class StabilityTracker {
  private readonly entries = new Map<string, Entry>();
  private timer: NodeJS.Timeout | undefined;
  private checking = false;
  private stopped = false;

  constructor(
    private readonly stabilityMs: number,
    private readonly onStable: (path: string, sig: FileSig) => void,
  ) {}

  /** Files being held. */
  get size(): number {
    return this.entries.size;
  }

  has(path: string): boolean {
    return this.entries.has(path);
  }

  /** (Re)starts the wait for a file that was just seen with this size and time. */
  track(path: string, sig: FileSig): void {
    if (this.stopped) return;
    const current = this.entries.get(path);
    if (current && sameSig(current.sig, sig)) return;
    this.entries.delete(path);
    this.entries.set(path, { sig, due: Date.now() + this.stabilityMs });
    this.schedule();
  }

  forget(path: string): void {
    this.entries.delete(path);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.entries.clear();
  }

  private schedule(): void {
    if (this.timer || this.checking || this.stopped) return;
    const first = this.entries.values().next();
    if (first.done) return;
    this.timer = setTimeout(() => void this.check(), Math.max(0, first.value.due - Date.now()));
  }

  /** Looks again at every file that fell due: unchanged ones are stable, changed ones wait again. */
  private async check(): Promise<void> {
    this.timer = undefined;
    this.checking = true;
    try {
      for (;;) {
        const now = Date.now();
        const due: [string, Entry][] = [];
        for (const [path, entry] of this.entries) {
          if (entry.due > now || due.length >= STAT_BATCH) break;
          due.push([path, entry]);
        }
        if (due.length === 0 || this.stopped) break;
        const stats = await Promise.all(due.map(([path]) => lstat(path).catch(() => undefined)));
        due.forEach(([path, entry], i) => {
          // Seen again while it was being looked at: the newer entry decides.
          if (this.entries.get(path) !== entry) return;
          this.entries.delete(path);
          const st = stats[i];
          if (!st?.isFile()) return;
          const sig = sigOf(st);
          if (sameSig(sig, entry.sig)) this.onStable(path, sig);
          else this.entries.set(path, { sig, due: Date.now() + this.stabilityMs });
        });
      }
    } finally {
      this.checking = false;
      this.schedule();
    }
  }
}
