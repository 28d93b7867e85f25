import { closeSync, fstatSync, fsyncSync, ftruncateSync, openSync, readSync, writeSync } from 'node:fs';
import type { JobEvent } from '../../../shared/model';
import { cutLog, cutThreshold, LogCutState, type LogCapPolicy } from './logCap';

/** Where one job's files live. */
export interface JobLogPaths {
  dir: string;
  log: string;
  events: string;
}

export type NewJobEvent = Omit<JobEvent, 'seq' | 'ts'> & { ts?: number };

export interface WriterHooks {
  /** The size cap, or null for none. */
  cap: LogCapPolicy | null;
  /** Bytes reached the files. */
  flushed(writer: JobLogWriter): void;
  /** The first bytes were buffered since the last flush (the store arms its flush timer). */
  dirty(writer: JobLogWriter): void;
  /** The log was cut to its cap (a new epoch), or a cut failed (`err`). */
  cut(writer: JobLogWriter, err?: unknown): void;
}

/** A writer with this much buffered flushes at once instead of waiting for the timer. */
const EAGER_FLUSH_CHARS = 1024 * 1024;
const FOOTER_END = Buffer.from('</footer_json>\n');

/**
 * The timestamp prefix of a line. Formatting a date costs about a microsecond, more than the rest
 * of an append; lines written in the same millisecond share one formatted prefix.
 */
let stampMs = -1;
let stampText = '';
function stamp(ts: number): string {
  if (ts !== stampMs) {
    stampMs = ts;
    stampText = new Date(ts).toISOString() + ' ';
  }
  return stampText;
}

/**
 * Appends to one job's human log and events.jsonl. Writes are buffered in memory and reach the
 * files in one write() per file per flush (the store's timer, every state change, or 1 MiB
 * buffered); `close` fsyncs. A log over its cap is cut to head + marker + tail after a flush.
 */
export class JobLogWriter {
  private logFd: number;
  private eventsFd: number;
  /** Buffered text; appending to one string is the cheapest way V8 offers to build it. */
  private logText = '';
  private eventsText = '';
  /** Bytes on disk (flushed) of the human log and events file. */
  logSize: number;
  eventsSize: number;
  lastSeq = 0;
  closed = false;
  readonly cut: LogCutState;
  /** A cut in progress, if any (see logCap.ts); resolves when it is done. */
  cutting: Promise<void> | undefined;

  /** `cut` carries the cut history of an earlier writer of the same log (for mapping offsets). */
  constructor(
    readonly jobId: number,
    readonly paths: JobLogPaths,
    private readonly hooks: WriterHooks,
    cut?: LogCutState,
  ) {
    this.logFd = openSync(paths.log, 'a+');
    this.eventsFd = openSync(paths.events, 'a+');
    this.logSize = truncateTornLine(this.logFd, fstatSync(this.logFd).size);
    this.eventsSize = truncateTornLine(this.eventsFd, fstatSync(this.eventsFd).size);
    this.lastSeq = lastSeqOf(this.eventsFd, this.eventsSize);
    this.cut = cut ?? LogCutState.load(paths.log);
  }

  get epoch(): number {
    return this.cut.epoch;
  }

  /** Appends raw text (already formatted) to the human log. */
  raw(text: string): void {
    if (this.logText.length === 0 && this.eventsText.length === 0) this.hooks.dirty(this);
    this.logText += text;
    if (this.logText.length >= EAGER_FLUSH_CHARS) this.flush();
  }

  /** Appends timestamped lines; multi-line text gets a stamp on every line. */
  line(text: string, ts = Date.now()): void {
    const prefix = ts === stampMs ? stampText : stamp(ts);
    if (text.includes('\n')) {
      for (const part of text.split(/\r?\n/)) this.raw(prefix + part + '\n');
      return;
    }
    // The hot path (one line, the common case) inlined: this runs millions of times a second.
    if (this.logText.length === 0 && this.eventsText.length === 0) this.hooks.dirty(this);
    this.logText += prefix + text + '\n';
    if (this.logText.length >= EAGER_FLUSH_CHARS) this.flush();
  }

  /** Appends an event with the next sequence number; returns it as written. */
  event(ev: NewJobEvent): JobEvent {
    const full: JobEvent = { ...ev, seq: ++this.lastSeq, ts: ev.ts ?? Date.now() };
    if (this.logText.length === 0 && this.eventsText.length === 0) this.hooks.dirty(this);
    this.eventsText += JSON.stringify(full) + '\n';
    if (this.eventsText.length >= EAGER_FLUSH_CHARS) this.flush();
    return full;
  }

  /** Characters buffered and not yet written. */
  get pendingBytes(): number {
    return this.logText.length + this.eventsText.length;
  }

  /** Writes what is buffered; `durable` also fsyncs both files. */
  flush(durable = false): void {
    if (this.closed) return;
    let wrote = false;
    if (this.logText.length > 0) {
      const data = Buffer.from(this.logText, 'utf8');
      this.logText = '';
      this.logSize += writeAll(this.logFd, data);
      wrote = true;
      this.cutIfOver();
    }
    if (this.eventsText.length > 0) {
      const data = Buffer.from(this.eventsText, 'utf8');
      this.eventsText = '';
      this.eventsSize += writeAll(this.eventsFd, data);
      wrote = true;
    }
    if (durable) {
      fsyncSync(this.logFd);
      fsyncSync(this.eventsFd);
    }
    if (wrote) this.hooks.flushed(this);
  }

  /**
   * Starts cutting the log to its cap when it has grown past the threshold. The cut runs in the
   * background while appends go on; a writer closed meanwhile lets it finish on the closed file.
   */
  private cutIfOver(): void {
    const cap = this.hooks.cap;
    if (!cap || this.cutting || this.logSize <= cutThreshold(cap)) return;
    this.cutting = cutLog(this.paths.log, cap, this.cut, () => this.logSize, (newSize) => {
      this.logSize = newSize;
      if (!this.closed) {
        closeSync(this.logFd);
        this.logFd = openSync(this.paths.log, 'a+');
      }
    }).then(
      () => {
        this.cutting = undefined;
        this.hooks.cut(this);
        // Appends during the cut may have taken the log past the threshold again.
        this.cutIfOver();
      },
      (err: unknown) => {
        this.cutting = undefined;
        this.hooks.cut(this, err);
      },
    );
  }

  /** True when the human log (as flushed) ends with a footer: the last attempt was sealed. */
  endsWithFooter(): boolean {
    this.flush();
    if (this.logSize < FOOTER_END.length) return false;
    const tail = Buffer.alloc(FOOTER_END.length);
    readSync(this.logFd, tail, 0, tail.length, this.logSize - tail.length);
    return tail.equals(FOOTER_END);
  }

  /** The last event on disk (after a flush), or undefined for an empty file. */
  lastEvent(): JobEvent | undefined {
    this.flush();
    const line = lastLine(this.eventsFd, this.eventsSize);
    return line ? (JSON.parse(line) as JobEvent) : undefined;
  }

  /** Flushes and closes both files; `durable` (the default, for finished logs) fsyncs first. */
  close(durable = true): void {
    if (this.closed) return;
    this.flush(durable);
    this.closed = true;
    closeSync(this.logFd);
    closeSync(this.eventsFd);
  }

  /** Opens a closed writer again (its log was being cut when it closed; the cut goes on). */
  reopen(): void {
    if (!this.closed) return;
    this.logFd = openSync(this.paths.log, 'a+');
    this.eventsFd = openSync(this.paths.events, 'a+');
    this.logSize = fstatSync(this.logFd).size;
    this.eventsSize = fstatSync(this.eventsFd).size;
    this.closed = false;
  }

  /** Resolves when no cut is in progress (a finished log is then at most its cap). */
  async settled(): Promise<void> {
    while (this.cutting) await this.cutting;
  }
}

function writeAll(fd: number, data: Buffer): number {
  let written = 0;
  while (written < data.length) written += writeSync(fd, data, written, data.length - written);
  return written;
}

function readTail(fd: number, size: number, max: number): Buffer {
  const len = Math.min(size, max);
  const buf = Buffer.alloc(len);
  if (len > 0) readSync(fd, buf, 0, len, size - len);
  return buf;
}

/**
 * A crash can leave a torn last line (a write cut short). Both files are cut back to their last
 * whole line, so every line in them is one that was written whole; answers the new size.
 */
function truncateTornLine(fd: number, size: number): number {
  if (size === 0) return 0;
  for (let window = 64 * 1024; ; window *= 4) {
    const tail = readTail(fd, size, window);
    const nl = tail.lastIndexOf(0x0a);
    if (nl === tail.length - 1) return size;
    if (nl >= 0 || tail.length === size) {
      const keep = nl >= 0 ? size - tail.length + nl + 1 : 0;
      ftruncateSync(fd, keep);
      return keep;
    }
  }
}

function lastLine(fd: number, size: number): string | undefined {
  if (size === 0) return undefined;
  for (let window = 64 * 1024; ; window *= 4) {
    const tail = readTail(fd, size, window);
    const start = tail.lastIndexOf(0x0a, tail.length - 2);
    if (start >= 0 || tail.length === size) return tail.subarray(start + 1, tail.length - 1).toString('utf8');
  }
}

/** Events are numbered by line (seq n is line n), so the last seq is the last line's. */
function lastSeqOf(fd: number, size: number): number {
  const line = lastLine(fd, size);
  if (!line) return 0;
  try {
    return (JSON.parse(line) as JobEvent).seq;
  } catch {
    return 0;
  }
}
