import { EventEmitter } from 'node:events';
import { mkdirSync, rmSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { notFound } from '../../../shared/errors';
import type { JobEvent, LogChunk } from '../../../shared/model';
import { JobLogWriter, type JobLogPaths } from './jobLogWriter';

export const FLUSH_INTERVAL_MS = 100;
/** A writer with more than this buffered flushes at once instead of waiting for the timer. */
const EAGER_FLUSH_BYTES = 1024 * 1024;

/**
 * The file-log store: one directory per job holding `job.log` (human, append-only) and
 * `events.jsonl`. Readers read the files themselves, so every follower gets exactly the bytes on
 * disk; writers announce each flush so followers wake without polling.
 */
export class LogStore {
  private readonly writers = new Map<number, JobLogWriter>();
  private readonly flushed = new EventEmitter();
  private timer: NodeJS.Timeout | undefined;

  constructor(readonly root: string) {
    mkdirSync(join(root, 'jobs'), { recursive: true });
    this.flushed.setMaxListeners(0);
    this.timer = setInterval(() => this.flushAll(), FLUSH_INTERVAL_MS);
    this.timer.unref();
  }

  paths(jobId: number): JobLogPaths {
    const dir = join(this.root, 'jobs', String(jobId));
    return { dir, log: join(dir, 'job.log'), events: join(dir, 'events.jsonl') };
  }

  /** The open writer of a job, opening (and repairing after a crash) its files if needed. */
  writer(jobId: number): JobLogWriter {
    let w = this.writers.get(jobId);
    if (!w || w.closed) {
      const paths = this.paths(jobId);
      mkdirSync(paths.dir, { recursive: true });
      w = new JobLogWriter(jobId, paths, (writer) => this.flushed.emit(String(writer.jobId)));
      this.writers.set(jobId, w);
    }
    return w;
  }

  /** Flushes a writer at once when it has buffered a lot (keeps memory flat under bursts). */
  maybeFlush(writer: JobLogWriter): void {
    if (writer.pendingBytes >= EAGER_FLUSH_BYTES) writer.flush();
  }

  /** Closes (fsyncs) a finished job's writer and wakes its followers so they see the end. */
  finish(jobId: number): void {
    const w = this.writers.get(jobId);
    if (w) {
      w.close();
      this.writers.delete(jobId);
    }
    this.flushed.emit(String(jobId));
  }

  /** Wakes a job's followers (for example after a state change that flushed nothing). */
  poke(jobId: number): void {
    this.flushed.emit(String(jobId));
  }

  flushAll(): void {
    for (const w of this.writers.values()) w.flush();
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    for (const w of this.writers.values()) w.close();
    this.writers.clear();
  }

  remove(jobId: number): void {
    const w = this.writers.get(jobId);
    if (w) w.close();
    this.writers.delete(jobId);
    rmSync(this.paths(jobId).dir, { recursive: true, force: true });
  }

  /** Listens for flushes of one job; returns the function that stops listening. */
  onFlush(jobId: number, listener: () => void): () => void {
    const key = String(jobId);
    this.flushed.on(key, listener);
    return () => this.flushed.off(key, listener);
  }

  /** Size on disk of the human log (0 when absent). */
  logSize(jobId: number): number {
    const w = this.writers.get(jobId);
    if (w && !w.closed) return w.logSize;
    try {
      return statSync(this.paths(jobId).log).size;
    } catch {
      return 0;
    }
  }

  /**
   * Reads up to maxBytes of the human log from a byte offset. A full read is cut back to its last
   * newline (or character boundary) so text never splits a character. `finished` says whether the
   * job will write no more; then `eof` is set once the reader reaches the end.
   */
  async readLog(jobId: number, offset: number, maxBytes: number, finished: boolean): Promise<LogChunk> {
    const path = this.paths(jobId).log;
    let handle;
    try {
      handle = await open(path, 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw notFound(`readLog(job ${jobId}): log file missing`);
      throw err;
    }
    try {
      // Only flushed bytes are visible: read no further than the writer's known size.
      const size = Math.min((await handle.stat()).size, this.logSize(jobId) || Number.MAX_SAFE_INTEGER);
      const start = Math.min(offset, size);
      const want = Math.min(maxBytes, size - start);
      const buf = Buffer.alloc(want);
      let got = 0;
      while (got < want) {
        const { bytesRead } = await handle.read(buf, got, want - got, start + got);
        if (bytesRead === 0) break;
        got += bytesRead;
      }
      let used = got;
      if (start + got < size) used = cutToBoundary(buf, got);
      const nextOffset = start + used;
      return {
        jobId,
        offset: start,
        nextOffset,
        text: buf.subarray(0, used).toString('utf8'),
        eof: finished && nextOffset >= size,
      };
    } finally {
      await handle.close();
    }
  }

  /** Events with seq > since, at most `limit`, in order. */
  async readEvents(jobId: number, since: number, limit: number): Promise<JobEvent[]> {
    const path = this.paths(jobId).events;
    let text: string;
    try {
      const handle = await open(path, 'r');
      try {
        const size = this.writers.get(jobId)?.eventsSize ?? (await handle.stat()).size;
        const buf = Buffer.alloc(size);
        if (size > 0) await handle.read(buf, 0, size, 0);
        text = buf.toString('utf8');
      } finally {
        await handle.close();
      }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw notFound(`events(job ${jobId}): events file missing`);
      throw err;
    }
    const out: JobEvent[] = [];
    for (const line of text.split('\n')) {
      if (!line) continue;
      let ev: JobEvent;
      try {
        ev = JSON.parse(line) as JobEvent;
      } catch {
        continue;
      }
      if (ev.seq > since) {
        out.push(ev);
        if (out.length >= limit) break;
      }
    }
    return out;
  }
}

/** Cuts a full buffer back to its last newline, or failing that to a UTF-8 character boundary. */
function cutToBoundary(buf: Buffer, length: number): number {
  const nl = buf.lastIndexOf(0x0a, length - 1);
  if (nl >= 0) return nl + 1;
  let i = length;
  // Step back over continuation bytes (10xxxxxx) to the lead byte, and drop the incomplete char.
  while (i > 0 && (buf[i - 1]! & 0xc0) === 0x80) i--;
  if (i > 0 && buf[i - 1]! >= 0xc0) i--;
  return i === 0 ? length : i;
}
