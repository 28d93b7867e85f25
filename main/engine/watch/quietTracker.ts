/** Dataset folders waiting for quiet: each has a timer that every change in it starts over. */
export type QuietReason = 'quiet' | 'marker';

export class QuietTracker {
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly quietMs: number,
    private readonly onReady: (folder: string, reason: QuietReason) => void,
  ) {}

  get size(): number {
    return this.timers.size;
  }

  has(folder: string): boolean {
    return this.timers.has(folder);
  }

  /** Something changed in the folder: the quiet period starts over. */
  touch(folder: string, delayMs = this.quietMs): void {
    this.clear(folder);
    this.timers.set(
      folder,
      setTimeout(() => {
        this.timers.delete(folder);
        this.onReady(folder, 'quiet');
      }, delayMs),
    );
  }

  /** The marker appeared: the folder is ready now. */
  now(folder: string): void {
    this.clear(folder);
    this.onReady(folder, 'marker');
  }

  clear(folder: string): void {
    const t = this.timers.get(folder);
    if (t) clearTimeout(t);
    this.timers.delete(folder);
  }

  stop(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }
}
