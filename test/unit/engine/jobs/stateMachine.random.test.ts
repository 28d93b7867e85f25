import { readFileSync, rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { FerryError } from '../../../../shared/errors';
import { isFinished, JOB_STATES, TRANSITIONS, type JobEvent, type JobState, type Priority } from '../../../../shared/model';
import { dispatchCommand } from '../../../../main/engine/api/dispatch';
import type { Engine } from '../../../../main/engine/engine';
import { startEngine } from '../../../helpers/engineFixture';
import { seededRandom } from '../../../helpers/seededRandom';
import { stepRunner } from '../support/stepRunner';
import { waitFor } from '../support/waitFor';

const ROUNDS = 4;
const JOBS_PER_ROUND = 500;
const COMMANDS_PER_ROUND = 2500;
const CONCURRENCY = 4;
/** Event types that record a move in the transition table. */
const MOVES = new Set(['started', 'paused', 'job_resumed', 'retried', 'recovered', 'completed', 'failed', 'canceled']);
const legal = (from: JobState, to: JobState) => Object.values(TRANSITIONS[from]).includes(to);

describe('randomized state machine', () => {
  const dirs: string[] = [];
  let engine: Engine | undefined;
  afterEach(async () => {
    await engine?.stop();
    engine = undefined;
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it(`never reaches an illegal state or loses a job over ${ROUNDS * JOBS_PER_ROUND} random command sequences`, async () => {
    const seed = Number(process.env.FERRY_SEED ?? Math.floor(Math.random() * 2 ** 31));
    const random = seededRandom(seed);
    const pick = <T,>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
    const context = () => `seed ${seed} (replay with FERRY_SEED=${seed})`;
    for (let round = 0; round < ROUNDS; round++) {
      const runner = stepRunner('verify');
      const open = (dataDir?: string) => {
        const fx = startEngine({ runners: [runner], limits: { concurrency: CONCURRENCY }, basePolicy: { backoff: { baseMs: 1, maxMs: 5 } }, ...(dataDir ? { dataDir } : {}) });
        engine = fx.engine;
        return fx;
      };
      const { dataDir } = open();
      dirs.push(dataDir);
      const alive = new Set<number>();
      const deleted = new Set<number>();
      let created = 0;
      const restartAt = Math.floor(COMMANDS_PER_ROUND / 2 + random() * 1000);

      const check = (what: string) => {
        const rows = engine!.services.db.prepare('SELECT id, state FROM jobs').all() as { id: number; state: JobState }[];
        const ids = new Set(rows.map((r) => r.id));
        for (const r of rows) expect(JOB_STATES, `${what}: job ${r.id} ${context()}`).toContain(r.state);
        for (const id of alive) expect(ids.has(id), `${what}: job ${id} was lost, ${context()}`).toBe(true);
        for (const id of deleted) expect(ids.has(id), `${what}: deleted job ${id} came back, ${context()}`).toBe(false);
        const running = rows.filter((r) => r.state === 'running').length;
        expect(running, `${what}: ${running} running > ${CONCURRENCY}, ${context()}`).toBeLessThanOrEqual(CONCURRENCY);
      };

      for (let step = 0; step < COMMANDS_PER_ROUND; step++) {
        if (step === restartAt) {
          await engine!.stop();
          open(dataDir);
          check('after a restart');
        }
        const roll = random();
        if (created < JOBS_PER_ROUND && (roll < 0.12 || alive.size === 0)) {
          const view = engine!.services.jobs.create({
            kind: 'verify',
            name: `r${round}-${created}`,
            priority: pick(['high', 'normal', 'low'] as Priority[]),
            params: { steps: 1 + Math.floor(random() * 6), stepMs: Math.floor(random() * 3), ...(random() < 0.15 ? { failTimes: 1 + Math.floor(random() * 3) } : {}) },
            total: 6,
          });
          alive.add(view.id);
          created++;
        } else if (roll < 0.97 && alive.size > 0) {
          const id = random() < 0.03 && deleted.size ? pick([...deleted]) : pick([...alive]);
          const command = pick(['pauseJob', 'resumeJob', 'cancelJob', 'retryJob', 'stopAfterCurrent', 'setPriority', 'deleteJob', 'getJob'] as const);
          const before = engine!.services.repo.get(id);
          const input = command === 'setPriority' ? { id, priority: pick(['high', 'normal', 'low']) } : { id };
          try {
            // Called directly, so nothing runs between the call and the checks around it.
            (engine!.commands[command] as (i: unknown) => unknown)(input);
            if (command === 'deleteJob') {
              alive.delete(id);
              deleted.add(id);
            }
            if (command === 'pauseJob') expect(engine!.services.repo.get(id)!.state).toBe('paused');
            if (command === 'cancelJob') expect(engine!.services.repo.get(id)!.state).toBe('canceled');
          } catch (err) {
            expect(err, `${command}(${id}) threw ${String(err)}, ${context()}`).toBeInstanceOf(FerryError);
            const code = (err as FerryError).code;
            expect(['CONFLICT', 'NOT_FOUND'], `${command}(${id}) answered ${code}, ${context()}`).toContain(code);
            if (code === "NOT_FOUND") expect(deleted.has(id), `${command}(${id}): ${(err as Error).message}`).toBe(true);
            // A refused command changes nothing.
            expect(engine!.services.repo.get(id)).toEqual(before);
          }
        } else if (roll < 0.985) {
          const res = await dispatchCommand(engine!, 'bulkAction', { action: pick(['pause', 'resume', 'cancel', 'retry']) });
          expect(res.ok, context()).toBe(true);
        } else {
          engine!.services.jobs.setQueuePaused(random() < 0.5);
        }
        if (step % 10 === 0) check(`step ${step}`);
        // Let runners move on between some commands, so commands meet jobs in every state.
        if (random() < 0.3) await new Promise((r) => setImmediate(r));
      }

      // Drain: release everything and let every job reach a final state.
      engine!.services.jobs.setQueuePaused(false);
      await dispatchCommand(engine!, 'bulkAction', { action: 'resume' });
      await waitFor(engine!, () => [...alive].every((id) => engine!.services.jobs.isDone(id) || engine!.services.repo.get(id)!.state === 'paused'), 'every job to settle', 30_000);
      await dispatchCommand(engine!, 'bulkAction', { action: 'cancel' });
      await waitFor(engine!, () => [...alive].every((id) => engine!.services.jobs.isDone(id)), 'every job to finish', 30_000);
      check('at the end');
      // The per-state counts kept by triggers agree with the table.
      const actual = Object.fromEntries((engine!.services.db.prepare('SELECT state, COUNT(*) AS n FROM jobs GROUP BY state').all() as { state: string; n: number }[]).map((r) => [r.state, r.n]));
      expect(engine!.services.repo.countByState(), context()).toEqual(actual);
      await verifyFiles(engine!, alive, runner.log.steps, context);
      await engine!.stop();
      engine = undefined;
    }
  }, 120_000);
});

/** Every job's events follow the transition table, its footers match its ends, its work ran once. */
async function verifyFiles(engine: Engine, ids: Set<number>, steps: Map<number, number[]>, context: () => string): Promise<void> {
  for (const id of ids) {
    const row = engine.services.repo.get(id)!;
    const events: JobEvent[] = await engine.services.logs.readEvents(id, 0, 1_000_000);
    expect(events.map((e) => e.seq), `job ${id} seq, ${context()}`).toEqual(events.map((_, i) => i + 1));
    let state: JobState = 'queued';
    let ends = 0;
    for (const e of events) {
      if (!MOVES.has(e.type)) continue;
      expect(legal(state, e.state), `job ${id}: ${state} -> ${e.state} (${e.type}), ${context()}`).toBe(true);
      state = e.state;
      if (isFinished(e.state)) ends++;
    }
    expect(state, `job ${id} last event vs row, ${context()}`).toBe(row.state);
    const log = readFileSync(engine.services.logs.paths(id).log, 'utf8');
    expect((log.match(/<footer_json>/g) ?? []).length, `job ${id} footers, ${context()}`).toBe(ends);
    if (row.state === 'completed') {
      const done = steps.get(id) ?? [];
      expect(new Set(done).size, `job ${id} ran a step twice, ${context()}`).toBe(done.length);
    }
  }
}
