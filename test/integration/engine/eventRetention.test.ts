import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { dispatchCommand, openStream } from '../../../main/engine/api/dispatch';
import { EngineStateRepo } from '../../../main/engine/db/engineStateRepo';
import { EventSweep } from '../../../main/engine/logs/eventSweep';
import { trimEventsFile } from '../../../main/engine/logs/eventTrim';
import type { EventBatch, EventPage } from '../../../shared/contract';
import type { JobView } from '../../../shared/model';
import { startEngine, waitForJob } from '../../helpers/engineFixture';
import { makeTmpDir } from '../../helpers/tmpDir';

const ok = <T>(res: unknown): T => {
  expect(res).toMatchObject({ ok: true });
  return (res as { value: T }).value;
};
const DAY = 24 * 60 * 60 * 1000;

describe('event retention', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  it('keeps a job to its event cap, keeps seq going across a restart, and tells a reader that resumes from a dropped seq of the gap', async () => {
    const tmp = makeTmpDir('ferry-events-');
    cleanups.push(tmp.cleanup);
    let f = startEngine({ dataDir: tmp.dir });
    cleanups.push(() => f.dispose());
    ok(await dispatchCommand(f.engine, 'updateSettings', { eventsMaxPerJob: 20 }));
    const job = ok<JobView>(await dispatchCommand(f.engine, 'createDemoJob', { items: 100_000, itemDelayMs: 1000, failRate: 0, linesPerItem: 1 }));
    ok(await dispatchCommand(f.engine, 'pauseJob', { id: job.id }));
    for (let i = 0; i < 120; i++) ok(await dispatchCommand(f.engine, 'setPriority', { id: job.id, priority: i % 2 ? 'low' : 'high' }));
    const read = (since: number) => dispatchCommand(f.engine, 'listEvents', { id: job.id, since }).then((r) => ok<EventPage>(r));

    const all = await read(0);
    const [marker, ...kept] = all.events;
    const last = kept.at(-1)!.seq;
    expect(last).toBeGreaterThanOrEqual(122);
    // Trimmed to the cap when it is a quarter (at least 16) over it: never more than that on file.
    expect(kept.length).toBeGreaterThanOrEqual(20);
    expect(kept.length).toBeLessThanOrEqual(20 + 16);
    const first = kept[0]!.seq;
    expect(all.gap).toEqual({ from: 1, to: first - 1 });
    // The reader is told, in the stream itself: one event stands for the dropped ones, with the last dropped seq.
    expect(marker).toMatchObject({ seq: first - 1, type: 'events_dropped', payload: { from: 1, to: first - 1 } });
    expect(marker!.message).toBe(`${first - 1} older events were dropped by the event retention settings (#1 to #${first - 1})`);
    // Sequence numbers are unchanged and without holes after the first one kept.
    expect(kept.map((e) => e.seq)).toEqual(Array.from({ length: kept.length }, (_, i) => first + i));
    expect(all.nextSince).toBe(last);
    expect(readFileSync(f.engine.services.logs.paths(job.id).events, 'utf8').trimEnd().split('\n')).toHaveLength(kept.length);

    // Resuming from a seq that was dropped: told of the gap, then every event after it, no repeats.
    const resumed = await read(5);
    expect(resumed.gap).toEqual({ from: 6, to: first - 1 });
    expect(resumed.events.map((e) => e.seq).slice(0, 2)).toEqual([first - 1, first]);
    // Resuming from the marker's seq (an SSE client's Last-Event-ID): the kept events, no marker again.
    const fromMarker = await read(first - 1);
    expect(fromMarker.gap).toBeUndefined();
    expect(fromMarker.events.map((e) => e.seq)).toEqual(kept.map((e) => e.seq));
    // Resuming from a kept seq: no gap.
    const near = await read(last - 3);
    expect(near.gap).toBeUndefined();
    expect(near.events.map((e) => e.seq)).toEqual([last - 2, last - 1, last]);

    // The live stream says the same to a follower that starts before the first kept event.
    const batch = await new Promise<EventBatch>((resolve, reject) => {
      const close = openStream(f.engine, 'job.events', { id: job.id, since: 3 }, (msg) => {
        close();
        if ('error' in msg) reject(new Error(msg.error.message));
        else resolve(msg.payload as EventBatch);
      });
    });
    expect(batch.gap).toEqual({ from: 4, to: first - 1 });
    expect(batch.events[0]).toMatchObject({ type: 'events_dropped', seq: first - 1 });

    // After a restart the next event goes on from the last seq.
    await f.dispose();
    f = startEngine({ dataDir: tmp.dir });
    ok(await dispatchCommand(f.engine, 'setPriority', { id: job.id, priority: 'normal' }));
    const after = await read(last);
    expect(after.gap).toBeUndefined();
    expect(after.events.map((e) => [e.seq, e.type])).toEqual([[last + 1, 'priority']]);
    ok(await dispatchCommand(f.engine, 'cancelJob', { id: job.id }));
    await waitForJob(f.engine, job.id, (j) => j.state === 'canceled');
  });

  it('drops the old events of finished jobs in the periodic pass, once per job', async () => {
    const f = startEngine();
    cleanups.push(() => f.dispose());
    ok(await dispatchCommand(f.engine, 'updateSettings', { eventsMaxAgeDays: 1 }));
    const job = ok<JobView>(await dispatchCommand(f.engine, 'createDemoJob', { items: 3, itemDelayMs: 0, failRate: 0, linesPerItem: 1 }));
    await waitForJob(f.engine, job.id, (j) => j.state === 'completed');
    await waitForJob(f.engine, job.id, () => f.engine.services.jobs.isDone(job.id));
    const before = ok<EventPage>(await dispatchCommand(f.engine, 'listEvents', { id: job.id })).events;
    expect(before.length).toBeGreaterThan(3);
    const sweep = new EventSweep(f.engine.services.repo, f.engine.services.logs, () => DAY, new EngineStateRepo(f.engine.services.db));
    // Not a day old yet: nothing goes.
    expect(sweep.run()).toBe(0);
    expect(sweep.run(Date.now() + 2 * DAY)).toBe(1);
    const after = ok<EventPage>(await dispatchCommand(f.engine, 'listEvents', { id: job.id }));
    expect(after.events.map((e) => e.type)).toEqual(['events_dropped', before.at(-1)!.type]);
    expect(after.events[1]).toEqual(before.at(-1));
    expect(after.gap).toEqual({ from: 1, to: before.at(-1)!.seq - 1 });
    // Swept once: the next pass does not read it again.
    expect(sweep.run(Date.now() + 3 * DAY)).toBe(0);
  });

  it('drops events older than the age limit, but always keeps the last one', () => {
    const tmp = makeTmpDir('ferry-events-age-');
    cleanups.push(tmp.cleanup);
    const path = join(tmp.dir, 'events.jsonl');
    const now = Date.now();
    const line = (seq: number, ts: number) => JSON.stringify({ seq, ts, type: 'log', state: 'running', stage: null, message: `e${seq}` }) + '\n';
    writeFileSync(path, [line(1, now - 40 * DAY), line(2, now - 31 * DAY), line(3, now - 2 * DAY), line(4, now)].join(''));
    expect(trimEventsFile(path, { maxPerJob: 0, maxAgeMs: 30 * DAY }, now)).toEqual({ firstSeq: 3, firstTs: now - 2 * DAY, dropped: 2 });
    expect(readFileSync(path, 'utf8')).toBe(line(3, now - 2 * DAY) + line(4, now));
    writeFileSync(path, [line(7, now - 90 * DAY), line(8, now - 60 * DAY)].join(''));
    expect(trimEventsFile(path, { maxPerJob: 0, maxAgeMs: 30 * DAY }, now)).toMatchObject({ firstSeq: 8, dropped: 1 });
    expect(readFileSync(path, 'utf8')).toBe(line(8, now - 60 * DAY));
    // Nothing due: the file is left alone.
    expect(trimEventsFile(path, { maxPerJob: 5, maxAgeMs: 0 }, now)).toBeNull();
    rmSync(path);
  });
});
