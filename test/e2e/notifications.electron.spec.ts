import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { callFerry, clickNotification, closeMainWindow, electronForSuite, ELECTRON_SKIP_REASON, launchFerry, openWindowPage, seamSnapshot, visibleWindows } from './electronApp';
import { JobsPage } from './pages/jobsPage';

const bin = electronForSuite('desktop notifications suite');

test.describe('notifications (Electron)', () => {
  test.skip(!bin, ELECTRON_SKIP_REASON);

  test('a job that completes or fails says so; clicking the notification shows that job', async () => {
    const ferry = await launchFerry(bin!);
    try {
      const { app, page, dataDir } = ferry;
      const notes = async () => (await seamSnapshot(app)).notifications;

      const done = await callFerry(page, 'createDemoJob', { name: 'notify ok', items: 3, itemDelayMs: 10, failRate: 0 });
      await expect.poll(notes).toContainEqual(expect.objectContaining({ jobId: done.id, title: 'Done: notify ok', body: `Job #${done.id} completed.` }));

      const partial = await callFerry(page, 'createDemoJob', { name: 'notify partial', items: 2, itemDelayMs: 10, failRate: 1 });
      await expect
        .poll(notes)
        .toContainEqual(expect.objectContaining({ jobId: partial.id, title: 'Completed with failures: notify partial', body: `Job #${partial.id}: 2 of 2 items failed.` }));

      // The user's own decision, as the desktop's confirmation dialog records it (no API can).
      writeFileSync(join(dataDir, 'local-config.json'), JSON.stringify({ allowCommandJobs: true }));
      const failed = await callFerry(page, 'createCommandJob', { name: 'notify fail', program: join(dataDir, 'no-such-program') });
      await expect
        .poll(notes)
        .toContainEqual(expect.objectContaining({ jobId: failed.id, title: 'Failed: notify fail', body: expect.stringMatching(new RegExp(`^Job #${failed.id}: .*cannot start`)) }));

      // Clicking one brings the window back with that job open.
      await closeMainWindow(app);
      await expect.poll(() => visibleWindows(app)).toBe(0);
      await clickNotification(app, done.id);
      await expect.poll(() => visibleWindows(app)).toBe(1);
      const jobs = new JobsPage(await openWindowPage(app));
      await expect(jobs.detail).toHaveAttribute('data-job-id', String(done.id));
      await clickNotification(app, failed.id);
      await expect(jobs.detail).toHaveAttribute('data-job-id', String(failed.id));
    } finally {
      await ferry.close();
    }
  });

  test('the notification settings are obeyed', async () => {
    const ferry = await launchFerry(bin!);
    try {
      const { app, page, dataDir } = ferry;
      writeFileSync(join(dataDir, 'local-config.json'), JSON.stringify({ allowCommandJobs: true }));
      await callFerry(page, 'updateSettings', { notifyOnComplete: false });
      const quiet = await callFerry(page, 'createDemoJob', { name: 'quiet', items: 2, itemDelayMs: 10, failRate: 0 });
      await expect(new JobsPage(page).row(quiet.id)).toHaveAttribute('data-state', 'completed');
      // A failure afterwards is still announced, and is the only notification.
      const failed = await callFerry(page, 'createCommandJob', { name: 'loud', program: join(dataDir, 'no-such-program') });
      await expect.poll(async () => (await seamSnapshot(app)).notifications.map((n) => n.jobId)).toEqual([failed.id]);

      await callFerry(page, 'updateSettings', { notifyOnFailure: false, notifyOnComplete: true });
      const silentFail = await callFerry(page, 'createCommandJob', { name: 'silent failure', program: join(dataDir, 'no-such-program') });
      await expect(new JobsPage(page).row(silentFail.id)).toHaveAttribute('data-state', 'failed');
      const fence = await callFerry(page, 'createDemoJob', { name: 'fence', items: 1, itemDelayMs: 0, failRate: 0 });
      await expect.poll(async () => (await seamSnapshot(app)).notifications.map((n) => n.jobId)).toEqual([failed.id, fence.id]);
    } finally {
      await ferry.close();
    }
  });
});
