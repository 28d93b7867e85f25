import type { FileHandle } from 'node:fs/promises';

/** Every this many events the index remembers a byte offset. */
const STRIDE = 256;
const SCAN_CHUNK = 256 * 1024;

/**
 * Byte offsets into one events.jsonl. Events are one per line with `seq` growing by one, so line
 * n (from 0) holds seq base + n, where base is the first line's seq (1, or later once retention
 * dropped the oldest lines); the index keeps the offset of every 256th line, which lets a reader
 * start near `since` instead of parsing the file from the top. It grows by scanning only new bytes.
 */
export class EventIndex {
  /** offsets[k] is where line k * STRIDE starts. */
  private readonly offsets: number[] = [0];
  private scannedTo = 0;
  private lines = 0;
  /** The seq of the file's first line. */
  private base = 1;
  private busy: Promise<void> = Promise.resolve();

  /** Scans bytes appended since the last call (up to `size`); a shrunk file starts over. */
  extend(handle: FileHandle, size: number): Promise<void> {
    // Two readers must not scan the same bytes at once (lines would count twice): queue them.
    const run = this.busy.then(() => this.scan(handle, size));
    this.busy = run.catch(() => undefined);
    return run;
  }

  private async scan(handle: FileHandle, size: number): Promise<void> {
    if (size < this.scannedTo) this.reset();
    const buf = Buffer.alloc(Math.min(SCAN_CHUNK, Math.max(1, size - this.scannedTo)));
    while (this.scannedTo < size) {
      const want = Math.min(buf.length, size - this.scannedTo);
      const { bytesRead } = await handle.read(buf, 0, want, this.scannedTo);
      if (bytesRead === 0) break;
      if (this.scannedTo === 0) this.base = firstSeq(buf, bytesRead);
      let i = buf.indexOf(0x0a);
      while (i >= 0 && i < bytesRead) {
        this.lines++;
        if (this.lines % STRIDE === 0) this.offsets[this.lines / STRIDE] = this.scannedTo + i + 1;
        i = buf.indexOf(0x0a, i + 1);
      }
      // Only whole lines count; a partial last line is scanned again once it is complete.
      const lastNl = buf.subarray(0, bytesRead).lastIndexOf(0x0a);
      if (lastNl < 0) break;
      this.scannedTo += lastNl + 1;
    }
  }

  /** Where to start reading for events with seq > since, and the seq of the line found there. */
  seek(since: number): { offset: number; seq: number } {
    const line = Math.max(0, since - this.base + 1);
    const k = Math.min(Math.floor(line / STRIDE), this.offsets.length - 1);
    return { offset: this.offsets[k]!, seq: this.base + k * STRIDE };
  }

  private reset(): void {
    this.offsets.length = 1;
    this.scannedTo = 0;
    this.lines = 0;
    this.base = 1;
  }
}

function firstSeq(buf: Buffer, length: number): number {
  const nl = buf.subarray(0, length).indexOf(0x0a);
  if (nl < 0) return 1;
  try {
    const seq = (JSON.parse(buf.toString('utf8', 0, nl)) as { seq?: unknown }).seq;
    return typeof seq === 'number' && Number.isInteger(seq) && seq > 0 ? seq : 1;
  } catch {
    return 1;
  }
}
