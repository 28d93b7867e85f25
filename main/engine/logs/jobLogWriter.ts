import { closeSync, fstatSync, fsyncSync, ftruncateSync, openSync, readSync, writeSync } from 'node:fs';
import { JOB_LOG_FOOTER_END } from '../../../shared/jobLog';
import type { JobEvent } from '../../../shared/model';
import { PRIVATE_FILE_MODE } from '../util/privateFiles';
import { firstEventOf, trimDue, trimEventsFile, type EventRetention } from './eventTrim';
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
  /** Whether anyone follows the log (its flushes are then kept in memory for a while). */
  followed(writer: JobLogWriter): boolean;
  /** The first bytes were buffered since the last flush (the store arms its flush timer). */
  dirty(writer: JobLogWriter): void;
  /** The log was cut to its cap (a new epoch), or a cut failed (`err`). */
  cut(writer: JobLogWriter, err?: unknown): void;
  /** How many events to keep and for how long; absent or null: all, forever. */
  eventRetention?(): EventRetention | null;
  /** The oldest events were dropped (the events file was replaced), or the trim failed (`err`). */
  eventsTrimmed?(writer: JobLogWriter, err?: unknown): void;
}

/**
 * A writer with this much buffered flushes at once instead of waiting for the timer. It is kept
 * under a follower's chunk (256 KiB), so a follower close behind takes whole flushes from memory.
 */
const EAGER_FLUSH_CHARS = 192 * 1024;
/**
 * Flushes of a followed log are kept in memory this long, so that followers, which wake at most
 * every 20 ms, take them without reading the file; at most RECENT_MAX_BYTES of them.
 */
const RECENT_MS = 100;
const RECENT_MAX_BYTES = 32 * 1024 * 1024;
const FOOTER_END = Buffer.from(JOB_LOG_FOOTER_END);

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

/** One flush of the human log: the text written at `offset`, and how many bytes it took. */
interface FlushedSegment {
  offset: number;
  /** When it was flushed (ms since the epoch). */
  at: number;
  /** The text as buffered; its UTF-8 encoding is what the file holds at `offset`. */
  text: string;
  bytes: number;
  /** False when the text holds a lone surrogate: the file has U+FFFD there, so it is re-decoded. */
  wellFormed: boolean;
}

/** Flushes are encoded into one reused buffer up to this size (a fresh one each costs GC work). */
const SCRATCH_MAX_BYTES = 4 * EAGER_FLUSH_CHARS;
let scratch = Buffer.allocUnsafe(0);

/** The UTF-8 bytes of `text`; a view of the shared scratch buffer, valid until the next call. */
function encodeForWrite(text: string): Buffer {
  // UTF-8 takes at most three bytes per UTF-16 unit.
  const most = text.length * 3;
  if (most > SCRATCH_MAX_BYTES) return Buffer.from(text, 'utf8');
  if (scratch.length < most) scratch = Buffer.allocUnsafe(SCRATCH_MAX_BYTES);
  return scratch.subarray(0, scratch.write(text, 0, 'utf8'));
}

/** Bytes of the flushed log held in memory (see `JobLogWriter.recentLog`). */
export interface RecentLog {
  text: string;
  /** Bytes the text takes in the file. */
  bytes: number;
}

/**
 * Appends to one job's human log and events.jsonl. Writes are buffered in memory and reach the
 * files in one write() per file per flush (the store's timer, every state change, or 192 K
 * characters buffered); `close` fsyncs. A log over its cap is cut to head + marker + tail after a
 * flush. While someone follows the log, its latest flushes stay in memory for them.
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
  /** The last seq on disk when this writer opened the file (the event feed's baseline). */
  readonly openedAtSeq: number;
  /** Seq and time of the first event in the file (0 while it has none). */
  firstSeq = 0;
  private firstTs = 0;
  closed = false;
  readonly cut: LogCutState;
  /** A cut in progress, if any (see logCap.ts); resolves when it is done. */
  cutting: Promise<void> | undefined;
  /** The last flushes of the human log, oldest first, ending at `logSize`. */
  private recent: FlushedSegment[] = [];
  private recentSize = 0;

  /** `cut` carries the cut history of an earlier writer of the same log (for mapping offsets). */
  constructor(
    readonly jobId: number,
    readonly paths: JobLogPaths,
    private readonly hooks: WriterHooks,
    cut?: LogCutState,
  ) {
    this.logFd = openSync(paths.log, 'a+', PRIVATE_FILE_MODE);
    this.eventsFd = openSync(paths.events, 'a+', PRIVATE_FILE_MODE);
    this.logSize = truncateTornLine(this.logFd, fstatSync(this.logFd).size);
    this.eventsSize = truncateTornLine(this.eventsFd, fstatSync(this.eventsFd).size);
    this.lastSeq = lastSeqOf(this.eventsFd, this.eventsSize);
    this.openedAtSeq = this.lastSeq;
    this.readFirstEvent();
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
    if (this.firstSeq === 0) {
      this.firstSeq = full.seq;
      this.firstTs = full.ts;
    }
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
      const text = this.logText;
      const data = encodeForWrite(text);
      this.logText = '';
      const offset = this.logSize;
      this.logSize += writeAll(this.logFd, data);
      if (this.hooks.followed(this)) this.remember(offset, data.length, text);
      else this.forgetRecent();
      wrote = true;
      this.cutIfOver();
    }
    if (this.eventsText.length > 0) {
      const data = Buffer.from(this.eventsText, 'utf8');
      this.eventsText = '';
      this.eventsSize += writeAll(this.eventsFd, data);
      wrote = true;
      this.trimEventsIfDue();
    }
    if (durable) {
      fsyncSync(this.logFd);
      fsyncSync(this.eventsFd);
    }
    if (wrote) this.hooks.flushed(this);
  }

  private readFirstEvent(): void {
    const first = firstEventOf(this.eventsFd, this.eventsSize, (fd, buf, pos) => readSync(fd, buf, 0, buf.length, pos));
    this.firstSeq = first.seq;
    this.firstTs = first.ts;
  }

  /**
   * Drops the oldest events by the retention policy once the file is well past it (see
   * eventTrim.ts). Sequence numbers do not change: a reader asking from before the first one kept
   * is told of the gap (listEvents), and the next event goes on from the last.
   */
  private trimEventsIfDue(): void {
    const policy = this.hooks.eventRetention?.();
    if (!policy || this.firstSeq === 0) return;
    const now = Date.now();
    if (!trimDue(policy, this.lastSeq - this.firstSeq + 1, this.firstTs, now)) return;
    closeSync(this.eventsFd);
    let failure: unknown;
    try {
      trimEventsFile(this.paths.events, policy, now);
    } catch (err) {
      failure = err;
    } finally {
      this.eventsFd = openSync(this.paths.events, 'a+', PRIVATE_FILE_MODE);
      this.eventsSize = fstatSync(this.eventsFd).size;
      this.readFirstEvent();
    }
    this.hooks.eventsTrimmed?.(this, failure);
  }

  /** Keeps a flush for followers, for RECENT_MS (always the latest one) and at most RECENT_MAX_BYTES. */
  private remember(offset: number, bytes: number, text: string): void {
    const now = Date.now();
    this.recent.push({ offset, at: now, text, bytes, wellFormed: isWellFormed(text) });
    this.recentSize += bytes;
    for (;;) {
      const oldest = this.recent[0]!;
      if (this.recent.length === 1 || (now - oldest.at < RECENT_MS && this.recentSize <= RECENT_MAX_BYTES)) break;
      this.recent.shift();
      this.recentSize -= oldest.bytes;
    }
  }

  /** The file changed under the kept flushes (a cut, a reopen): they no longer match its offsets. */
  private forgetRecent(): void {
    this.recent = [];
    this.recentSize = 0;
  }

  /**
   * The flushed log from `offset`, up to `maxBytes`, from memory: exactly the bytes the file holds
   * there, or undefined when they are no longer held. Whole flushes are handed out as the text
   * that was buffered; a flush larger than `maxBytes`, or a start inside one, is encoded again and
   * cut like a read of the file (at the last newline, else at a character boundary).
   */
  recentLog(offset: number, maxBytes: number): RecentLog | undefined {
    if (this.closed) return undefined;
    if (offset === this.logSize) return { text: '', bytes: 0 };
    const segs = this.recent;
    let i = segs.length - 1;
    while (i >= 0 && segs[i]!.offset > offset) i--;
    if (i < 0 || offset > this.logSize) return undefined;
    let text = '';
    let bytes = 0;
    for (let j = i; j < segs.length; j++) {
      const seg = segs[j]!;
      if (seg.offset !== offset + bytes || !seg.wellFormed || bytes + seg.bytes > maxBytes) break;
      text += seg.text;
      bytes += seg.bytes;
    }
    if (bytes > 0) return { text, bytes };
    const seg = segs[i]!;
    const start = offset - seg.offset;
    const got = Math.min(maxBytes, seg.bytes - start);
    const slice = Buffer.from(seg.text, 'utf8').subarray(start, start + got);
    const used = offset + got < this.logSize ? cutToBoundary(slice, got) : got;
    return { text: slice.toString('utf8', 0, used), bytes: used };
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
      this.forgetRecent();
      if (!this.closed) {
        closeSync(this.logFd);
        this.logFd = openSync(this.paths.log, 'a+', PRIVATE_FILE_MODE);
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
    this.forgetRecent();
    closeSync(this.logFd);
    closeSync(this.eventsFd);
  }

  /** Opens a closed writer again (its log was being cut when it closed; the cut goes on). */
  reopen(): void {
    if (!this.closed) return;
    this.logFd = openSync(this.paths.log, 'a+', PRIVATE_FILE_MODE);
    this.eventsFd = openSync(this.paths.events, 'a+', PRIVATE_FILE_MODE);
    this.logSize = fstatSync(this.logFd).size;
    this.eventsSize = fstatSync(this.eventsFd).size;
    this.readFirstEvent();
    this.closed = false;
  }

  /** Resolves when no cut is in progress (a finished log is then at most its cap). */
  async settled(): Promise<void> {
    while (this.cutting) await this.cutting;
  }
}

/** No lone surrogates (ES2024, in every Node this runs on; the compiler's lib is older). */
function isWellFormed(text: string): boolean {
  return (text as string & { isWellFormed(): boolean }).isWellFormed();
}

/** Cuts a full buffer back to its last newline, or failing that to a UTF-8 character boundary. */
export function cutToBoundary(buf: Buffer, length: number): number {
  const nl = buf.lastIndexOf(0x0a, length - 1);
  if (nl >= 0) return nl + 1;
  let i = length;
  // Step back over continuation bytes (10xxxxxx) to the lead byte, and drop the incomplete char.
  while (i > 0 && (buf[i - 1]! & 0xc0) === 0x80) i--;
  if (i > 0 && buf[i - 1]! >= 0xc0) i--;
  return i === 0 ? length : i;
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

/** The last seq is the last line's (retention may have dropped the first lines, never the last). */
function lastSeqOf(fd: number, size: number): number {
  const line = lastLine(fd, size);
  if (!line) return 0;
  try {
    return (JSON.parse(line) as JobEvent).seq;
  } catch {
    return 0;
  }
}
