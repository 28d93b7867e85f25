import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { _electron as electron, expect, test } from '@playwright/test';
import { electronBinary, ELECTRON_SKIP_REASON } from './electronApp';
import { JobsPage } from './pages/jobsPage';

const bin = electronBinary();
// Said in the run's output, not only in the report: where this suite did not run, and why.
if (!bin) console.log(`[electron] desktop suite skipped: ${ELECTRON_SKIP_REASON}`);

test.describe('desktop app (Electron)', () => {
  test.skip(!bin, ELECTRON_SKIP_REASON);

  test('demo job: log streams, pause holds, resume, cancel with footer; window is locked down', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'ferry-electron-'));
    const app = await electron.launch({ executablePath: bin!, args: ['.'], env: { ...process.env, FERRY_DATA_DIR: dataDir } });
    try {
      const page = await app.firstWindow();
      const jobs = new JobsPage(page);
      await expect(page.getByTestId('connection-state')).toContainText(/connected/i);
      // The renderer has no Node and only the contract's functions.
      expect(await page.evaluate(() => typeof (globalThis as { require?: unknown }).require)).toBe('undefined');
      expect(await page.evaluate(() => typeof (globalThis as unknown as { ferry: { listJobs: unknown } }).ferry.listJobs)).toBe('function');
      // Navigation and new windows are denied.
      const before = page.url();
      await page.evaluate(() => {
        (globalThis as unknown as { location: { href: string } }).location.href = 'https://example.com/';
      });
      await page.waitForTimeout(300);
      expect(page.url()).toBe(before);
      await page.evaluate(() => (globalThis as unknown as { open: (u: string) => unknown }).open('https://example.com/'));
      await page.waitForTimeout(300);
      expect(app.windows()).toHaveLength(1);

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
      await expect(jobs.log).toContainText('"result": "canceled"');
    } finally {
      await app.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
