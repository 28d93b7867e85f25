import { describe, expect, test } from 'vitest';
import { Throttle, limitAt, type ScheduleEntry } from '../../../main/engine/upload/throttle';

const KiB = 1024;

/** Pushes `total` bytes through the throttle in `streams` concurrent paced chunks; returns seconds. */
async function timeTransfer(throttle: Throttle, total: number, streams: number): Promise<number> {
  const signal = new AbortController().signal;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: streams }, async () => {
      for await (const slice of throttle.paced(Buffer.alloc(total / streams), signal)) void slice;
    }),
  );
  return (performance.now() - started) / 1000;
}

describe('Throttle', () => {
  test('never exceeds the rate across concurrent transfers, and keeps most of it', async () => {
    const rate = 512 * KiB;
    const throttle = new Throttle(rate);
    const total = 640 * KiB;
    const seconds = await timeTransfer(throttle, total, 3);
    // The bucket starts empty (no saved-up credit), so the ideal is total / rate.
    const ideal = total / rate;
    expect(seconds).toBeGreaterThan(ideal * 0.9);
    // Timers run late on a busy machine: the slow side only catches a throttle that loses much of the rate.
    expect(seconds).toBeLessThan(ideal * 1.5 + 0.5);
  });

  test('time nobody used is not saved up: after an idle spell the rate holds from the first byte', async () => {
    const rate = 256 * KiB;
    let now = 0;
    const throttle = new Throttle(rate, 100, () => now);
    const signal = new AbortController().signal;
    now = 10_000; // ten idle seconds, as a paused job spends them
    let granted = false;
    const first = throttle.take(32 * KiB, signal).then(() => (granted = true));
    await Promise.resolve();
    expect(granted).toBe(false);
    now += (32 * KiB * 1000) / rate; // exactly the time 32 KiB take at the limit
    await first;
    expect(granted).toBe(true);
  });

  test('0 means unlimited', async () => {
    const seconds = await timeTransfer(new Throttle(0), 8 * 1024 * KiB, 2);
    expect(seconds).toBeLessThan(0.5);
  });

  test('a live change to unlimited releases waiting transfers at once', async () => {
    const throttle = new Throttle(1 * KiB);
    const signal = new AbortController().signal;
    const waiting = throttle.take(64 * KiB, signal); // from an empty bucket: would need a minute
    let released = false;
    void waiting.then(() => (released = true));
    await new Promise((r) => setTimeout(r, 20));
    expect(released).toBe(false);
    throttle.setRate(0);
    await waiting;
    expect(released).toBe(true);
  });

  test('a live change of rate applies to the bytes still to come', async () => {
    const throttle = new Throttle(64 * KiB);
    const pending = timeTransfer(throttle, 256 * KiB, 1);
    throttle.setRate(2048 * KiB);
    expect(await pending).toBeLessThan(0.5);
  });

  test('an aborted waiter rejects CANCELED and leaves the queue', async () => {
    const throttle = new Throttle(1 * KiB);
    const controller = new AbortController();
    const waiting = throttle.take(10 * KiB, controller.signal);
    controller.abort();
    await expect(waiting).rejects.toMatchObject({ code: 'CANCELED' });
    throttle.setRate(0);
    await expect(throttle.take(1, new AbortController().signal)).resolves.toBeUndefined();
  });

  test('refuses a negative or non-finite rate', () => {
    expect(() => new Throttle(-1)).toThrow(/non-negative/);
    expect(() => new Throttle(0).setRate(Number.NaN)).toThrow(/non-negative/);
  });
});

describe('limitAt', () => {
  // 2024-01-01 was a Monday (day 1).
  const at = (day: number, hhmm: string) => {
    const [h, m] = hhmm.split(':').map(Number);
    return new Date(2024, 0, day, h, m);
  };
  const office: ScheduleEntry = { days: [1, 2, 3, 4, 5], from: '08:00', to: '18:00', bytesPerSecond: 10_000 };
  const night: ScheduleEntry = { days: [1], from: '22:00', to: '06:00', bytesPerSecond: 50_000 };

  test('applies entries by weekday and time of day, start inclusive, end exclusive', () => {
    expect(limitAt(at(1, '08:00'), [office])).toBe(10_000);
    expect(limitAt(at(1, '17:59'), [office])).toBe(10_000);
    expect(limitAt(at(1, '18:00'), [office])).toBe(0);
    expect(limitAt(at(6, '12:00'), [office], 777)).toBe(777); // Saturday: the fallback
  });

  test('an entry that ends before it starts runs past midnight into the next day', () => {
    expect(limitAt(at(1, '23:30'), [night])).toBe(50_000);
    expect(limitAt(at(2, '05:59'), [night])).toBe(50_000); // Tuesday morning, from Monday's entry
    expect(limitAt(at(2, '06:00'), [night])).toBe(0);
    expect(limitAt(at(1, '05:00'), [night])).toBe(0); // Monday morning belongs to Sunday's night
  });

  test('overlapping entries: the lowest non-zero limit wins; from == to is the whole day', () => {
    const allMonday: ScheduleEntry = { days: [1], from: '00:00', to: '00:00', bytesPerSecond: 20_000 };
    const unlimited: ScheduleEntry = { days: [1], from: '00:00', to: '24:00', bytesPerSecond: 0 };
    expect(limitAt(at(1, '12:00'), [allMonday, office, unlimited])).toBe(10_000);
    expect(limitAt(at(1, '20:00'), [allMonday, office, unlimited])).toBe(20_000);
    expect(limitAt(at(1, '20:00'), [unlimited], 5)).toBe(0);
  });

  test('refuses malformed entries', () => {
    expect(() => limitAt(new Date(), [{ ...office, from: '8:00' }])).toThrow(/'HH:MM'/);
    expect(() => limitAt(new Date(), [{ ...office, to: '12:60' }])).toThrow(/'HH:MM'/);
    expect(() => limitAt(new Date(), [{ ...office, days: [7] }])).toThrow(/days/);
    expect(() => limitAt(new Date(), [{ ...office, bytesPerSecond: -5 }])).toThrow(/bytesPerSecond/);
  });
});
