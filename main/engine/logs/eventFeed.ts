import { EventEmitter } from 'node:events';
import { FerryError, invalidInput } from '../../../shared/errors';
import type { FeedBatch, FeedEvent } from '../../../shared/contract';
import type { EventFeedTable } from '../db/eventFeedRepo';
import { createLogger } from '../util/logger';
import { coalescingPump, HEARTBEAT_MS, onHeartbeatTick } from './followers';
import type { LogStore } from './logStore';

const log = createLogger('eventFeed');

/** The feed keeps this many flushes (rows); a cursor older than that resumes at the oldest kept. */
const KEEP_ROWS = 200_000;
const PRUNE_EVERY = 1000;
const ROWS_PER_READ = 200;
const EVENTS_PER_BATCH = 5000;
/** Jobs whose last recorded seq is kept in memory; others are looked up in the table. */
const KNOWN_JOBS = 10_000;

/**
 * One ordered feed of every job's events, for `GET /api/v1/events`. Each flush of a job's
 * events.jsonl is recorded in SQLite (event_feed) under the next global event ids, after the file
 * write, so the ids follow the order in which events became readable: a reader that has seen id N
 * has seen every event with a lower id, whatever the job. The ids survive a restart (the table
 * does), and a job whose last flush before a crash was not recorded is caught up at its next flush
 * (its writer reopens with the seq on disk, past the feed's).
 */
export class EventFeed {
  private readonly known = new Map<number, number>();
  private readonly appended = new EventEmitter();
  private appends = 0;
  private readonly stopListening: () => void;

  constructor(
    private readonly logs: Pick<LogStore, 'onAnyFlush' | 'flushedSeq' | 'readEvents'>,
    private readonly table: EventFeedTable,
  ) {
    this.appended.setMaxListeners(0);
    this.stopListening = logs.onAnyFlush((jobId) => this.record(jobId));
  }

  /** The id of the newest event in the feed (0 when none): where a follower "from now" starts. */
  head(): number {
    return this.table.head();
  }

  private record(jobId: number): void {
    const seqs = this.logs.flushedSeq(jobId);
    if (seqs === undefined) return;
    const seq = seqs.last;
    try {
      let known = this.known.get(jobId);
      if (known === undefined) {
        // What the feed holds of the job, else what its file held when opened: events from before
        // the feed existed, or whose rows were pruned, are not announced again as new.
        known = this.table.lastSeqOf(jobId) || seqs.atOpen;
      }
      // A file that restarted its numbering (its events were removed) starts over from there.
      if (seq < known) known = 0;
      if (seq > known) {
        this.table.append(jobId, known + 1, seq);
        if (++this.appends % PRUNE_EVERY === 0) this.table.prune(KEEP_ROWS);
        this.appended.emit('append');
      }
      // Most recently flushed last, so the oldest goes first when the map is full.
      this.known.delete(jobId);
      this.known.set(jobId, seq);
      if (this.known.size > KNOWN_JOBS) this.known.delete(this.known.keys().next().value!);
    } catch (err) {
      log.warn(`recording the events of job ${jobId} in the feed failed: ${(err as Error).message}`);
    }
  }

  /**
   * Up to `limit` events with ids above `after`, oldest first, each with its job id and global id;
   * `next` is the cursor to pass back. Events of deleted jobs are passed over.
   */
  async read(after: number, limit: number, jobIds?: readonly number[]): Promise<{ events: FeedEvent[]; next: number }> {
    const events: FeedEvent[] = [];
    let next = after;
    while (events.length < limit) {
      const rows = this.table.after(next, ROWS_PER_READ, jobIds);
      if (rows.length === 0) break;
      for (const row of rows) {
        const firstGid = row.last_gid - (row.to_seq - row.from_seq);
        const skip = Math.max(0, next - firstGid + 1);
        const want = row.to_seq - row.from_seq + 1 - skip;
        const room = limit - events.length;
        let got: Awaited<ReturnType<LogStore['readEvents']>> = [];
        try {
          got = await this.logs.readEvents(row.job_id, row.from_seq - 1 + skip, Math.min(want, room));
        } catch (err) {
          if (!(err instanceof FerryError && err.code === 'NOT_FOUND')) throw err;
        }
        for (const e of got) {
          if (e.seq > row.to_seq) break;
          events.push({ jobId: row.job_id, gid: firstGid + (e.seq - row.from_seq), ...e });
        }
        if (want > room) {
          // The batch is full inside this row: the cursor stops at the last event taken.
          next = firstGid + skip + room - 1;
          return { events, next };
        }
        next = row.last_gid;
      }
      if (rows.length < ROWS_PER_READ) break;
    }
    return { events, next };
  }

  /**
   * Follows the feed after `since` (from now when undefined): delivers what is there, then each
   * new flush, with a heartbeat after 5 s of silence. The first batch comes at once, with the
   * cursor where it stands (so a client that saw no event yet can still resume from there) and
   * how many events a cursor older than the feed's memory missed. Returns the stop function.
   */
  follow(since: number | undefined, jobIds: readonly number[] | undefined, onBatch: (batch: FeedBatch) => void, onError: (err: unknown) => void): () => void {
    const head = this.head();
    if (since !== undefined && since > head) {
      // A cursor of another data directory, say: waiting for the ids to catch up would skip events.
      onError(invalidInput(`events: the cursor ${since} is past the newest event id (${head}); resume from an id this instance gave`));
      return () => {};
    }
    let last = since ?? head;
    const oldest = this.table.oldest();
    let missed = since !== undefined && since + 1 < oldest ? oldest - since - 1 : 0;
    let lastSent = Date.now();
    let first = true;
    const pump = coalescingPump(async () => {
      const { events, next } = await this.read(last, EVENTS_PER_BATCH, jobIds);
      if (pump.closed) return true;
      last = next;
      if (events.length > 0 || missed > 0 || first) {
        lastSent = Date.now();
        onBatch({ events, ...(missed > 0 ? { missed } : {}), ...(first ? { cursor: next } : {}) });
        missed = 0;
        first = false;
      }
      if (events.length === EVENTS_PER_BATCH) pump.wake();
      return false;
    }, onError);
    const stopHeartbeat = onHeartbeatTick(() => {
      if (Date.now() - lastSent >= HEARTBEAT_MS) {
        lastSent = Date.now();
        onBatch({ events: [], heartbeat: true });
      }
    });
    this.appended.on('append', pump.wake);
    void pump.run();
    return () => {
      this.appended.off('append', pump.wake);
      stopHeartbeat();
      pump.close();
    };
  }

  close(): void {
    this.stopListening();
  }
}
