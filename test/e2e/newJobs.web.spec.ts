import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { expect, test } from './fixtures';
import { JobsPage } from './pages/jobsPage';
import { SettingsPage } from './pages/settingsPage';

test.describe('new download and command jobs', () => {
  test('a download from a real local server lands byte for byte, checked against its SHA-256', async ({ page, ferry, temp }) => {
    const data = randomBytes(3 * 1024 * 1024 + 7);
    const server = http.createServer((_req, res) => {
      res.writeHead(200, { 'Content-Length': data.length, 'Content-Type': 'application/octet-stream' });
      res.end(data);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/run-42/volume.bin`;
      const dest = join(temp.make('ferry-e2e-dl-'), 'incoming', 'volume.bin');
      const jobs = new JobsPage(page);
      await jobs.open(ferry.url);
      await page.getByRole('button', { name: 'Download', exact: true }).click();
      const sheet = page.getByTestId('new-download');
      await sheet.getByLabel('Expected SHA-256 (optional)').fill('abc');
      await sheet.getByRole('button', { name: 'Start' }).click();
      await expect(sheet.getByRole('alert').first()).toBeVisible(); // URL, path and the short hash are refused in the form
      await sheet.getByLabel('URL').fill(url);
      await sheet.getByLabel('Save as').fill(dest);
      await sheet.getByLabel('Expected SHA-256 (optional)').fill(createHash('sha256').update(data).digest('hex'));
      await sheet.getByRole('button', { name: 'Start' }).click();
      await expect(sheet).toBeHidden();
      await jobs.expectState('completed');
      expect(readFileSync(dest).equals(data)).toBe(true);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  test('command jobs are off until the user allows them where Ferry runs; then the output streams into the log and the exit code decides', async ({ page, ferry }) => {
    const jobs = new JobsPage(page);
    await jobs.open(ferry.url);
    await page.getByRole('button', { name: 'Command', exact: true }).click();
    await expect(page.getByTestId('command-jobs-off')).toBeVisible();
    await page.getByRole('button', { name: 'Open Settings' }).click();
    // Settings says how; it offers no switch a page (or any API client) could flip.
    await expect(page.getByTestId('command-jobs-state')).toContainText('--allow-command-jobs');
    await expect(page.getByTestId('command-jobs-state').getByRole('checkbox')).toHaveCount(0);
    writeFileSync(join(ferry.dataDir, 'local-config.json'), JSON.stringify({ allowCommandJobs: true }));
    await page.reload();
    await expect(page.getByTestId('connection-state')).toContainText(/connected/i);
    await new SettingsPage(page).open();
    await expect(page.getByTestId('command-jobs-state')).toContainText('Allowed');

    await page.getByRole('button', { name: 'Command', exact: true }).click();
    const sheet = page.getByTestId('new-command');
    await sheet.getByLabel('Program').fill(process.execPath);
    await sheet.getByLabel('Arguments').fill(['-e', "console.log('spectra ok'); console.error('calibration drift 0.2%')"].join('\n'));
    await sheet.getByLabel('Job name (optional)').fill('QC script');
    await sheet.getByRole('button', { name: 'Start' }).click();
    await expect(sheet).toBeHidden();
    await jobs.expectState('completed');
    await expect(jobs.detail).toContainText('spectra ok');
    await expect(jobs.detail).toContainText('calibration drift 0.2%');

    await page.getByRole('button', { name: 'Command', exact: true }).click();
    await sheet.getByLabel('Program').fill(process.execPath);
    await sheet.getByLabel('Arguments').fill(['-e', 'process.exit(3)'].join('\n'));
    await sheet.getByRole('button', { name: 'Start' }).click();
    await jobs.expectState('failed');
    await expect(jobs.detail).toContainText('3');
  });
});
