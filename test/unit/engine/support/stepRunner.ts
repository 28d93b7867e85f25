import { setTimeout as sleep } from 'node:timers/promises';
import { FerryError } from '../../../../shared/errors';
import type { JobKind } from '../../../../shared/model';
import type { KindPolicy } from '../../../../main/engine/jobs/kindPolicy';
import type { JobRunner } from '../../../../main/engine/jobs/runner';

/** What a test job does: `steps` units of work, each taking `stepMs`, with optional faults. */
export interface StepParams {
  steps: number;
  stepMs?: number;
  /** Attempts 1..failTimes fail at their first step. */
  failTimes?: number;
  /** The failure says that trying again cannot help. */
  fatal?: boolean;
  /** Stops reporting progress (but keeps running) for this long before its first step. */
  stallMs?: number;
  /** Ignores cancel and pause: sleeps this long without looking at its signal. */
  deafMs?: number;
}

export interface StepState {
  next: number;
}

/** Every start and every step a runner did, by job, so tests can check "exactly once". */
export interface StepLog {
  starts: Map<number, number[]>;
  steps: Map<number, number[]>;
}

/**
 * A job kind for engine tests: resumable (persists after every step), honouring checkpoints, and
 * recording what it did in `log`.
 */
export function stepRunner(kind: JobKind = 'verify', policy?: Partial<KindPolicy>): JobRunner<StepParams, StepState> & { log: StepLog } {
  const log: StepLog = { starts: new Map(), steps: new Map() };
  const push = (m: Map<number, number[]>, id: number, v: number) => {
    const list = m.get(id) ?? [];
    list.push(v);
    m.set(id, list);
  };
  return {
    kind,
    ...(policy ? { policy } : {}),
    log,
    async run(ctx) {
      const p = ctx.params;
      const state = ctx.restore() ?? { next: 0 };
      push(log.starts, ctx.jobId, state.next);
      ctx.progress({ done: state.next, total: p.steps, unit: 'items' });
      if (p.deafMs) await sleep(p.deafMs);
      if (p.stallMs) await sleep(p.stallMs, undefined, { signal: ctx.signal }).catch(() => undefined);
      for (let i = state.next; i < p.steps; i++) {
        await ctx.checkpoint();
        if (p.failTimes && ctx.attempt <= p.failTimes) {
          throw new FerryError('REMOTE', `step ${i + 1} failed on attempt ${ctx.attempt}`, p.fatal ? { retriable: false } : undefined);
        }
        if (p.stepMs) await sleep(p.stepMs, undefined, { signal: ctx.signal }).catch(() => undefined);
        if (ctx.signal.aborted) throw ctx.signal.reason;
        ctx.log(`step ${i + 1} of ${p.steps}`);
        push(log.steps, ctx.jobId, i);
        state.next = i + 1;
        ctx.progress({ done: state.next, total: p.steps, unit: 'items', processed: state.next });
        ctx.persist(state);
      }
      return { result: 'success' };
    },
  };
}
