import { closeSync, fsyncSync, openSync, readSync, fstatSync, ftruncateSync, writeSync } from 'node:fs';
import type { JobEvent } from '../../../shared/model';

/** Where one job's files live. */
export interface JobLogPaths {
  dir: string;
  log: string;
  events: string;
}

export type NewJobEvent = Omit<JobEvent, 'seq' | 'ts'> & { ts?: number };

const stamp = (ts: number): string => new Date(ts).toISOString();

/**
 * Appends to one job's human log and events.jsonl. Writes are buffered in memory and flushed by
 * the store's timer (every 100 ms) and on every state change; `close` fsyncs.
 */
export class JobLogWriter {
  private logFd: number;
  private eventsFd: number;
  private logBuf: string[] = [];
  private eventsBuf: string[] = [];
  private bufferedBytes = 0;
  /** Bytes on disk (flushed) of the human log and events file. */
  logSize: number;
  eventsSize: number;
  lastSeq: number;
  closed = false;

  constructor(
    readonly jobId: number,
    readonly paths: JobLogPaths,
    private readonly onFlush: (writer: JobLogWriter) => void,
  ) {
    this.logFd = openSync(paths.log, 'a+');
    this.eventsFd = openSync(paths.events, 'a+');
    this.logSize = fstatSync(this.logFd).size;
    this.eventsSize = fstatSync(this.eventsFd).size;
    this.lastSeq = 0;
    this.repairAfterCrash();
  }

  /**
   * A crash can leave a torn last line. The human log keeps it and gets a newline (it is text a
   * person may want); events.jsonl is cut back to its last whole line so it always parses.
   */
  private repairAfterCrash(): void {
    if (this.logSize > 0 && lastByte(this.logFd, this.logSize) !== 0x0a) {
      this.logSize += writeSync(this.logFd, '\n');
    }
    if (this.eventsSize > 0) {
      const tail = readTail(this.eventsFd, this.eventsSize, 64 * 1024);
      const tailStart = this.eventsSize - tail.length;
      const lastNewline = tail.lastIndexOf(0x0a);
      if (lastNewline !== tail.length - 1) {
        const keep = lastNewline < 0 ? tailStart : tailStart + lastNewline + 1;
        ftruncateSync(this.eventsFd, keep);
        this.eventsSize = keep;
      }
      const lines = readTail(this.eventsFd, this.eventsSize, 64 * 1024).toString('utf8').split('\n');
      for (let i = lines.length - 1; i >= 0; i--) {
        try {
          this.lastSeq = (JSON.parse(lines[i]!) as JobEvent).seq;
          break;
        } catch {
          // a partial first line of the tail window; look further back
        }
      }
    }
  }

  /** Appends raw text (already formatted) to the human log. */
  raw(text: string): void {
    this.logBuf.push(text);
    this.bufferedBytes += text.length;
  }

  /** Appends timestamped lines; multi-line text gets a stamp on every line. */
  line(text: string, ts = Date.now()): void {
    const prefix = stamp(ts) + ' ';
    const parts = text.split(/\r?\n/);
    for (const part of parts) this.raw(prefix + part + '\n');
  }

  /** Appends an event with the next sequence number; returns it as written. */
  event(ev: NewJobEvent): JobEvent {
    const full: JobEvent = { ...ev, seq: ++this.lastSeq, ts: ev.ts ?? Date.now() };
    const json = JSON.stringify(full) + '\n';
    this.eventsBuf.push(json);
    this.bufferedBytes += json.length;
    return full;
  }

  get pendingBytes(): number {
    return this.bufferedBytes;
  }

  /** Writes what is buffered; `durable` also fsyncs both files. */
  flush(durable = false): void {
    if (this.closed) return;
    let wrote = false;
    if (this.logBuf.length > 0) {
      const data = Buffer.from(this.logBuf.join(''), 'utf8');
      this.logBuf = [];
      this.logSize += writeAll(this.logFd, data);
      wrote = true;
    }
    if (this.eventsBuf.length > 0) {
      const data = Buffer.from(this.eventsBuf.join(''), 'utf8');
      this.eventsBuf = [];
      this.eventsSize += writeAll(this.eventsFd, data);
      wrote = true;
    }
    this.bufferedBytes = 0;
    if (durable) {
      fsyncSync(this.logFd);
      fsyncSync(this.eventsFd);
    }
    if (wrote) this.onFlush(this);
  }

  /** Flushes, fsyncs and closes both files. */
  close(): void {
    if (this.closed) return;
    this.flush(true);
    this.closed = true;
    closeSync(this.logFd);
    closeSync(this.eventsFd);
  }
}

function writeAll(fd: number, data: Buffer): number {
  let written = 0;
  while (written < data.length) written += writeSync(fd, data, written, data.length - written);
  return written;
}

function lastByte(fd: number, size: number): number {
  const b = Buffer.alloc(1);
  readSync(fd, b, 0, 1, size - 1);
  return b[0]!;
}

function readTail(fd: number, size: number, max: number): Buffer {
  const len = Math.min(size, max);
  const buf = Buffer.alloc(len);
  if (len > 0) readSync(fd, buf, 0, len, size - len);
  return buf;
}
