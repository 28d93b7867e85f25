import { appendFileSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { dispatchCommand } from '../../../main/engine/api/dispatch';
import type { JobEvent, JobView } from '../../../shared/model';
import { waitForJob, waitOn } from '../../helpers/engineFixture';
import { makeDataset, startFerryServices } from '../../helpers/servicesFixture';
import { startWebhookReceiver } from '../../helpers/webhookReceiver';

type Ferry = Awaited<ReturnType<typeof startFerryServices>>;
const ok = <T>(res: unknown): T => {
  expect(res).toMatchObject({ ok: true });
  return (res as { value: T }).value;
};
/** The job that follows `parent` in its pipeline, once it exists. */
function nextStep(ferry: Ferry, parent: number): Promise<JobView> {
  return waitOn(
    (changed) => ferry.engine.services.jobs.onChanged(changed),
    () => {
      const row = ferry.engine.services.db.prepare('SELECT id FROM jobs WHERE parent_id = ?').get(parent) as { id: number } | undefined;
      return row ? ferry.engine.services.jobs.view(row.id) : undefined;
    },
    `the step after job ${parent}`,
    10_000,
  );
}
const eventsOf = async (ferry: Ferry, id: number) => ok<{ events: JobEvent[] }>(await dispatchCommand(ferry.engine, 'listEvents', { id, limit: 1000 })).events;
const logOf = (ferry: Ferry, id: number) => readFileSync(ferry.engine.services.logs.paths(id).log, 'utf8');

describe('pipelines, approval gates, verify jobs and webhooks', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });
  async function setup(): Promise<{ ferry: Ferry; src: string }> {
    const ferry = await startFerryServices();
    cleanups.push(ferry.dispose);
    const src = makeDataset({ 'a.bin': 5000, 'b/c.bin': 70_000 });
    cleanups.push(() => rmSync(src, { recursive: true, force: true }));
    return { ferry, src };
  }

  it('runs upload → verify: the verify job follows by itself and checks every file', async () => {
    const { ferry, src } = await setup();
    const up = ok<JobView>(await dispatchCommand(ferry.engine, 'createUpload', { paths: [src], then: [{ kind: 'verify' }] }));
    await waitForJob(ferry.engine, up.id, (j) => j.state === 'completed', 30_000);
    const verify = await nextStep(ferry, up.id);
    const done = await waitForJob(ferry.engine, verify.id, (j) => j.state === 'completed' || j.state === 'failed', 30_000);
    expect(done).toMatchObject({ kind: 'verify', state: 'completed', result: 'success', counts: { processed: 2, failed: 0 } });
    expect(logOf(ferry, verify.id)).toMatch(/OK {8}b\/c\.bin \(verified by read-back sha256\)/);
    // The upload's log ends with its footer; the next step is an event of the upload's stream.
    expect(logOf(ferry, up.id)).toMatch(/<\/footer_json>\n$/);
    const events = ok<{ events: { message: string }[] }>(await dispatchCommand(ferry.engine, 'listEvents', { id: up.id }));
    expect(events.events.map((e) => e.message)).toContain(`Next step: verify as job ${verify.id}`);
    // Both jobs know their pipeline: the same chain from either end, the step before on the second.
    const chain = { steps: [{ id: up.id, kind: 'upload', state: 'completed' }, { id: verify.id, kind: 'verify', state: 'completed' }], planned: [] };
    expect(ok(await dispatchCommand(ferry.engine, 'getPipeline', { id: up.id }))).toMatchObject(chain);
    expect(ok(await dispatchCommand(ferry.engine, 'getPipeline', { id: verify.id }))).toMatchObject(chain);
    expect(ok<JobView>(await dispatchCommand(ferry.engine, 'getJob', { id: verify.id }))).toMatchObject({ inPipeline: true, previousStepId: up.id });
    expect(ok<JobView>(await dispatchCommand(ferry.engine, 'getJob', { id: up.id }))).toMatchObject({ inPipeline: true, previousStepId: null });
    const listed = ok<{ jobs: JobView[] }>(await dispatchCommand(ferry.engine, 'listJobs', {})).jobs;
    expect(listed.find((j) => j.id === verify.id)).toMatchObject({ inPipeline: true, previousStepId: up.id });
  });

  it('has no pipeline for a job created without steps, and names a missing job', async () => {
    const { ferry } = await setup();
    const demo = ok<JobView>(await dispatchCommand(ferry.engine, 'createDemoJob', { items: 1, itemDelayMs: 0, failRate: 0 }));
    expect(ok(await dispatchCommand(ferry.engine, 'getPipeline', { id: demo.id }))).toEqual({ steps: [], planned: [] });
    expect(demo).toMatchObject({ inPipeline: false, previousStepId: null });
    const missing = await dispatchCommand(ferry.engine, 'getPipeline', { id: 999_999 });
    expect(missing).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  });

  it('lists the steps still to come: planned until the step before succeeds, a job of its own after', async () => {
    const { ferry, src } = await setup();
    const up = ok<JobView>(await dispatchCommand(ferry.engine, 'createUpload', { paths: [src], then: [{ kind: 'verify', gate: {} }] }));
    // Read at once (the upload may or may not have finished yet): every step is in one place or the other.
    const early = ok<{ steps: { id: number; kind: string }[]; planned: string[] }>(await dispatchCommand(ferry.engine, 'getPipeline', { id: up.id }));
    expect(early.steps[0]).toMatchObject({ id: up.id, kind: 'upload' });
    expect([...early.steps.slice(1).map((s) => s.kind), ...early.planned]).toEqual(['verify']);
    await waitForJob(ferry.engine, up.id, (j) => j.state === 'completed', 30_000);
    const gated = await nextStep(ferry, up.id);
    expect(ok(await dispatchCommand(ferry.engine, 'getPipeline', { id: up.id }))).toMatchObject({ steps: [{ id: up.id }, { id: gated.id, kind: 'verify', state: 'awaiting_approval' }], planned: [] });
  });

  it('holds a gated step in awaiting_approval until approved, and a rejected one ends canceled', async () => {
    const { ferry, src } = await setup();
    const up = ok<JobView>(await dispatchCommand(ferry.engine, 'createUpload', { paths: [src], then: [{ kind: 'verify', gate: { prompt: 'Check the run first' } }] }));
    await waitForJob(ferry.engine, up.id, (j) => j.state === 'completed', 30_000);
    const gated = await nextStep(ferry, up.id);
    expect(gated.state).toBe('awaiting_approval');
    expect(await dispatchCommand(ferry.engine, 'pauseJob', { id: gated.id })).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    const before = Date.now();
    // The web window's socket and the desktop window's IPC name themselves; a script or the CLI is the API.
    ok(await dispatchCommand(ferry.engine, 'approveJob', { id: gated.id }, 'web'));
    await waitForJob(ferry.engine, gated.id, (j) => j.state === 'completed', 30_000);
    expect(logOf(ferry, gated.id)).toMatch(/Waiting for approval: Check the run first[\s\S]*Approved by the web window/);
    const gateEvents = (await eventsOf(ferry, gated.id)).filter((e) => e.type.startsWith('gate_') || e.type === 'job_resumed');
    expect(gateEvents.map((e) => e.type)).toEqual(['gate_waiting', 'gate_approved', 'job_resumed']);
    expect(gateEvents[1]!.payload).toMatchObject({ by: 'web', decision: 'approved' });
    expect(gateEvents[1]!.payload!.decidedAt).toBeGreaterThanOrEqual(before);
    expect(gateEvents[2]).toMatchObject({ state: 'queued', message: 'Resumed after approval', payload: { by: 'web' } });
    // The verify run's stages, with their times, in the events and in getJob.
    const stages = (await eventsOf(ferry, gated.id)).filter((e) => e.type.startsWith('stage_'));
    expect(stages.map((e) => `${e.type} ${String(e.payload?.stage)}`)).toEqual(['stage_started verifying', 'stage_completed verifying']);
    expect(stages[1]!.payload!.ms).toEqual(expect.any(Number));
    expect(ok<JobView>(await dispatchCommand(ferry.engine, 'getJob', { id: gated.id })).stages).toEqual([
      expect.objectContaining({ name: 'verifying', attempt: 1, outcome: 'completed', ms: stages[1]!.payload!.ms }),
    ]);

    const up2 = ok<JobView>(await dispatchCommand(ferry.engine, 'createUpload', { paths: [src], name: 'second', then: [{ kind: 'verify', gate: {} }] }));
    await waitForJob(ferry.engine, up2.id, (j) => j.state === 'completed', 30_000);
    const second = await nextStep(ferry, up2.id);
    ok(await dispatchCommand(ferry.engine, 'rejectJob', { id: second.id }));
    expect(ferry.engine.services.jobs.view(second.id)).toMatchObject({ state: 'canceled' });
    expect(logOf(ferry, second.id)).toMatch(/Rejected by the API \(CLI or script\)/);
    expect((await eventsOf(ferry, second.id)).find((e) => e.type === 'gate_rejected')).toMatchObject({ state: 'canceled', payload: { by: 'api', decision: 'rejected' } });
    expect(await dispatchCommand(ferry.engine, 'approveJob', { id: second.id })).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
  });

  it('lets a timeout rule decide a gate, and says so in the log', async () => {
    const { ferry, src } = await setup();
    const up = ok<JobView>(await dispatchCommand(ferry.engine, 'createUpload', { paths: [src], then: [{ kind: 'verify', gate: { timeoutMs: 1000, onTimeout: 'approve' } }] }));
    await waitForJob(ferry.engine, up.id, (j) => j.state === 'completed', 30_000);
    const gated = await nextStep(ferry, up.id);
    await waitForJob(ferry.engine, gated.id, (j) => j.state === 'completed', 30_000);
    expect(logOf(ferry, gated.id)).toMatch(/Approval timed out after 1 s: approved by the timeout rule/);
    const events = await eventsOf(ferry, gated.id);
    expect(events.find((e) => e.type === 'gate_timed_out')).toMatchObject({ state: 'queued', payload: { by: 'timeout', decision: 'approved' } });
    expect(events.some((e) => e.type === 'gate_approved')).toBe(false);
    expect(events.find((e) => e.type === 'job_resumed')).toMatchObject({ payload: { by: 'timeout' } });
  });

  it('fails a verify job when a received file was altered, naming the file', async () => {
    const { ferry, src } = await setup();
    const up = ok<JobView>(await dispatchCommand(ferry.engine, 'createUpload', { paths: [src] }));
    await waitForJob(ferry.engine, up.id, (j) => j.state === 'completed', 30_000);
    appendFileSync(join(ferry.dataDir, 'received', basename(src), 'a.bin'), 'tampered');
    const verify = ok<JobView>(await dispatchCommand(ferry.engine, 'createVerifyJob', { sourceJobId: up.id }));
    const done = await waitForJob(ferry.engine, verify.id, (j) => j.state === 'failed', 30_000);
    expect(done.error).toMatch(/1 of 2 files differ/);
    expect(logOf(ferry, verify.id)).toMatch(/MISMATCH {2}a\.bin: size 5008, expected 5000/);
  });

  it('verifies a second upload of changed files where the receiver filed them (beside the first, as "name (1)")', async () => {
    const { ferry, src } = await setup();
    writeFileSync(join(src, 'big.bin'), Buffer.alloc(3 * 1024 * 1024, 1)); // over the batch limit: a tus upload of its own
    const first = ok<JobView>(await dispatchCommand(ferry.engine, 'createUpload', { paths: [src], name: 'twice' }));
    await waitForJob(ferry.engine, first.id, (j) => j.state === 'completed', 30_000);
    appendFileSync(join(src, 'a.bin'), 'changed');
    writeFileSync(join(src, 'big.bin'), Buffer.alloc(3 * 1024 * 1024, 2));
    const second = ok<JobView>(await dispatchCommand(ferry.engine, 'createUpload', { paths: [src], name: 'twice' }));
    await waitForJob(ferry.engine, second.id, (j) => j.state === 'completed', 30_000);
    const landed = join(ferry.dataDir, 'received', 'twice');
    expect(existsSync(join(landed, 'a (1).bin')) && existsSync(join(landed, 'big (1).bin'))).toBe(true);
    for (const job of [first, second]) {
      const verify = ok<JobView>(await dispatchCommand(ferry.engine, 'createVerifyJob', { sourceJobId: job.id }));
      const done = await waitForJob(ferry.engine, verify.id, (j) => j.state === 'completed' || j.state === 'failed', 30_000);
      expect(done.state, logOf(ferry, verify.id)).toBe('completed');
    }
  });

  it('refuses command steps until the user allows them at the host, then templates the dataset into the command', async () => {
    const { ferry, src } = await setup();
    const step = { kind: 'command', program: '/bin/sh', args: ['-c', 'echo "dataset=$0 team=$1"', '{name}', '{meta.team}'] };
    expect(await dispatchCommand(ferry.engine, 'createUpload', { paths: [src], then: [step] })).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    // The user's decision, as the desktop's confirmation records it; no command can take it.
    ferry.engine.services.commandJobs.allow();
    const up = ok<JobView>(await dispatchCommand(ferry.engine, 'createUpload', { paths: [src], name: 'run42', metadata: { team: 'optics' }, then: [step] }));
    await waitForJob(ferry.engine, up.id, (j) => j.state === 'completed', 30_000);
    const cmd = await nextStep(ferry, up.id);
    await waitForJob(ferry.engine, cmd.id, (j) => j.state === 'completed' || j.state === 'failed', 30_000);
    expect(logOf(ferry, cmd.id)).toContain('[out] dataset=run42 team=optics');
  });

  it('delivers a signed job.completed webhook and records the delivery as a job event', async () => {
    const { ferry, src } = await setup();
    const secret = 'a-very-secret-signing-key';
    const receiver = await startWebhookReceiver(secret, () => ({ status: 204 }));
    cleanups.push(() => receiver.close());
    const hook = ok<{ id: string; hasSecret: boolean }>(await dispatchCommand(ferry.engine, 'saveWebhook', { url: receiver.url(), secret, events: ['job.completed'] }));
    expect(hook.hasSecret).toBe(true);
    expect(JSON.stringify(ok(await dispatchCommand(ferry.engine, 'listWebhooks', {})))).not.toContain(secret);
    const up = ok<JobView>(await dispatchCommand(ferry.engine, 'createUpload', { paths: [src] }));
    await waitForJob(ferry.engine, up.id, (j) => j.state === 'completed', 30_000);
    const [d] = await receiver.waitFor(1);
    expect(receiver.received).toHaveLength(1);
    expect(d!.verified).toBe(true);
    expect(JSON.parse(d!.raw.toString())).toMatchObject({ event: 'job.completed', job: { id: up.id, state: 'completed' } });
    // A delivery after the job ended is an event of its stream; the log still ends with the footer.
    const messages = async () =>
      ok<{ events: { message: string }[] }>(await dispatchCommand(ferry.engine, 'listEvents', { id: up.id })).events.map((e) => e.message).join('\n');
    const delivered = async () => {
      const all = await messages();
      return /Webhook job\.completed: delivered/.test(all) ? all : undefined;
    };
    // The delivery is written to the job's events after the receiver answered: each flush of them is checked.
    expect(await waitOn((changed) => ferry.engine.services.logs.onFlush(up.id, changed), delivered, 'the delivery in the job events', 5000)).toMatch(
      /Webhook job\.completed: delivered \(HTTP 204\)/,
    );
    expect(logOf(ferry, up.id)).toMatch(/<\/footer_json>\n$/);
  });
});
