import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../../../main/engine/db/database';
import { jobQuery, type JobFilter } from '../../../../main/engine/db/jobQuery';
import { JobsRepo } from '../../../../main/engine/db/jobsRepo';
import { MIGRATIONS } from '../../../../main/engine/db/migrations';
import { JOB_STATES, type JobKind, type JobState, type JobStateFilter, type Priority } from '../../../../shared/model';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

function tempDb(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-tally-'));
  dirs.push(dir);
  return join(dir, 'ferry.db');
}

/** A deterministic generator, so a failure can be replayed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const KINDS: JobKind[] = ['upload', 'demo', 'download', 'command'];
const DESTS = ['d1', 'd2', 'd3', null];
const PRIORITIES: Priority[] = ['high', 'normal', 'low'];
const FILTER_STATES: JobStateFilter[] = [...JOB_STATES, 'partial'];

/** The number of jobs a filter matches, counted row by row (what the kept totals must equal). */
const counted = (db: Db, filter: JobFilter) => {
  const q = jobQuery(filter);
  return (db.prepare(`SELECT COUNT(*) AS n FROM jobs ${q.where}`).get(q.args) as { n: number }).n;
};

function randomFilter(random: () => number): JobFilter {
  const some = <T>(list: readonly T[]): T[] | undefined => (random() < 0.5 ? undefined : list.filter(() => random() < 0.4));
  const filter: JobFilter = {};
  const state = some(FILTER_STATES);
  const kind = some(KINDS);
  const priority = some(PRIORITIES);
  const destinationId = some(['d1', 'd2', 'd3', 'nowhere']);
  if (state?.length) filter.state = state;
  if (kind?.length) filter.kind = kind;
  if (priority?.length) filter.priority = priority;
  if (destinationId?.length) filter.destinationId = destinationId;
  return filter;
}

describe('the kept tally of jobs (totals of lists filtered by state, kind, destination and priority)', () => {
  it('equals a count of the matching rows after inserts, state changes, partial results, priority changes and deletes', () => {
    const db = openDatabase(tempDb());
    const repo = new JobsRepo(db);
    const random = prng(15);
    const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
    const ids: number[] = [];
    const check = (round: number) => {
      for (let i = 0; i < 60; i++) {
        const filter = randomFilter(random);
        expect(repo.list({ ...filter, limit: 5, offset: 0 }).total, `round ${round}, filter ${JSON.stringify(filter)}`).toBe(counted(db, filter));
      }
    };
    for (let round = 0; round < 4; round++) {
      for (let i = 0; i < 150; i++) {
        const kind = pick(KINDS);
        ids.push(repo.insert({ kind, name: `job ${ids.length}`, priority: pick(PRIORITIES), params: {}, destinationId: pick(DESTS) }).id);
      }
      for (let i = 0; i < 200; i++) {
        const id = pick(ids);
        if (!repo.get(id)) continue;
        const r = random();
        if (r < 0.5) {
          const state = pick(JOB_STATES);
          repo.update(id, state === 'completed' ? { state, result: random() < 0.4 ? 'partial' : 'success' } : { state, result: null });
        } else if (r < 0.65) repo.update(id, { result: random() < 0.5 ? 'partial' : 'success' });
        else if (r < 0.8) repo.update(id, { priority: Math.floor(random() * 3) });
        else if (r < 0.9) repo.update(id, { destination_id: pick(DESTS) });
        else repo.delete(id);
      }
      check(round);
    }
    // Every state once more, each alone and all together.
    for (const s of FILTER_STATES) expect(repo.list({ state: [s], kind: ['upload'], limit: 1, offset: 0 }).total).toBe(counted(db, { state: [s], kind: ['upload'] }));
    expect(repo.list({ kind: [...KINDS], limit: 1, offset: 0 }).total).toBe(repo.count());
    db.close();
  });

  it('is filled from the jobs already there when an older database is migrated', () => {
    const file = tempDb();
    const old = new Database(file);
    for (const sql of MIGRATIONS.slice(0, 8)) old.exec(sql);
    old.pragma('user_version = 8');
    const insert = old.prepare(
      `INSERT INTO jobs (kind, name, state, priority, destination_id, result, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 1, 1)`,
    );
    const rows: [JobKind, JobState, number, string | null, string | null][] = [
      ['upload', 'completed', 1, 'd1', 'partial'],
      ['upload', 'completed', 1, 'd1', 'success'],
      ['upload', 'failed', 0, 'd2', 'failed'],
      ['demo', 'queued', 2, null, null],
      ['demo', 'completed', 1, null, 'partial'],
    ];
    rows.forEach(([kind, state, priority, dest, result], i) => insert.run(kind, `old ${i}`, state, priority, dest, result));
    old.close();

    const db = openDatabase(file);
    const repo = new JobsRepo(db);
    const total = (filter: JobFilter) => repo.list({ ...filter, limit: 1, offset: 0 }).total;
    expect(total({ kind: ['upload'] })).toBe(3);
    expect(total({ state: ['partial'], kind: ['upload', 'demo'] })).toBe(2);
    expect(total({ destinationId: ['d1'], state: ['completed'] })).toBe(2);
    expect(total({ priority: ['low'], kind: ['demo'] })).toBe(1);
    // And kept from then on.
    repo.insert({ kind: 'upload', name: 'new', priority: 'high', params: {}, destinationId: 'd2' });
    expect(total({ destinationId: ['d2'] })).toBe(2);
    for (let i = 0; i < 30; i++) {
      const filter = randomFilter(prng(i));
      expect(total(filter), JSON.stringify(filter)).toBe(counted(db, filter));
    }
    db.close();
  });
});
