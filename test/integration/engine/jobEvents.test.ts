import { appendFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { dispatchCommand } from '../../../main/engine/api/dispatch';
import type { JobRunner } from '../../../main/engine/jobs/runner';
import { FerryError } from '../../../shared/errors';
import type { JobEvent, JobView } from '../../../shared/model';
import { startEngine, waitForJob } from '../../helpers/engineFixture';

type Fixture = ReturnType<typeof startEngine>;
const ok = <T>(res: unknown): T => {
  expect(res).toMatchObject({ ok: true });
  return (res as { value: T }).value;
};
const eventsOf = async (f: Fixture, id: number) => ok<{ events: JobEvent[] }>(await dispatchCommand(f.engine, 'listEvents', { id, limit: 1000 })).events;

/** Goes through two stages, the second of which fails unless told otherwise; waits for a release before the second. */
function stagedRunner(release: Promise<void>): JobRunner<{ fail: boolean }> {
  return {
    kind: 'verify',
    policy: { maxAttempts: 1 },
    async run(ctx) {
      ctx.stage('reading');
      ctx.progress({ done: 0, total: 2, unit: 'items' });
      await release;
      ctx.stage('checking');
      ctx.stage('checking');
      if (ctx.params.fail) throw new FerryError('REMOTE', 'the checksum did not match');
      ctx.progress({ done: 2, total: 2, unit: 'items', processed: 2 });
      return { result: 'success' };
    },
  };
}

describe('job events: stages, resumes and older event files', () => {
  let f: Fixture | undefined;
  afterEach(async () => {
    await f?.dispose();
    f = undefined;
  });

  it('records each stage with its duration, ends the last one failed with the reason, and getJob lists the times', async () => {
    let go!: () => void;
    f = startEngine({ runners: [stagedRunner(new Promise<void>((r) => (go = r)))] });
    const id = f.engine.services.jobs.create({ kind: 'verify', name: 'staged', priority: 'normal', params: { fail: true }, total: 2 }).id;
    await waitForJob(f.engine, id, (j) => j.stage === 'reading');
    expect(ok<JobView>(await dispatchCommand(f.engine, 'getJob', { id })).stages).toEqual([expect.objectContaining({ name: 'reading', outcome: 'running', ms: null, endedAt: null })]);
    go();
    await waitForJob(f.engine, id, (j) => j.state === 'failed');
    const stages = (await eventsOf(f, id)).filter((e) => e.type.startsWith('stage_'));
    // Naming the stage it is already in changes nothing.
    expect(stages.map((e) => `${e.type} ${String(e.payload?.stage)}`)).toEqual([
      'stage_started reading',
      'stage_completed reading',
      'stage_started checking',
      'stage_failed checking',
    ]);
    expect(stages[3]!.payload).toMatchObject({ error: expect.stringContaining('the checksum did not match') });
    expect(stages[3]!.message).toMatch(/^Stage checking failed after \d+ ms: /);
    const view = ok<JobView>(await dispatchCommand(f.engine, 'getJob', { id }));
    expect(view.stages).toEqual([
      expect.objectContaining({ name: 'reading', attempt: 1, outcome: 'completed', ms: stages[1]!.payload!.ms }),
      expect.objectContaining({ name: 'checking', attempt: 1, outcome: 'failed', ms: stages[3]!.payload!.ms }),
    ]);
    // Lists stay light: the times are getJob's.
    const page = ok<{ jobs: JobView[] }>(await dispatchCommand(f.engine, 'listJobs', {}));
    expect(page.jobs.find((j) => j.id === id)).not.toHaveProperty('stages');
  });

  it('says job_resumed, and who resumed, when a paused job goes on', async () => {
    f = startEngine();
    const job = ok<JobView>(await dispatchCommand(f.engine, 'createDemoJob', { items: 1000, failRate: 0, itemDelayMs: 10, linesPerItem: 1 }));
    await waitForJob(f.engine, job.id, (j) => j.done >= 2);
    ok(await dispatchCommand(f.engine, 'pauseJob', { id: job.id }, 'desktop'));
    ok(await dispatchCommand(f.engine, 'resumeJob', { id: job.id }, 'desktop'));
    const resumed = (await eventsOf(f, job.id)).find((e) => e.type === 'job_resumed');
    expect(resumed).toMatchObject({ message: 'Resumed by the desktop window', payload: { by: 'desktop' } });
    ok(await dispatchCommand(f.engine, 'cancelJob', { id: job.id }));
    await waitForJob(f.engine, job.id, (j) => j.state === 'canceled');
    // The stage a cancel cut short ends as such, saying why.
    expect((await eventsOf(f, job.id)).find((e) => e.type === 'stage_failed')).toMatchObject({ payload: { stage: 'processing', error: 'Canceled by user' } });
  });

  it('reads the event names older versions wrote under today\'s names', async () => {
    f = startEngine();
    const job = ok<JobView>(await dispatchCommand(f.engine, 'createDemoJob', { items: 1, failRate: 0, itemDelayMs: 0, linesPerItem: 1 }));
    await waitForJob(f.engine, job.id, (j) => j.state === 'completed');
    const last = (await eventsOf(f, job.id)).at(-1)!.seq;
    const old = [
      { type: 'stage', state: 'running', message: 'uploading' },
      { type: 'resumed', state: 'queued', message: 'Resumed' },
      { type: 'approval', state: 'awaiting_approval', message: 'Waiting for approval: check' },
      { type: 'approval', state: 'queued', message: 'Approved by the user' },
      { type: 'approval', state: 'canceled', message: 'Rejected by the user' },
    ];
    appendFileSync(f.engine.services.logs.paths(job.id).events, old.map((e, i) => JSON.stringify({ seq: last + i + 1, ts: Date.now(), stage: null, ...e }) + '\n').join(''));
    const read = (await eventsOf(f, job.id)).slice(-old.length);
    expect(read.map((e) => e.type)).toEqual(['stage_started', 'job_resumed', 'gate_waiting', 'gate_approved', 'gate_rejected']);
  });
});
