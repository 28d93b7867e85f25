import { expect, test } from '@playwright/test';
import { electronForSuite, ELECTRON_SKIP_REASON, launchFerry } from './electronApp';
import { JobsPage } from './pages/jobsPage';

const bin = electronForSuite('desktop demo-job suite');

test.describe('desktop app (Electron)', () => {
  test.skip(!bin, ELECTRON_SKIP_REASON);

  test('demo job: log streams, pause holds, resume, cancel with footer', async () => {
    const ferry = await launchFerry(bin!);
    try {
      const { page } = ferry;
      const jobs = new JobsPage(page);
      // The renderer reaches the engine only through the contract's functions.
      expect(await page.evaluate(() => typeof (globalThis as unknown as { ferry: { listJobs: unknown } }).ferry.listJobs)).toBe('function');

      const id = await jobs.newDemoJob();
      await jobs.waitForItemLines(3);
      await jobs.control('Pause', id).click();
      await jobs.expectState('paused');
      await page.waitForTimeout(400);
      const atPause = await jobs.itemLines();
      await page.waitForTimeout(1000);
      expect(await jobs.itemLines()).toBe(atPause);
      await jobs.control('Resume', id).click();
      await jobs.waitForItemLines(atPause + 2);
      await jobs.control('Cancel', id).click();
      await expect(jobs.panel.logSummary('footer')).toContainText('Result: Canceled');
    } finally {
      await ferry.close();
    }
  });
});
