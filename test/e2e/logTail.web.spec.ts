import { expect, test } from './fixtures';
import { JobsPage } from './pages/jobsPage';
import type { BrowserGlobals } from './support/browserGlobals';

test.describe('log tail', () => {
  test('search marks matches and steps through them; copy and save are offered', async ({ page, ferry, context }) => {
    await context.grantPermissions(['clipboard-read', 'clipboard-write']);
    const jobs = new JobsPage(page);
    await jobs.open(ferry.url);
    const job = await ferry.call<{ id: number }>('createDemoJob', { name: 'Searchable', items: 30, itemDelayMs: 0, linesPerItem: 3, failRate: 0 });
    await jobs.select(job.id);
    await jobs.panel.waitForEnd();
    await jobs.panel.logSearch.fill('item_05: step');
    await expect(jobs.panel.logSearchCount).toHaveText('– of 2');
    await jobs.panel.logSearch.press('Enter');
    await expect(jobs.panel.logSearchCount).toHaveText('1 of 2');
    await expect(jobs.log.locator('.log-line-current mark')).toHaveText('item_05: step');
    await jobs.panel.logSearch.press('Enter');
    await expect(jobs.panel.logSearchCount).toHaveText('2 of 2');
    await expect(jobs.log.locator('.log-line-current')).toContainText('step 2 of 2');
    await jobs.panel.logSearch.press('Shift+Enter');
    await expect(jobs.panel.logSearchCount).toHaveText('1 of 2');
    await expect(jobs.log).toHaveAttribute('data-following', 'false');
    await jobs.panel.logSearch.fill('no such text');
    await expect(jobs.panel.logSearchCount).toHaveText('no matches');

    await jobs.panel.root.getByRole('button', { name: 'Copy log' }).click();
    await jobs.shell.expectToast('Log copied');
    expect(await page.evaluate(() => (globalThis as unknown as BrowserGlobals).navigator.clipboard.readText())).toContain("Processing 'item_30'");
    const download = page.waitForEvent('download');
    await jobs.panel.root.getByRole('button', { name: 'Save log' }).click();
    expect((await download).suggestedFilename()).toBe(`ferry-job-${job.id}.log`);
    // Showing the file in a file manager is desktop-only.
    await expect(jobs.panel.root.getByRole('button', { name: 'Open log file' })).toHaveCount(0);
  });

  test('events timeline, details, priority and the result footer of a finished job', async ({ page, ferry }) => {
    const jobs = new JobsPage(page);
    await jobs.open(ferry.url);
    const job = await ferry.call<{ id: number }>('createDemoJob', { name: 'Timeline', items: 5000, itemDelayMs: 20, failRate: 0 });
    await jobs.select(job.id);
    await jobs.panel.root.getByLabel(`Priority of job ${job.id}`).selectOption('high');
    await expect(jobs.panel.root.getByLabel(`Priority of job ${job.id}`)).toHaveValue('high');
    await jobs.panel.tab('Events');
    await expect(jobs.panel.eventRows().filter({ hasText: 'Priority set to high' })).toHaveCount(1);
    await jobs.control('Stop after current', job.id).click();
    await jobs.expectState('paused');
    await jobs.control('Resume', job.id).click();
    await jobs.expectState('running');
    await jobs.control('Cancel', job.id).click();
    await jobs.expectState('canceled');
    for (const type of ['created', 'started', 'paused', 'job_resumed', 'canceled']) {
      await expect(jobs.panel.eventRows().and(page.locator(`[data-type="${type}"]`)).first()).toBeVisible();
    }
    await expect(jobs.panel.eventRows().and(page.locator('[data-type="heartbeat"]'))).toHaveCount(0);
    await expect(jobs.panel.footer.getByTestId('job-result')).toHaveText('canceled');
    await jobs.panel.tab('Details');
    await expect(jobs.panel.details).toContainText('Items');
    await expect(jobs.panel.details).toContainText('5000');
    await jobs.control('Retry', job.id).click();
    await expect(jobs.detail).toHaveAttribute('data-state', /queued|running/);
  });
});
