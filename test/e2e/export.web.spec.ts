/**
 * Export from the jobs toolbar: the jobs the table shows (its filters and search), as CSV or JSON,
 * downloaded by the browser; no copy stays behind in the engine's data folder.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from './fixtures';
import { JobsPage } from './pages/jobsPage';
import { waitForState } from './support/jobs';
import { expectInWindow, shootBothThemes } from './support/screens';

test.describe('export', () => {
  test('Export downloads the filtered jobs as CSV and JSON', async ({ page, ferry }) => {
    const jobs = new JobsPage(page);
    const names = ['Calibration run 1', 'Calibration run 2', 'Spectra QC'];
    for (const name of names) {
      const job = await ferry.call<{ id: number }>('createDemoJob', { name, items: 2, itemDelayMs: 0, failRate: 0 });
      await waitForState(ferry, job.id, ['completed']);
    }
    await jobs.open(ferry.url);
    await expect(jobs.rows).toHaveCount(3);
    await jobs.search.fill('Calibration');
    await expect(jobs.rows).toHaveCount(2);

    await expect(page.getByRole('button', { name: 'Export' })).toHaveAttribute('title', 'Export the 2 matching jobs as CSV or JSON');
    await page.getByRole('button', { name: 'Export' }).click();
    await expect(page.getByRole('menu', { name: 'Export the 2 matching jobs' })).toBeVisible();
    await shootBothThemes(page, 'jobs-export-menu', { keepMouse: true, currentSize: true });
    await page.keyboard.press('Escape');

    const csv = await jobs.export('CSV');
    expect(csv.name).toMatch(/^jobs-.*\.csv$/);
    const lines = csv.text.trim().split(/\r?\n/);
    expect(lines[0]).toMatch(/^id,name,kind,state,/);
    expect(lines.slice(1).map((l) => l.split(',')[1]).sort()).toEqual(['Calibration run 1', 'Calibration run 2']);
    await jobs.shell.expectToast('Exported 2 jobs', 'success');

    const json = await jobs.export('JSON');
    expect(json.name).toMatch(/^jobs-.*\.json$/);
    const exported = JSON.parse(json.text) as { name: string; state: string }[];
    expect(exported.map((j) => j.name).sort()).toEqual(['Calibration run 1', 'Calibration run 2']);
    expect(exported.every((j) => j.state === 'completed')).toBe(true);

    // At 800 px the toolbar keeps Export, the search and the demo button on one row.
    await page.setViewportSize({ width: 800, height: 700 });
    const exportButton = page.getByRole('button', { name: 'Export' });
    await expect(exportButton).toBeVisible();
    const [button, search] = await Promise.all([exportButton.boundingBox(), jobs.search.boundingBox()]);
    expect(Math.abs(button!.y - search!.y)).toBeLessThan(12);
    await shootBothThemes(page, 'jobs-export-800', { currentSize: true });
    await exportButton.click();
    const menu = page.getByRole('menu', { name: 'Export the 2 matching jobs' });
    await expect(menu).toBeVisible();
    await expectInWindow(page, menu);
    await shootBothThemes(page, 'jobs-export-menu-800', { keepMouse: true, currentSize: true });
    await page.keyboard.press('Escape');
    await expect(menu).toBeHidden();

    // In the browser the download is the export: nothing piles up in the engine's data folder.
    const exports = join(ferry.dataDir, 'exports');
    await expect.poll(() => (existsSync(exports) ? readdirSync(exports) : [])).toEqual([]);
  });
});
