/**
 * The event feed on a real engine (SQLite file, events.jsonl files): global ids in the order
 * events became readable, pages that split a flush without losing or repeating an event, the job
 * filter, and the ids kept across a restart of the engine on the same data directory.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { FeedEvent } from '../../../../shared/contract';
import { startEngine, waitForJob } from '../../../helpers/engineFixture';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';

const disposers: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (disposers.length) await disposers.pop()!();
});

async function finishedJobs(engine: ReturnType<typeof startEngine>['engine'], count: number): Promise<number[]> {
  const ids: number[] = [];
  for (let i = 0; i < count; i++) {
    const job = await engine.commands.createDemoJob({ items: 4, failRate: 0, itemDelayMs: 0, linesPerItem: 1, priority: 'normal' });
    ids.push(job.id);
  }
  for (const id of ids) await waitForJob(engine, id, (j) => j.state === 'completed');
  return ids;
}

describe('EventFeed', () => {
  it('pages of any size give every event once, in id order, equal to each job\'s own events', async () => {
    const fixture = startEngine();
    disposers.push(fixture.dispose);
    const { engine } = fixture;
    const ids = await finishedJobs(engine, 3);
    const feed = engine.services.feed;
    const all = (await feed.read(0, 100_000)).events;
    expect(all.map((e) => e.gid)).toEqual(all.map((_, i) => i + 1));
    for (const id of ids) {
      const own = (await engine.commands.listEvents({ id, since: 0, limit: 10_000 })).events;
      expect(all.filter((e) => e.jobId === id).map(({ seq, type }) => ({ seq, type }))).toEqual(own.map(({ seq, type }) => ({ seq, type })));
    }
    for (const size of [1, 2, 3, 7]) {
      const paged: FeedEvent[] = [];
      for (let after = 0; ; ) {
        const page = await feed.read(after, size);
        if (page.events.length === 0) break;
        expect(page.events.length).toBeLessThanOrEqual(size);
        expect(page.next).toBe(page.events[page.events.length - 1]!.gid);
        paged.push(...page.events);
        after = page.next;
      }
      expect(paged, `pages of ${size}`).toEqual(all);
    }
    const onlyLast = (await feed.read(0, 100_000, [ids[2]!])).events;
    expect(onlyLast.length).toBeGreaterThan(0);
    expect(onlyLast).toEqual(all.filter((e) => e.jobId === ids[2]));
  });

  it('keeps its ids across a restart: new events continue after the last one', async () => {
    const first = startEngine();
    const { dataDir } = first;
    disposers.push(async () => rmSync(dataDir, { recursive: true, force: true }));
    await finishedJobs(first.engine, 1);
    const before = (await first.engine.services.feed.read(0, 100_000)).events;
    await first.engine.stop();
    const again = startEngine({ dataDir });
    disposers.push(again.dispose);
    expect(again.engine.services.feed.head()).toBe(before[before.length - 1]!.gid);
    await finishedJobs(again.engine, 1);
    const after = (await again.engine.services.feed.read(0, 100_000)).events;
    expect(after.slice(0, before.length)).toEqual(before);
    expect(after.length).toBeGreaterThan(before.length);
    expect(after.map((e) => e.gid)).toEqual(after.map((_, i) => i + 1));
  });

  it('does not announce as new what a job held before the feed knew it (a data directory from before the feed)', async () => {
    const first = startEngine();
    const { dataDir } = first;
    disposers.push(async () => rmSync(dataDir, { recursive: true, force: true }));
    const job = await first.engine.commands.createDemoJob({ items: 100_000, failRate: 0, itemDelayMs: 1000, linesPerItem: 1, priority: 'normal' });
    const id = job.id;
    await waitForJob(first.engine, id, (j) => j.state === 'running');
    await first.engine.commands.pauseJob({ id });
    await waitForJob(first.engine, id, (j) => j.state === 'paused');
    const old = (await first.engine.commands.listEvents({ id, since: 0, limit: 10_000 })).events;
    await first.engine.stop();
    // As a data directory of a version without the feed: the job's events are on disk only.
    const db = new Database(join(dataDir, 'ferry.db'));
    db.exec('DELETE FROM event_feed');
    db.close();
    const again = startEngine({ dataDir });
    disposers.push(again.dispose);
    await again.engine.commands.resumeJob({ id });
    await waitForJob(again.engine, id, (j) => j.state === 'running');
    await again.engine.commands.cancelJob({ id });
    await waitForJob(again.engine, id, (j) => j.state === 'canceled');
    const fed = (await again.engine.services.feed.read(0, 100_000)).events;
    // Only what happened after the restart, from the resume on, each once.
    expect(fed.map((e) => e.type)).toContain('canceled');
    expect(fed[0]!.seq).toBe(old[old.length - 1]!.seq + 1);
    expect(fed.map((e) => e.seq)).toEqual((await again.engine.commands.listEvents({ id, since: old[old.length - 1]!.seq, limit: 10_000 })).events.map((e) => e.seq));
  });
});
