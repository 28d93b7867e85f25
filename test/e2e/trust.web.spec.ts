/**
 * What happened must be visible: a job with failed items does not look like a success, the status
 * bar does not show figures it no longer has, and a job waiting for the user says so.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from './fixtures';
import { JobsPage } from './pages/jobsPage';
import { StatsPage } from './pages/statsPage';
import { axeBothThemes } from './support/axe';
import { bytesOf, writeTree } from './support/files';
import { waitForState } from './support/jobs';
import { shootBothThemes } from './support/screens';

const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

test.describe('a window that does not lie', () => {
  test('a job that completed with failed items has its own look in the table, the detail and the footer', async ({ page, ferry }) => {
    const jobs = new JobsPage(page);
    const clean = await ferry.call<{ id: number }>('createDemoJob', { name: 'Calibration batch 1', items: 4, itemDelayMs: 1, failRate: 0 });
    const partial = await ferry.call<{ id: number }>('createDemoJob', { name: 'Spectra QC (noisy sensor)', items: 12, itemDelayMs: 1, failRate: 0.5 });
    await waitForState(ferry, clean.id, ['completed']);
    const finished = await ferry.call<{ state: string; result: string; counts: { failed: number } }>('getJob', { id: (await waitForState(ferry, partial.id, ['completed'])).id });
    expect(finished.result).toBe('partial');
    expect(finished.counts.failed).toBeGreaterThan(0);

    await jobs.open(ferry.url);
    const badge = (id: number) => jobs.row(id).locator('.state-badge');
    await expect(badge(partial.id)).toHaveText('completed with failures');
    await expect(badge(clean.id)).toHaveText('completed');
    // Not the success tone, in the table and in the progress bar.
    await expect(badge(partial.id)).toHaveClass(/\bstate-partial\b/);
    await expect(jobs.row(partial.id).locator('.progress')).toHaveClass(/\bstate-partial\b/);

    // Every state reads whole in the table: a desktop window and the narrowest layout, with and
    // without the detail beside it (a long label takes two lines rather than being cut).
    const stateCellsWhole = () =>
      jobs.rows.locator('.job-cell-state').evaluateAll((cells) =>
        cells
          // The cell, its badge and the label: none may hold more than it shows, nor the row less than the cell.
          .filter(
            (cell) =>
              [cell, ...Array.from(cell.querySelectorAll('.state-badge, .state-badge-label'))].some((e) => e.scrollWidth > e.clientWidth || e.scrollHeight > e.clientHeight) ||
              cell.getBoundingClientRect().height > (cell.parentElement?.clientHeight ?? Infinity),
          )
          .map((cell) => cell.textContent),
      );
    for (const width of [1400, 800]) {
      await page.setViewportSize({ width, height: 860 });
      await expect(jobs.detail).toHaveCount(0);
      await expect.poll(stateCellsWhole, { message: `state labels cut at ${width} px` }).toEqual([]);
      // A table as wide as a desktop window has room for it on one line.
      if (width === 1400) expect((await badge(partial.id).boundingBox())!.height).toBeLessThanOrEqual(22);
      await jobs.select(partial.id);
      await expect(badge(partial.id)).toBeVisible();
      await expect.poll(stateCellsWhole, { message: `state labels cut at ${width} px beside the detail` }).toEqual([]);
      await jobs.detail.getByRole('button', { name: 'Close job detail' }).click();
    }
    await page.setViewportSize({ width: 1360, height: 860 });

    await jobs.select(partial.id);
    await expect(jobs.detail.locator('.job-detail-title-row .state-badge')).toHaveText('completed with failures');
    await expect(jobs.panel.footer.getByTestId('job-result')).toHaveText('completed with failures');
    const failed = finished.counts.failed;
    await expect(jobs.detail.getByTestId('failed-notice')).toContainText(`${failed} ${failed === 1 ? 'item' : 'items'} failed.`);
    await shootBothThemes(page, 'job-partial');

    await jobs.select(clean.id);
    await expect(jobs.detail.getByTestId('failed-notice')).toHaveCount(0);
    await expect(jobs.panel.footer.getByTestId('job-result')).toHaveText('success');
    // One of a kind reads as one: "1 item", "1 job".
    await expect(jobs.panel.footer).toContainText(/Processed 4 items/);
    await expect(page.getByTestId('count-jobs:all')).toHaveAttribute('aria-label', '2 jobs');
    await expect(page.getByTestId('count-jobs:running')).toHaveAttribute('aria-label', '0 jobs');
  });

  test('an upload with failed files lists them with their reasons, says where the data went, and re-sends only those files', async ({ page, ferry, temp }) => {
    test.setTimeout(240_000);
    const jobs = new JobsPage(page);
    const source = temp.make();
    const names = Array.from({ length: 12 }, (_, i) => `plate-${String(i + 1).padStart(2, '0')}.tif`);
    const files = writeTree(join(source, 'plates'), Object.fromEntries(names.map((n) => [n, bytesOf(64 * 1024)])));
    // About a file a second: the last two are moved away while the first ones are sent, so they fail.
    await ferry.call('updateSettings', { bandwidthLimit: 64 * 1024 });
    const upload = await ferry.call<{ id: number }>('createUpload', { paths: [join(source, 'plates')] });
    await expect.poll(async () => (await ferry.call<{ done: number }>('getJob', { id: upload.id })).done, { timeout: 20_000 }).toBeGreaterThan(0);
    const aside = temp.make();
    for (const n of names.slice(10)) renameSync(join(source, 'plates', n), join(aside, n));
    const partial = await waitForState(ferry, upload.id, ['completed', 'failed'], 60_000);
    expect(partial).toMatchObject({ state: 'completed', result: 'partial', counts: { processed: 10, failed: 2 } });
    await ferry.call('updateSettings', { bandwidthLimit: 0 });

    await jobs.open(ferry.url);
    await jobs.select(upload.id);
    const panel = jobs.panel;
    await expect(panel.failedNotice).toContainText('2 files failed.');
    await expect(panel.failedFiles).toHaveCount(2);
    for (const [i, n] of names.slice(10).entries()) {
      await expect(panel.failedFiles.nth(i)).toContainText(n);
      // In plain words beside the name, without the engine's "read(/the/path): " before them.
      await expect(panel.failedFiles.nth(i).getByTestId('failed-reason')).toHaveText(/^File vanished /);
    }
    // Where the dataset went: the receiver's folder, and each landed file in it with its bytes.
    const landed = join(ferry.dataDir, 'received', 'plates');
    await expect(panel.datasetWhere).toHaveText(landed);
    await panel.tab('Files');
    const where = panel.fileRows().filter({ hasText: names[0]! }).getByTestId('file-where');
    await expect(where).toContainText(join(landed, names[0]!));
    expect(sha256(readFileSync((await where.locator('code').textContent())!))).toBe(sha256(files[names[0]!]!));
    await expect(where.getByRole('button', { name: `Copy the location of ${names[0]}` })).toBeVisible();
    // The web host cannot open a file manager: no Reveal.
    await expect(page.getByRole('button', { name: /in the file manager/ })).toHaveCount(0);
    await shootBothThemes(page, 'upload-file-locations');
    expect(await axeBothThemes(page, 'files of a partial upload')).toEqual([]);
    await panel.tab('Log');
    await shootBothThemes(page, 'upload-partial-failed-files');
    expect(await axeBothThemes(page, 'a partial upload')).toEqual([]);
    await page.setViewportSize({ width: 800, height: 860 });
    await expect(panel.resendFailed).toBeVisible();
    await page.setViewportSize({ width: 1360, height: 860 });

    // The filter and the sidebar find it as "completed with failures"; Stats does not call it a success.
    await jobs.filterState('partial');
    await expect(jobs.rows).toHaveCount(1);
    await expect(page.getByTestId('count-jobs:partial')).toHaveAttribute('aria-label', '1 job');
    await jobs.filterState('partial');
    const stats = new StatsPage(page);
    await stats.open();
    await expect(stats.stateCount('partial')).toContainText('1');
    await expect(stats.tile('success')).toHaveText('0%');
    await shootBothThemes(page, 'stats-partial');
    expect(await axeBothThemes(page, 'stats with a partial job')).toEqual([]);

    // Put the files back and send the failed ones again: the job becomes a plain success.
    for (const n of names.slice(10)) renameSync(join(aside, n), join(source, 'plates', n));
    await jobs.shell.go('jobs:all');
    await jobs.select(upload.id);
    await panel.resendFailed.click();
    await expect(jobs.detail.locator('.job-detail-title-row .state-badge')).toHaveText('completed', { timeout: 30_000 });
    await expect(panel.failedNotice).toHaveCount(0);
    await expect(panel.footer.getByTestId('job-result')).toHaveText('success');
    for (const n of names) expect(sha256(readFileSync(join(landed, n))), n).toBe(sha256(files[n]!));
    expect(readFileSync(join(landed, 'manifest-sha256.txt'), 'utf8').trim().split('\n')).toHaveLength(12);
    expect(existsSync(join(landed, 'manifest-sha256 (1).txt'))).toBe(false);
    await expect(page.getByTestId('count-jobs:partial')).toHaveCount(0);
  });

  test('while Ferry is unreachable the status bar says Disconnected and shows no stale figures', async ({ page, ferry }) => {
    const jobs = new JobsPage(page);
    await jobs.open(ferry.url);
    await ferry.call('createDemoJob', { name: 'Long sweep', items: 5000, itemDelayMs: 50 });
    const status = page.getByTestId('status-bar');
    await expect(page.getByTestId('status-running')).toContainText('1 running');

    const exited = new Promise((resolve) => ferry.process.once('exit', resolve));
    ferry.process.kill('SIGKILL');
    await exited;
    await expect(page.getByTestId('connection-state')).toHaveText('Disconnected');
    await expect(status).not.toContainText('running');
    await expect(status).not.toContainText('/s');
    await shootBothThemes(page, 'status-disconnected');
  });

  test('while Ferry is unreachable the job controls are off and say why, and a Pause is refused at once, not held', async ({ page, ferry }) => {
    const jobs = new JobsPage(page);
    await jobs.open(ferry.url);
    const job = await ferry.call<{ id: number }>('createDemoJob', { name: 'Long sweep', items: 5000, itemDelayMs: 50 });
    await jobs.select(job.id);
    const pause = jobs.detail.getByRole('button', { name: `Pause job ${job.id}` });
    await expect(pause).toBeEnabled();

    const exited = new Promise((resolve) => ferry.process.once('exit', resolve));
    ferry.process.kill('SIGKILL');
    await exited;
    await expect(page.getByTestId('connection-state')).toHaveText('Disconnected');
    await expect(pause).toBeDisabled();
    await expect(pause).toHaveAttribute('title', 'Ferry is not reachable');
    await expect(jobs.detail.getByTestId('controls-offline')).toHaveText('Ferry is not reachable: controls are off until it answers.');
    for (const button of await jobs.detail.getByRole('toolbar', { name: `Controls for job ${job.id}` }).getByRole('button').all()) await expect(button).toBeDisabled();
    await expect(jobs.detail.getByRole('combobox', { name: `Priority of job ${job.id}` })).toBeDisabled();
    // No speed or ETA from before the connection dropped, in the row or the detail.
    await expect(jobs.row(job.id).locator('.job-cell-speed')).toHaveText('—');
    await expect(jobs.row(job.id).locator('.job-cell-eta')).toHaveText('—');
    await expect(jobs.detail.getByTestId('job-rate')).toHaveText('Speed unknown while Ferry is not reachable');
    await shootBothThemes(page, 'controls-offline');

    // The keyboard's Pause (Space on the selected row) answers at once instead of waiting for the connection.
    await jobs.row(job.id).click();
    await page.keyboard.press(' ');
    await jobs.shell.expectToast('Nothing was sent: pause job');
    // The context menu says it too, with every control off.
    await jobs.row(job.id).click({ button: 'right' });
    const menu = page.getByTestId('job-context-menu');
    await expect(menu.getByRole('menuitem', { name: 'Ferry is not reachable' })).toBeDisabled();
    await expect(menu.getByRole('menuitem', { name: /^Pause/ })).toBeDisabled();
  });

  test('Stop after current on a one-file upload says what it will do and ends completed, not paused at 100 %', async ({ page, ferry, temp }) => {
    const jobs = new JobsPage(page);
    const source = temp.make();
    writeTree(source, { 'volume.raw': bytesOf(768 * 1024) });
    // Slow enough that the one file is still on its way when the button is clicked.
    await ferry.call('updateSettings', { bandwidthLimit: 64 * 1024 });
    const upload = await ferry.call<{ id: number }>('createUpload', { paths: [join(source, 'volume.raw')] });
    await jobs.open(ferry.url);
    await jobs.select(upload.id);
    await expect(jobs.detail).toHaveAttribute('data-state', 'running');
    const stop = jobs.control('Stop after current', upload.id);
    await expect(stop).toHaveAttribute('title', 'Finish the files being sent, start no new ones, then pause (or complete, if nothing is left)');
    await stop.click();
    await expect(jobs.detail).toContainText('stopping after the files in flight');
    await expect(stop).toBeDisabled();
    await ferry.call('updateSettings', { bandwidthLimit: 0 });
    // The file in flight was the last: the job completes, whole, instead of waiting paused.
    await expect(jobs.detail).toHaveAttribute('data-state', 'completed', { timeout: 30_000 });
    await expect(jobs.row(upload.id).locator('.state-badge')).toHaveText('completed');
    await expect(jobs.panel.footer.getByTestId('job-result')).toHaveText('success');
    await expect(jobs.detail).not.toContainText('stopping after the files in flight');
    const received = (await ferry.call<{ items: { state: string }[] }>('listJobItems', { id: upload.id })).items;
    expect(received.map((i) => i.state)).toEqual(['done']);
  });

  test('a job waiting for approval shows in the status bar as something to do, and leads to it', async ({ page, ferry, temp }) => {
    const jobs = new JobsPage(page);
    const source = temp.make();
    writeTree(join(source, 'plate'), { 'plate-1.csv': bytesOf(20_000) });
    await jobs.open(ferry.url);
    const upload = await ferry.call<{ id: number }>('createUpload', { paths: [join(source, 'plate')], then: [{ kind: 'verify', gate: {} }] });
    await waitForState(ferry, upload.id, ['completed']);
    const waiting = page.getByTestId('status-awaiting');
    await expect(waiting).toHaveText('1 job waiting for your approval');
    await expect(page.getByTestId('status-running')).not.toHaveText('Idle');
    await waiting.click();
    await expect(jobs.shell.nav('jobs:awaiting_approval')).toHaveAttribute('aria-current', 'page');
    await expect(jobs.rows).toHaveCount(1);
    await expect(jobs.rows.first()).toHaveAttribute('data-state', 'awaiting_approval');
  });
});
