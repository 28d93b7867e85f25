import { expect, test } from './fixtures';
import { JobsPage } from './pages/jobsPage';
import { UploadSheet } from './pages/uploadSheet';
import { dropFiles } from './support/dropFiles';
import { bytesOf } from './support/files';
import { axeBothThemes } from './support/axe';
import { shootBothThemes } from './support/screens';

test.describe('log view', () => {
  test('the header and footer read as summaries; Raw shows the file exactly', async ({ page, ferry }) => {
    // axe in two themes, twice, takes a while on a busy machine.
    test.setTimeout(180_000);
    const jobs = new JobsPage(page);
    await jobs.open(ferry.url);
    const job = await ferry.call<{ id: number }>('createDemoJob', { name: 'Summarised', items: 12, itemDelayMs: 0, linesPerItem: 2, failRate: 0 });
    await jobs.select(job.id);
    await jobs.panel.waitForEnd();
    // The view follows the end; Home goes to the top, where the header is.
    await jobs.log.focus();
    await page.keyboard.press('Home');

    const header = jobs.panel.logSummary('header');
    await expect(header).toContainText(`Job ${job.id}: Summarised`);
    await expect(header).toContainText('Kind: demo');
    await expect(header).toContainText('Lines per item: 2');
    await page.keyboard.press('End');
    const footer = jobs.panel.logSummary('footer');
    await expect(footer).toContainText('Result: Completed');
    await expect(footer).toContainText('Processed: 12 of 12, 0 failed');
    await expect(footer).toContainText('Attempts: 1 attempt');
    // The frame itself is folded away: no JSON, no markers.
    await expect(jobs.log).not.toContainText('header_json');
    await expect(jobs.log).not.toContainText('"result"');
    await expect(jobs.log).not.toContainText('<log>');
    await expect(jobs.log).toContainText("Processing 'item_12'");
    await expect(footer).toBeVisible();
    await shootBothThemes(page, 'log-summary');
    expect(await axeBothThemes(page, 'log-summary')).toEqual([]);

    // Search looks in the whole file: a match in the footer's JSON lands on its summary.
    await jobs.panel.logSearch.fill('success');
    await jobs.panel.logSearch.press('Enter');
    await expect(jobs.log.locator('.log-line-current')).toHaveAttribute('data-testid', 'log-summary-footer');

    const raw = jobs.panel.logToggle('Raw');
    await expect(raw).toHaveAttribute('aria-pressed', 'false');
    await jobs.panel.logSearch.fill('');
    await raw.click();
    await expect(raw).toHaveAttribute('aria-pressed', 'true');
    await expect(jobs.log).toHaveAttribute('data-raw', 'true');
    await expect(jobs.log).toContainText('"result": "success"');
    await expect(jobs.panel.logSummary('footer')).toHaveCount(0);
    // The footer lists the items too, so its end may be below the rows shown: End goes there.
    await jobs.log.focus();
    await page.keyboard.press('End');
    await expect(jobs.log).toHaveAttribute('data-following', 'true');
    await expect(jobs.log).toContainText('</footer_json>');
    await expect(jobs.log).toContainText('"processed": [');
    await shootBothThemes(page, 'log-raw');
    expect(await axeBothThemes(page, 'log-raw')).toEqual([]);
    // Raw is the file line for line: every line of the log is a row, in order.
    const lines = await jobs.log.locator('.log-line').evaluateAll((els) => els.map((el) => el.textContent ?? ''));
    expect(lines.at(-1)).toBe('</footer_json>');
    await raw.click();
    await expect(jobs.panel.logSummary('footer')).toBeVisible();
  });

  test('in a narrow pane every wrapped line fits the rows it is given, punctuation and all', async ({ page, ferry }) => {
    const jobs = new JobsPage(page);
    await page.setViewportSize({ width: 800, height: 720 });
    await jobs.open(ferry.url);
    // A demo job's lines are mostly punctuation where they wrap: "[ 12 / 40 ] Processing 'item_12'...".
    const job = await ferry.call<{ id: number }>('createDemoJob', { name: 'Narrow wrap', items: 40, itemDelayMs: 0, linesPerItem: 2, failRate: 0.2 });
    await jobs.select(job.id);
    await jobs.panel.waitForEnd();
    await expect(jobs.log).toHaveAttribute('data-wrap', 'true');
    const cut = () =>
      jobs.log.locator('.log-line').evaluateAll((els) => els.filter((el) => el.scrollHeight > el.clientHeight + 1).map((el) => el.textContent ?? ''));
    for (const at of ['End', 'Home']) {
      await jobs.log.focus();
      await page.keyboard.press(at);
      // Taller than one row somewhere (the lines do wrap), and none drawn over the next.
      await expect.poll(() => jobs.log.locator('.log-line').evaluateAll((els) => els.some((el) => el.clientHeight > 18))).toBe(true);
      expect(await cut()).toEqual([]);
    }
  });

  test('long lines wrap without overlapping, search marks matches inside them, and Wrap can be turned off', async ({ page, ferry }) => {
    const jobs = new JobsPage(page);
    const sheet = new UploadSheet(page);
    await jobs.open(ferry.url);
    const longName = `${'calibration-run-with-a-long-descriptive-name-'.repeat(5)}END-OF-NAME.raw`;
    await dropFiles(page, [{ name: longName, bytes: bytesOf(20_000) }]);
    await sheet.expectOpen();
    await sheet.setName('long-lines');
    await sheet.start();
    await jobs.expectState('completed');
    await jobs.panel.tab('Log');
    await jobs.panel.waitForEnd();
    await expect(jobs.log).toHaveAttribute('data-wrap', 'true');

    // The scan line is near the top; the view follows the end, so go up to it.
    await jobs.log.evaluate((el) => el.scrollTo({ top: 0 }));
    const longLine = jobs.log.locator('.log-line').filter({ hasText: 'Scanning /' });
    await expect(longLine).toBeVisible();
    // Wrapped: taller than one row, no wider than the view, and no line drawn over another.
    const box = (await longLine.boundingBox())!;
    const view = (await jobs.log.boundingBox())!;
    expect(box.height).toBeGreaterThan(18);
    expect(box.x + box.width).toBeLessThanOrEqual(view.x + view.width + 1);
    const overlaps = await jobs.log.locator('.log-line').evaluateAll((els) => {
      const boxes = els.map((el) => el.getBoundingClientRect()).sort((a, b) => a.top - b.top);
      let bad = 0;
      for (let i = 1; i < boxes.length; i++) if (boxes[i]!.top < boxes[i - 1]!.bottom - 0.5) bad++;
      return bad;
    });
    expect(overlaps).toBe(0);
    // The text fits in the rows it was given (a wrapped line cut short would hide its end).
    const fits = await longLine.evaluate((el) => el.scrollHeight <= el.clientHeight + 1);
    expect(fits).toBe(true);

    await jobs.panel.logSearch.fill('end-of-name');
    await jobs.panel.logSearch.press('Enter');
    await expect(jobs.panel.logSearchCount).toHaveText(/^1 of \d+$/);
    const mark = jobs.log.locator('.log-line-current mark');
    await expect(mark.first()).toHaveText('END-OF-NAME');
    await expect(mark.first()).toBeInViewport();
    await shootBothThemes(page, 'log-wrapped');

    await jobs.panel.logToggle('Wrap').click();
    await expect(jobs.log).toHaveAttribute('data-wrap', 'false');
    await expect(longLine).toHaveJSProperty('offsetHeight', 18);
    // The choice is remembered.
    const id = Number(await jobs.detail.getAttribute('data-job-id'));
    await page.reload();
    await jobs.select(id);
    await expect(jobs.log).toHaveAttribute('data-wrap', 'false');
  });
});
