import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { JobsPage } from './pages/jobsPage';
import { UploadSheet } from './pages/uploadSheet';
import { dropFiles } from './support/dropFiles';
import { bytesOf } from './support/files';
import { axeBothThemes } from './support/axe';
import { shootBothThemes } from './support/screens';

const width = async (page: Page): Promise<number> => (await page.getByTestId('detail-panel').boundingBox())!.width;

test.describe('detail pane layout', () => {
  test('the split is resized by dragging and by the keyboard, and remembered after a reload', async ({ page, ferry }) => {
    const jobs = new JobsPage(page);
    await jobs.open(ferry.url);
    const job = await ferry.call<{ id: number }>('createDemoJob', { name: 'Resizable', items: 3, itemDelayMs: 0, failRate: 0 });
    await jobs.select(job.id);
    const handle = page.getByRole('separator', { name: 'Resize the job detail' });
    await expect(handle).toBeVisible();
    const before = await width(page);

    // Drag 150 px to the left: the detail grows by as much.
    const box = (await handle.boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x - 75, box.y + box.height / 2, { steps: 4 });
    await page.mouse.move(box.x - 150, box.y + box.height / 2, { steps: 4 });
    await page.mouse.up();
    await expect.poll(() => width(page)).toBeGreaterThan(before + 140);
    const dragged = await width(page);
    expect(dragged).toBeLessThan(before + 160);
    await expect(handle).toHaveAttribute('aria-valuenow', String(Math.round(dragged)));

    await page.reload();
    await jobs.select(job.id);
    await expect.poll(() => width(page)).toBeCloseTo(dragged, 0);

    // The keyboard: three steps right narrow it by 48 px; Shift takes bigger steps.
    await handle.focus();
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    await expect.poll(() => width(page)).toBeCloseTo(dragged - 48, 0);
    await page.keyboard.press('Shift+ArrowLeft');
    await expect.poll(() => width(page)).toBeCloseTo(dragged - 48 + 80, 0);
    const keyed = await width(page);
    await expect(handle).toHaveAttribute('aria-valuenow', String(Math.round(keyed)));
    // Home is the narrowest the detail goes; the table keeps its room at End.
    await page.keyboard.press('Home');
    await expect.poll(() => width(page)).toBeCloseTo(320, 0);
    await page.keyboard.press('End');
    const table = (await page.getByRole('region', { name: 'Jobs' }).or(page.locator('section.jobs-main')).first().boundingBox())!;
    expect(table.width).toBeGreaterThanOrEqual(259);
    await page.keyboard.press('Home');
    await page.keyboard.press('Shift+ArrowLeft');

    await page.reload();
    await jobs.select(job.id);
    await expect.poll(() => width(page)).toBeCloseTo(400, 0);
  });

  test('at 800 and 1400 px wide the header is readable: a long title keeps its words, nothing spills out', async ({ page, ferry }) => {
    // axe in two themes, twice, takes a while on a busy machine.
    test.setTimeout(180_000);
    const jobs = new JobsPage(page);
    await page.setViewportSize({ width: 800, height: 720 });
    await jobs.open(ferry.url);
    const name = 'A. Sample plate reader calibration, second run (lab 4)';
    const job = await ferry.call<{ id: number }>('createDemoJob', { name, items: 40, itemDelayMs: 0, linesPerItem: 2, failRate: 0.2 });
    await jobs.select(job.id);
    await jobs.panel.waitForEnd();
    for (const viewport of [800, 1400]) {
      await page.setViewportSize({ width: viewport, height: 720 });
      const title = jobs.detail.getByRole('heading', { level: 2 });
      await expect(title).toHaveText(name);
      // At least "A. Sample plate" shows: the title gets room before anything else.
      expect((await title.boundingBox())!.width).toBeGreaterThan(120);
      const spill = await page.getByTestId('detail-panel').evaluate((node) => {
        type Box = { getBoundingClientRect(): { left: number; right: number; width: number } };
        const el = node as unknown as Box & { querySelectorAll(selector: string): ArrayLike<Box> };
        const panel = el.getBoundingClientRect();
        return Array.from(el.querySelectorAll('.job-detail-header *, .job-controls *'))
          .map((child) => child.getBoundingClientRect())
          .filter((r) => r.width > 0 && (r.right > panel.right + 1 || r.left < panel.left - 1)).length;
      });
      expect(spill).toBe(0);
      await expect(jobs.detail.getByRole('button', { name: 'Close job detail' })).toBeInViewport();
      // The log's header keeps to one line: search, Wrap, Raw, copy and save side by side (at 800 px
      // copy and save once took a line of their own).
      const logTop = (name: string) => jobs.detail.getByRole('button', { name, exact: true }).evaluate((el) => Math.round(el.getBoundingClientRect().top + el.getBoundingClientRect().height / 2));
      expect(await logTop('Copy log')).toBe(await logTop('Wrap'));
      expect(await logTop('Save log')).toBe(await logTop('Wrap'));
      await expect(jobs.row(job.id)).toBeInViewport();
      await shootBothThemes(page, `detail-${viewport}`, { currentSize: true });
      expect(await axeBothThemes(page, `detail-${viewport}`)).toEqual([]);
    }
  });

  test('paths are cut in the middle, whole on hover, and copied with one click', async ({ page, ferry, context }) => {
    await context.grantPermissions(['clipboard-read', 'clipboard-write']);
    const jobs = new JobsPage(page);
    const sheet = new UploadSheet(page);
    await page.setViewportSize({ width: 800, height: 720 });
    await jobs.open(ferry.url);
    const longName = `${'spectrometer-output-'.repeat(6)}final.csv`;
    await dropFiles(page, [{ name: longName, bytes: bytesOf(5_000) }]);
    await sheet.expectOpen();
    await sheet.setName('paths');
    await sheet.start();
    await jobs.expectState('completed');
    await jobs.panel.tab('Files');
    const path = jobs.panel.files.locator('.path-text').first();
    await expect(path).toHaveAttribute('title', longName);
    // The end of the name (the file's extension) stays in view; the middle gives way.
    await expect(path.locator('.path-text-tail')).toBeVisible();
    const tail = (await path.locator('.path-text-tail').boundingBox())!;
    const cell = (await path.boundingBox())!;
    expect(tail.x + tail.width).toBeLessThanOrEqual(cell.x + cell.width + 1);
    await path.hover();
    await path.getByRole('button', { name: `Copy path ${longName}` }).click();
    await jobs.shell.expectToast('Path copied');
    expect(await page.evaluate(() => (globalThis as unknown as { navigator: { clipboard: { readText(): Promise<string> } } }).navigator.clipboard.readText())).toBe(longName);
    await shootBothThemes(page, 'detail-files-800', { currentSize: true });
  });
});
