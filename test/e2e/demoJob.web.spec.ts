import { expect, test } from './fixtures';
import { JobsPage } from './pages/jobsPage';
import { createDemoJobs } from './support/jobs';

test.describe('demo job in the web host', () => {
  test('streams its log; pause stops lines, resume restarts them, cancel writes the canceled footer', async ({ page, ferry }) => {
    const jobs = new JobsPage(page);
    await jobs.open(ferry.url);
    // The token must not linger in the address bar.
    await expect.poll(() => page.url()).not.toContain('token=');
    const id = await jobs.newDemoJob();
    await jobs.waitForItemLines(3);

    await jobs.control('Pause', id).click();
    await jobs.expectState('paused');
    // Let the item in hand finish, then no new line may arrive for a second.
    await page.waitForTimeout(400);
    const atPause = await jobs.itemLines();
    await page.waitForTimeout(1000);
    expect(await jobs.itemLines()).toBe(atPause);

    await jobs.control('Resume', id).click();
    await jobs.expectState('running');
    await jobs.waitForItemLines(atPause + 2);

    await jobs.control('Cancel', id).click();
    await jobs.expectState('canceled');
    await expect(jobs.log).toHaveAttribute('data-eof', 'true');
    await expect(jobs.panel.logSummary('footer')).toContainText('Result: Canceled');
    await expect(page.getByTestId(`job-row-${id}`)).toHaveAttribute('data-state', 'canceled');
    await page.screenshot({ path: 'test-results/screens/demo-canceled.png' });
  });

  test('a second page attached to the same job sees the same lines', async ({ page, context, ferry }) => {
    // A job long enough to still run when the second page has caught up, however busy the machine.
    const [job] = await createDemoJobs(ferry, 1, { items: 2000, itemDelayMs: 150 });
    const id = job!.id;
    const first = new JobsPage(page);
    await first.open(ferry.url);
    await first.select(id);
    await first.waitForItemLines(2);

    const second = new JobsPage(await context.newPage());
    await second.open(ferry.url);
    await second.select(id);
    // Lines written after the second page attached reach it live.
    const attachedAt = await second.itemLines();
    await second.waitForItemLines(attachedAt + 3);
    await first.control('Cancel', id).click();
    await expect(first.log).toHaveAttribute('data-eof', 'true');
    await expect(second.log).toHaveAttribute('data-eof', 'true');
    expect(await second.logText()).toBe(await first.logText());
    expect(await first.logText()).toContain('Result: Canceled');
  });

  test('without the token the app loads but Ferry refuses it, and says so', async ({ page, ferry }) => {
    const bare = ferry.url.replace(/\?token=.*/, '');
    await page.goto(bare);
    await expect(page.getByTestId('connection-state')).toContainText(/not authorised/i);
  });
});
