/**
 * Small things a person reads: Escape closes only the innermost layer, the shortcuts sheet says what
 * Delete does, files are listed as people count, an older job's Created cell shows its date, and
 * a form's errors name the field and what it needs instead of the schema's own text.
 */
import { createServer } from 'node:http';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { expect, test } from './fixtures';
import { DestinationsPage } from './pages/destinationsPage';
import { JobsPage } from './pages/jobsPage';
import { UploadSheet } from './pages/uploadSheet';
import { dropFiles } from './support/dropFiles';
import { bytesOf } from './support/files';
import { waitForState } from './support/jobs';
import { shootBothThemes } from './support/screens';

test.describe('plain words', () => {
  test('Escape in the folder picker of "Watch a folder" closes the picker and keeps the form', async ({ page, ferry }) => {
    const jobs = new JobsPage(page);
    await jobs.open(ferry.url);
    await jobs.shell.go('watch');
    await page.getByRole('button', { name: 'Watch a folder' }).first().click();
    const editor = page.getByTestId('watch-rule-editor');
    await editor.getByRole('textbox', { name: 'Name', exact: true }).fill('Microscope 2 exports');
    await editor.getByRole('button', { name: 'Choose…' }).click();
    const picker = page.getByTestId('watch-folder-picker');
    await expect(picker).toBeVisible();
    await picker.getByRole('button', { name: 'Up one folder' }).focus();
    await page.keyboard.press('Escape');
    await expect(picker).toBeHidden();
    await expect(editor).toBeVisible();
    await expect(editor.getByRole('textbox', { name: 'Name', exact: true })).toHaveValue('Microscope 2 exports');
    // A second Escape, with no inner layer left, closes the sheet.
    await page.keyboard.press('Escape');
    await expect(editor).toBeHidden();
  });

  test('the shortcuts sheet says that Delete cancels unfinished jobs and deletes finished ones', async ({ page, ferry }) => {
    const jobs = new JobsPage(page);
    await jobs.open(ferry.url);
    await page.keyboard.press('?');
    await expect(jobs.shell.shortcutsSheet).toContainText('Cancel the selected jobs that are unfinished, or delete finished ones with their logs (asks first)');
  });

  test('dropped files are listed in natural order: 2 before 10', async ({ page, ferry }) => {
    const jobs = new JobsPage(page);
    const sheet = new UploadSheet(page);
    await jobs.open(ferry.url);
    await dropFiles(
      page,
      ['frame_10.raw', 'frame_2.raw', 'frame_1.raw', 'Frame_3.raw'].map((name) => ({ name, bytes: bytesOf(100) })),
    );
    await sheet.expectCounted(4);
    await expect(sheet.root.getByRole('list', { name: 'Files to upload' }).locator('.upload-sample-path')).toHaveText(['frame_1.raw', 'frame_2.raw', 'Frame_3.raw', 'frame_10.raw']);
  });

  test('the Created column shows the date of a job from an earlier day in full', async ({ page, ferry }) => {
    const jobs = new JobsPage(page);
    const job = await ferry.call<{ id: number }>('createDemoJob', { name: 'Last week', items: 1, itemDelayMs: 0, failRate: 0 });
    await waitForState(ferry, job.id, ['completed']);
    // An older job, as a user who kept Ferry for a week has: its creation time moved back in the database.
    const created = new Date(2026, 0, 14, 9, 5).getTime();
    const db = new Database(join(ferry.dataDir, 'ferry.db'));
    try {
      db.prepare('UPDATE jobs SET created_at = ? WHERE id = ?').run(created, job.id);
    } finally {
      db.close();
    }
    await jobs.open(ferry.url);
    const cell = jobs.row(job.id).locator('.job-cell-created');
    await expect(cell).toContainText('Jan');
    await expect(cell).toContainText('14');
    // Not cut off: the whole text fits in the cell.
    expect(await cell.evaluate((el) => el.scrollWidth <= el.clientWidth)).toBe(true);
  });
});

test.describe('form errors in plain words', () => {
  const zodText = /Too small|Too big|Invalid input|expected (string|number)|>=|<=/;

  test('the destination editor names the field and what it needs', async ({ page, ferry }) => {
    const dests = new DestinationsPage(page);
    await dests.shell.open(ferry.url);
    await dests.open();
    await dests.startAdding();
    await dests.chooseKind('S3');
    await dests.field('Name').fill('Archive');
    await dests.field('Bucket').fill('ab');
    await dests.field('Part size (MiB)').fill('2');
    await dests.editor.getByRole('button', { name: 'Add destination' }).click();
    const errors = dests.editor.locator('.field-error');
    await expect(dests.fieldError('Bucket')).toHaveText('Bucket needs at least 3 characters');
    await expect(dests.fieldError('Access key id')).toHaveText('Access key ID is needed');
    await expect(dests.fieldError('Part size (MiB)')).toHaveText('Part size must be at least 5');
    for (const text of await errors.allTextContents()) expect(text).not.toMatch(zodText);
    await shootBothThemes(page, 'form-errors-destination');
  });

  test('the watch rule editor says what a number field needs', async ({ page, ferry }) => {
    const jobs = new JobsPage(page);
    await jobs.open(ferry.url);
    await jobs.shell.go('watch');
    await page.getByRole('button', { name: 'Watch a folder' }).first().click();
    const editor = page.getByTestId('watch-rule-editor');
    await editor.getByRole('textbox', { name: 'Name', exact: true }).fill('Microscope 2 exports');
    await editor.getByRole('textbox', { name: 'Folder to watch' }).fill('/data/microscope');
    await editor.getByLabel('Stable after (seconds)').fill('-3');
    await editor.getByRole('button', { name: 'Start watching' }).click();
    const error = editor.getByLabel('Stable after (seconds)').locator('xpath=ancestor::div[contains(@class,"field")][1]').locator('.field-error');
    await expect(error).toHaveText('Stable after must be at least 0');
    for (const text of await editor.locator('.field-error').allTextContents()) expect(text).not.toMatch(zodText);
  });
});

test.describe('connection tests in plain words', () => {
  test('a destination test says what answered and what to check', async ({ page, ferry }) => {
    // A web page where an S3 endpoint was expected, as a mistyped port gives.
    const web = createServer((_req, res) => {
      res.writeHead(404, { 'Content-Type': 'text/html', Server: 'nginx' });
      res.end('<html>Not found</html>');
    });
    await new Promise<void>((resolve) => web.listen(0, '127.0.0.1', resolve));
    const port = (web.address() as { port: number }).port;
    try {
      await ferry.call('saveDestination', {
        name: 'Lab bucket',
        kind: 's3',
        config: { endpoint: `http://127.0.0.1:${port}`, bucket: 'lab-data', accessKeyId: 'AKIA0000', forcePathStyle: true },
        secret: { secretAccessKey: 'not-a-real-secret' },
      });
      // A port nothing listens on: taken, then freed.
      const spare = createServer();
      await new Promise<void>((resolve) => spare.listen(0, '127.0.0.1', resolve));
      const closed = (spare.address() as { port: number }).port;
      await new Promise((resolve) => spare.close(resolve));
      await ferry.call('saveDestination', { name: 'Partner tus', kind: 'tus', config: { endpoint: `http://127.0.0.1:${closed}/files/` } });
      const dests = new DestinationsPage(page);
      await dests.shell.open(ferry.url);
      await dests.open();

      const s3 = await dests.test('Lab bucket');
      await expect(s3).toHaveAttribute('data-problem', 'not_s3');
      await expect(s3).toContainText(`127.0.0.1:${port} answered as a web server (HTTP 404, text/html, nginx), not as S3.`);
      await expect(s3.getByTestId('destination-test-hint')).toContainText('S3 API');
      await expect(s3).not.toContainText(/UnknownError|does not exist/);

      const tus = await dests.test('Partner tus');
      await expect(tus).toHaveAttribute('data-problem', 'refused');
      await expect(tus).toContainText(`Nothing is listening at 127.0.0.1:${closed}: the connection was refused.`);
      await expect(tus.getByTestId('destination-test-hint')).toHaveText('Check the address and the port, and that the server is running.');
      await expect(tus).not.toContainText('fetch failed');
      await shootBothThemes(page, 'destination-test-messages');
    } finally {
      await new Promise((resolve) => web.close(resolve));
    }
  });

  test('Escape in the Export menu closes the menu only', async ({ page, ferry }) => {
    const jobs = new JobsPage(page);
    const job = await ferry.call<{ id: number }>('createDemoJob', { name: 'One', items: 1, itemDelayMs: 0, failRate: 0 });
    await waitForState(ferry, job.id, ['completed']);
    await jobs.open(ferry.url);
    await jobs.select(job.id);
    await page.getByRole('button', { name: 'Export' }).click();
    const menu = page.getByTestId('export-menu');
    await expect(menu).toBeVisible();
    await page.keyboard.press('Escape');
    await expect(menu).toBeHidden();
    // The detail the Escape would otherwise close is still open.
    await expect(jobs.detail).toBeVisible();
  });
});
