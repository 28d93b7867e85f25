import { afterEach, describe, expect, it } from 'vitest';
import { desktopActions } from '../../../../main/hosts/desktop/desktopActions';
import { noticeFor, watchFinishedJobs, type JobNotice } from '../../../../main/hosts/desktop/jobNotices';
import { startEngine, waitForJob } from '../../../helpers/engineFixture';
import { navigations } from './demoJobs';

const ALL_ON = { notifyOnComplete: true, notifyOnFailure: true };

describe('job notifications', () => {
  let dispose: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await dispose?.();
    dispose = undefined;
  });

  it('says a job is done, finished with failures, or failed; only a failure makes a sound', async () => {
    const f = startEngine();
    dispose = f.dispose;
    const ok = await f.engine.commands.createDemoJob({ name: 'notify ok', items: 3, failRate: 0, itemDelayMs: 0, linesPerItem: 1, priority: 'normal' });
    const done = await waitForJob(f.engine, ok.id, (j) => j.state === 'completed');
    expect(noticeFor(done, ALL_ON)).toEqual({ jobId: ok.id, title: 'Done: notify ok', body: `Job #${ok.id} completed.`, silent: true, opens: { view: 'job', jobId: ok.id } });

    const bad = await f.engine.commands.createDemoJob({ name: 'notify partial', items: 2, failRate: 1, itemDelayMs: 0, linesPerItem: 1, priority: 'normal' });
    const partial = await waitForJob(f.engine, bad.id, (j) => j.state === 'completed');
    expect(noticeFor(partial, ALL_ON)).toMatchObject({ title: 'Completed with failures: notify partial', body: `Job #${bad.id}: 2 of 2 items failed.`, silent: false });
    // Either setting shows it: it is a completion and a failure.
    expect(noticeFor(partial, { notifyOnComplete: false, notifyOnFailure: true })?.title).toBe('Completed with failures: notify partial');
    expect(noticeFor(partial, { notifyOnComplete: true, notifyOnFailure: false })?.title).toBe('Completed with failures: notify partial');
    expect(noticeFor(partial, { notifyOnComplete: false, notifyOnFailure: false })).toBeNull();
    // An upload says what to do about it.
    const upload = { ...partial, kind: 'upload' as const, counts: { processed: 11, failed: 1 } };
    expect(noticeFor(upload, ALL_ON)?.body).toBe(`Job #${bad.id}: 1 of 12 files failed. Open the job to see why and send them again.`);

    const failed = { ...partial, name: 'notify fail', state: 'failed' as const, error: 'cannot start /no/such/program' };
    expect(noticeFor(failed, ALL_ON)).toMatchObject({ title: 'Failed: notify fail', body: `Job #${bad.id}: cannot start /no/such/program`, silent: false });
    expect(noticeFor({ ...failed, error: null }, ALL_ON)?.body).toBe(`Job #${bad.id}: see the log for details`);
  });

  it('obeys the settings, and says nothing of canceled jobs', async () => {
    const f = startEngine();
    dispose = f.dispose;
    const ok = await f.engine.commands.createDemoJob({ name: 'quiet', items: 1, failRate: 0, itemDelayMs: 0, linesPerItem: 1, priority: 'normal' });
    const done = await waitForJob(f.engine, ok.id, (j) => j.state === 'completed');
    const failed = { ...done, state: 'failed' as const };
    expect(noticeFor(done, { notifyOnComplete: false, notifyOnFailure: true })).toBeNull();
    expect(noticeFor(failed, { notifyOnComplete: false, notifyOnFailure: true })).not.toBeNull();
    expect(noticeFor(failed, { notifyOnComplete: true, notifyOnFailure: false })).toBeNull();
    expect(noticeFor({ ...done, state: 'canceled' }, ALL_ON)).toBeNull();
  });

  it('shows one for each job that finishes, and clicking it brings the window back on that job', async () => {
    const f = startEngine();
    dispose = f.dispose;
    let windowShown = 0;
    const actions = desktopActions(f.engine, { show: () => void windowShown++, quit: () => undefined });
    const shown: { notice: JobNotice; click: () => void }[] = [];
    const stop = watchFinishedJobs(f.engine, actions.open, (notice, click) => shown.push({ notice, click }));
    const nav = navigations(f.engine);

    const first = await f.engine.commands.createDemoJob({ name: 'first', items: 1, failRate: 0, itemDelayMs: 0, linesPerItem: 1, priority: 'normal' });
    await waitForJob(f.engine, first.id, (j) => j.state === 'completed');
    await f.engine.commands.updateSettings({ notifyOnComplete: false });
    const second = await f.engine.commands.createDemoJob({ name: 'second', items: 1, failRate: 0, itemDelayMs: 0, linesPerItem: 1, priority: 'normal' });
    await waitForJob(f.engine, second.id, (j) => j.state === 'completed');
    expect(shown.map((s) => s.notice.title)).toEqual(['Done: first']);

    expect(windowShown).toBe(0);
    shown[0]!.click();
    expect(windowShown).toBe(1);
    expect(nav.seen).toEqual([{ view: 'job', jobId: first.id }]);
    nav.close();
    stop();
  });
});
