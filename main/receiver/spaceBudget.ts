import fsp from 'node:fs/promises';
import { HttpError, INSUFFICIENT_STORAGE, ioHttpError } from './httpError';

/**
 * The disk space the receiver has promised and not yet received: an upload declares its length at
 * creation, and a batch its Content-Length, long before the bytes arrive. Without this ledger a
 * thousand uploads declaring a terabyte each are all accepted, and each fails only once the disk is
 * full, with every other writer on it. A promise is admitted only when the free space (statfs)
 * covers everything promised so far, the new one and a margin; it shrinks as bytes are written (the
 * free space shows those already) and ends when the upload is filed or removed.
 */
export class SpaceBudget {
  private readonly promised = new Map<string, { size: number; written: number }>();
  /** Σ (size − written) over `promised`. */
  private outstanding = 0;

  constructor(
    /** A folder on the disk the data goes to. */
    private readonly dir: string,
    /** Free space left alone for everything else (the OS, Ferry's own database and logs). */
    private readonly marginBytes: number,
  ) {}

  /** Promises `size` bytes to `id`, or throws 507 naming the numbers when they do not fit. */
  async reserve(what: string, id: string, size: number): Promise<void> {
    let free: number;
    try {
      const s = await fsp.statfs(this.dir);
      free = s.bavail * s.bsize;
    } catch (err) {
      throw ioHttpError(`${what}: free space`, err);
    }
    // Checked and taken in one synchronous step: concurrent creations cannot both take the last room.
    if (this.outstanding + size + this.marginBytes > free) {
      throw new HttpError(
        INSUFFICIENT_STORAGE,
        `Insufficient Storage: ${what}: ${size} bytes do not fit: ${free} bytes free on the receiver's disk, ` +
          `${this.outstanding} promised to uploads under way, ${this.marginBytes} kept free`,
      );
    }
    this.track(id, size, 0);
  }

  /** Records a promise made before (an unfinished upload found at start-up) without checking it. */
  track(id: string, size: number, written: number): void {
    this.release(id);
    const entry = { size, written: Math.min(Math.max(written, 0), size) };
    this.promised.set(id, entry);
    this.outstanding += entry.size - entry.written;
  }

  /** `id` now holds `end` bytes on disk. */
  wrote(id: string, end: number): void {
    const entry = this.promised.get(id);
    if (!entry) return;
    const written = Math.min(Math.max(end, entry.written), entry.size);
    this.outstanding -= written - entry.written;
    entry.written = written;
  }

  /** The upload was filed or removed: nothing more will come for it. */
  release(id: string): void {
    const entry = this.promised.get(id);
    if (!entry) return;
    this.outstanding -= entry.size - entry.written;
    this.promised.delete(id);
  }
}
