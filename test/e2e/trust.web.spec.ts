/**
 * What happened must be visible: a job with failed items does not look like a success, the status
 * bar does not show figures it no longer has, and a job waiting for the user says so.
 */
import { join } from 'node:path';
import { expect, test } from './fixtures';
import { JobsPage } from './pages/jobsPage';
import { bytesOf, writeTree } from './support/files';
import { waitForState } from './support/jobs';
import { shootBothThemes } from './support/screens';

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
