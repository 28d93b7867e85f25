/**
 * Collects stable files for one job: the first file opens a window of `batchMs`, and everything
 * that turns stable within it goes into the same job, so a thousand files dropped together make one
 * job, not a thousand.
 */
import type { FileSig } from './fileIndex';

export class FileBatcher {
  private files = new Map<string, FileSig>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly batchMs: number,
    /** A batch this large is sent at once. */
    private readonly maxFiles: number,
    private readonly onFlush: (files: Map<string, FileSig>) => void,
  ) {}

  get size(): number {
    return this.files.size;
  }

  add(path: string, sig: FileSig): void {
    this.files.set(path, sig);
    if (this.files.size >= this.maxFiles) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), this.batchMs);
  }

  remove(path: string): void {
    this.files.delete(path);
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.files.size === 0) return;
    const files = this.files;
    this.files = new Map();
    this.onFlush(files);
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.files.clear();
  }
}
