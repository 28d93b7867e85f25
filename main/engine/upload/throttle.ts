import { invalidInput } from '../../../shared/errors';
import { canceledError } from './transferErrors';

/**
 * Bytes released per grant while pacing a chunk: an eighth of a second's worth, between 4 and
 * 64 KiB, so a low limit stays smooth and the socket never sits idle long enough to time out.
 */
const SLICE_BYTES = 64 * 1024;
const MIN_SLICE_BYTES = 4 * 1024;

interface Waiter {
  bytes: number;
  resolve: () => void;
  reject: (err: unknown) => void;
  signal: AbortSignal;
  onAbort: () => void;
}

/**
 * A token bucket shared by every transfer (one instance: `globalThrottle`). Waiters are served in
 * arrival order, so concurrent uploads share the rate fairly. A request larger than the bucket is
 * granted once the bucket is full and leaves it in debt, which keeps the long-run rate exact
 * whatever the slice size. Rate 0 means unlimited.
 *
 * Credit is earned only while someone waits: a request that finds nobody waiting starts from an
 * empty bucket (debt is kept). Otherwise the time a job spent paused, or between two jobs, would
 * be spent at once after Resume, faster than the limit the user set.
 */
export class Throttle {
  private bytesPerSecond = 0;
  private tokens = 0;
  private lastRefill = 0;
  private readonly queue: Waiter[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;

  /** `burstMs`: how much rate may be earned ahead while requests wait (it bounds a large request's wait). */
  constructor(
    bytesPerSecond = 0,
    private readonly burstMs = 100,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.setRate(bytesPerSecond);
  }

  get rate(): number {
    return this.bytesPerSecond;
  }

  /** Changes the limit live; waiters are re-evaluated at once (0 releases them all). */
  setRate(bytesPerSecond: number): void {
    if (!Number.isFinite(bytesPerSecond) || bytesPerSecond < 0) {
      throw invalidInput(`throttle: rate must be a non-negative number of bytes per second, got ${bytesPerSecond}`);
    }
    this.refill();
    this.bytesPerSecond = bytesPerSecond;
    this.tokens = Math.min(this.tokens, this.capacity());
    this.pump();
  }

  /** Resolves when `bytes` may be sent; rejects with CANCELED if the signal aborts first. */
  take(bytes: number, signal: AbortSignal): Promise<void> {
    if (signal.aborted) return Promise.reject(canceledError('throttle'));
    if (bytes <= 0 || (this.bytesPerSecond === 0 && this.queue.length === 0)) return Promise.resolve();
    if (this.queue.length === 0 && this.bytesPerSecond > 0) {
      // Nobody was waiting: what accrued meanwhile was not used, and is not saved up.
      this.refill();
      this.tokens = Math.min(this.tokens, 0);
    }
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        bytes,
        resolve,
        reject,
        signal,
        onAbort: () => {
          const at = this.queue.indexOf(waiter);
          if (at >= 0) this.queue.splice(at, 1);
          reject(canceledError('throttle'));
          this.pump();
        },
      };
      signal.addEventListener('abort', waiter.onAbort, { once: true });
      this.queue.push(waiter);
      this.pump();
    });
  }

  /** Yields `bytes` in slices, each after the bucket granted it (views, no copies). */
  async *paced(bytes: Buffer, signal: AbortSignal): AsyncGenerator<Buffer> {
    // Unlimited: one write of the whole chunk, so the socket (not this loop) sets the pace.
    if (this.bytesPerSecond === 0) {
      await this.take(bytes.length, signal);
      if (bytes.length > 0) yield bytes;
      return;
    }
    for (let at = 0; at < bytes.length; ) {
      const slice = bytes.subarray(at, Math.min(bytes.length, at + this.sliceBytes()));
      await this.take(slice.length, signal);
      at += slice.length;
      yield slice;
    }
  }

  private sliceBytes(): number {
    if (this.bytesPerSecond === 0) return SLICE_BYTES;
    return Math.round(Math.min(SLICE_BYTES, Math.max(MIN_SLICE_BYTES, this.bytesPerSecond / 8)));
  }

  private capacity(): number {
    return Math.max(SLICE_BYTES, (this.bytesPerSecond * this.burstMs) / 1000);
  }

  private refill(): void {
    const t = this.now();
    if (this.bytesPerSecond > 0) {
      this.tokens = Math.min(this.capacity(), this.tokens + ((t - this.lastRefill) / 1000) * this.bytesPerSecond);
    }
    this.lastRefill = t;
  }

  private pump(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.refill();
    while (this.queue.length > 0) {
      const head = this.queue[0]!;
      if (this.bytesPerSecond > 0) {
        const needed = Math.min(head.bytes, this.capacity());
        if (this.tokens < needed) {
          const waitMs = ((needed - this.tokens) / this.bytesPerSecond) * 1000;
          this.timer = setTimeout(() => this.pump(), Math.max(1, Math.ceil(waitMs)));
          return;
        }
        this.tokens -= head.bytes;
      }
      this.queue.shift();
      head.signal.removeEventListener('abort', head.onAbort);
      head.resolve();
    }
  }
}

/** The one bucket every transfer of this process shares; settings change it with `setRate`. */
export const globalThrottle = new Throttle(0);

/** One line of a weekly bandwidth schedule, in local time. */
export interface ScheduleEntry {
  /** 0 = Sunday … 6 = Saturday (as Date#getDay). */
  days: number[];
  /** 'HH:MM', inclusive. */
  from: string;
  /** 'HH:MM' (or '24:00'), exclusive; earlier than `from` wraps past midnight into the next day. */
  to: string;
  /** 0 = unlimited. */
  bytesPerSecond: number;
}

function minutesOf(hhmm: string, field: string): number {
  const m = /^(\d{2}):(\d{2})$/.exec(hhmm);
  const minutes = m ? Number(m[1]) * 60 + Number(m[2]) : NaN;
  if (!m || Number(m[2]) > 59 || minutes > 24 * 60) {
    throw invalidInput(`throttle schedule: ${field} must be 'HH:MM', got '${hhmm}'`);
  }
  return minutes;
}

function validDays(days: number[]): number[] {
  if (!Array.isArray(days) || days.some((d) => !Number.isInteger(d) || d < 0 || d > 6)) {
    throw invalidInput(`throttle schedule: days must be integers 0-6, got ${JSON.stringify(days)}`);
  }
  return days;
}

/**
 * The limit in force at `date`. An entry from 22:00 to 06:00 on Monday covers Monday night and
 * Tuesday until 06:00; from == to covers the whole day. Where entries overlap the lowest non-zero
 * limit wins; where none applies, `fallback` (default unlimited).
 */
export function limitAt(date: Date, schedule: readonly ScheduleEntry[], fallback = 0): number {
  const day = date.getDay();
  const minute = date.getHours() * 60 + date.getMinutes();
  let limit: number | undefined;
  for (const entry of schedule) {
    const days = validDays(entry.days);
    const from = minutesOf(entry.from, 'from');
    const to = minutesOf(entry.to, 'to');
    if (!Number.isFinite(entry.bytesPerSecond) || entry.bytesPerSecond < 0) {
      throw invalidInput(`throttle schedule: bytesPerSecond must be >= 0, got ${entry.bytesPerSecond}`);
    }
    const applies =
      from === to
        ? days.includes(day)
        : from < to
          ? days.includes(day) && minute >= from && minute < to
          : (days.includes(day) && minute >= from) || (days.includes((day + 6) % 7) && minute < to);
    if (!applies) continue;
    const rate = entry.bytesPerSecond;
    if (limit === undefined || (rate > 0 && (limit === 0 || rate < limit))) limit = rate;
  }
  return limit ?? fallback;
}
