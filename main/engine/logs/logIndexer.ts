import { closeSync, openSync, readSync } from 'node:fs';
import type { SearchRepo } from '../db/searchRepo';
import { createLogger } from '../util/logger';
import type { LogStore } from './logStore';

const log = createLogger('search');

export interface LogIndexerOptions {
  /** Bytes from the start of each log that are indexed (the head of the log). */
  headBytes: number;
  /** Bytes from the end of a finished log that are indexed too (summaries and late errors). */
  tailBytes: number;
  /** Size of one indexed block (a run of whole lines). */
  blockBytes: number;
  /** Bytes indexed per turn of the event loop, so a burst of logs cannot stall it. */
  sliceBytes: number;
  /**
   * Time one turn may take at most (8 ms when not given): after a restart many small logs wait at
   * once, and each costs a commit whatever its size.
   */
  sliceMs?: number;
  /**
   * How long after start the logs left to index from before (`start`'s backlog) are looked up
   * (2 s when not given): at start-up the first page and the recovery come first.
   */
  backlogDelayMs?: number;
}

export const DEFAULT_INDEXER: LogIndexerOptions = { headBytes: 256 * 1024, tailBytes: 32 * 1024, blockBytes: 16 * 1024, sliceBytes: 64 * 1024 };

/** What the indexer needs to know about jobs. */
export interface IndexedJobs {
  /** Bytes of the job's log already indexed, or undefined when the job is gone. */
  indexedOffset(jobId: number): number | undefined;
  isDone(jobId: number): boolean;
}

/**
 * Feeds job logs into the full-text index in the background: each log's head as it is written,
 * and its tail once the job has finished, in blocks of whole lines. Work is sliced across turns of
 * the event loop; a job's progress is kept in `jobs.log_indexed`, so a restart continues there.
 * Indexing only the head and tail keeps the index small for logs of millions of lines.
 */
export class LogIndexer {
  private readonly pending = new Set<number>();
  private readonly offsets = new Map<number, number>();
  private scheduled: NodeJS.Immediate | undefined;
  private backlogTimer: NodeJS.Timeout | undefined;
  private stopListening: () => void = () => {};
  private stopped = false;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly store: LogStore,
    private readonly search: SearchRepo,
    private readonly jobs: IndexedJobs,
    private readonly options: LogIndexerOptions = DEFAULT_INDEXER,
  ) {}

  /** Indexes logs as they are flushed and, a little later, the `backlog` of logs left from before. */
  start(backlog: () => Iterable<number>): void {
    this.stopListening = this.store.onAnyFlush((id) => this.enqueue(id));
    this.backlogTimer = setTimeout(() => {
      this.backlogTimer = undefined;
      if (this.stopped) return;
      try {
        for (const id of backlog()) this.enqueue(id);
      } catch (err) {
        log.warn(`listing the logs left to index failed: ${(err as Error).message}`);
      }
      if (this.idle) for (const w of this.idleWaiters.splice(0)) w();
    }, this.options.backlogDelayMs ?? 2000);
    this.backlogTimer.unref();
  }

  stop(): void {
    this.stopped = true;
    this.stopListening();
    if (this.scheduled) clearImmediate(this.scheduled);
    if (this.backlogTimer) clearTimeout(this.backlogTimer);
    for (const w of this.idleWaiters.splice(0)) w();
  }

  enqueue(jobId: number): void {
    if (this.stopped) return;
    this.pending.add(jobId);
    this.schedule();
  }

  /** Forgets a deleted job (its blocks go with the row). */
  forget(jobId: number): void {
    this.pending.delete(jobId);
    this.offsets.delete(jobId);
  }

  /** True when nothing waits to be indexed. */
  get idle(): boolean {
    return this.pending.size === 0 && this.backlogTimer === undefined;
  }

  /** Resolves once nothing waits to be indexed (tests and benchmarks wait on this). */
  whenIdle(): Promise<void> {
    if (this.idle) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private schedule(): void {
    if (this.scheduled || this.stopped) return;
    this.scheduled = setImmediate(() => {
      this.scheduled = undefined;
      this.slice();
    });
  }

  private slice(): void {
    let budget = this.options.sliceBytes;
    const deadline = performance.now() + (this.options.sliceMs ?? 8);
    for (const id of this.pending) {
      if (budget <= 0 || performance.now() >= deadline) break;
      try {
        const used = this.indexSome(id);
        if (used === 0) this.pending.delete(id);
        budget -= used;
      } catch (err) {
        this.pending.delete(id);
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') log.warn(`indexing the log of job ${id} failed: ${(err as Error).message}`);
      }
    }
    if (this.pending.size > 0) this.schedule();
    else if (this.idle) for (const w of this.idleWaiters.splice(0)) w();
  }

  /** Indexes at most one block of a job; answers the bytes consumed (0 when there is nothing to do). */
  private indexSome(id: number): number {
    const offset = this.offsets.get(id) ?? this.jobs.indexedOffset(id);
    if (offset === undefined) return 0;
    const size = this.store.logSize(id);
    const { headBytes, tailBytes, blockBytes } = this.options;
    if (offset >= headBytes) {
      // Past the head: only a finished job's tail is left to index, once.
      if (!this.jobs.isDone(id) || offset >= size) return 0;
      const tailStart = Math.max(offset, size - tailBytes);
      const block = this.read(id, tailStart, size);
      const lineStart = tailStart === offset ? 0 : block.indexOf(0x0a) + 1;
      this.commit(id, tailStart + lineStart, block.subarray(lineStart), size);
      return 0;
    }
    const end = Math.min(size, headBytes, offset + blockBytes);
    if (end <= offset) return 0;
    const block = this.read(id, offset, end);
    const nl = block.lastIndexOf(0x0a);
    let take: number;
    if (nl >= 0) take = nl + 1;
    else if (block.length >= blockBytes) take = block.length; // a line longer than a block, as it is
    else if (end >= headBytes) take = block.length; // the line that straddles the end of the head
    else return 0; // no whole line yet
    this.commit(id, offset, block.subarray(0, take), offset + take);
    return take;
  }

  private commit(id: number, offset: number, bytes: Buffer, indexedTo: number): void {
    if (bytes.length > 0) this.search.addBlock(id, offset, bytes.toString('utf8'), indexedTo);
    else this.search.markIndexed(id, indexedTo);
    this.offsets.set(id, indexedTo);
  }

  private read(id: number, start: number, end: number): Buffer {
    const fd = openSync(this.store.paths(id).log, 'r');
    try {
      const buf = Buffer.alloc(end - start);
      const n = readSync(fd, buf, 0, buf.length, start);
      return buf.subarray(0, n);
    } finally {
      closeSync(fd);
    }
  }
}
