import { expect, test } from '@playwright/test';
import { callFerry, electronForSuite, ELECTRON_SKIP_REASON, launchFerry } from './electronApp';
import { JobsPage } from './pages/jobsPage';

const bin = electronForSuite('desktop power suite');

test.describe('sleep and wake (Electron powerMonitor)', () => {
  test.skip(!bin, ELECTRON_SKIP_REASON);

  test('going to sleep pauses running transfers; waking resumes only those Ferry paused', async () => {
    const ferry = await launchFerry(bin!);
    try {
      const { app, page } = ferry;
      const jobs = new JobsPage(page);
      const slow = { items: 5000, itemDelayMs: 50, failRate: 0 };
      const ours = await callFerry(page, 'createDemoJob', { ...slow, name: 'runs into the night' });
      const users = await callFerry(page, 'createDemoJob', { ...slow, name: 'paused by the user' });
      for (const id of [ours.id, users.id]) await expect(jobs.row(id)).toHaveAttribute('data-state', 'running');
      await callFerry(page, 'pauseJob', { id: users.id });

      // The OS's own events, as Electron delivers them to the main process.
      await app.evaluate(({ powerMonitor }) => powerMonitor.emit('suspend'));
      await expect(jobs.row(ours.id)).toHaveAttribute('data-state', 'paused');
      await app.evaluate(({ powerMonitor }) => powerMonitor.emit('resume'));
      // Only where the network is up; a machine without one keeps them paused until it is back.
      if (await app.evaluate(({ net }) => net.isOnline())) await expect(jobs.row(ours.id)).toHaveAttribute('data-state', 'running');
      expect(await callFerry(page, 'getJob', { id: users.id })).toMatchObject({ state: 'paused' });
    } finally {
      await ferry.close();
    }
  });
});
