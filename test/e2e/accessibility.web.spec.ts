/**
 * axe-core on every screen, in the light and the dark theme, at 1400 and at 800 px wide: no violation
 * may remain. The per-screen
 * result is attached to the test (axe-results.json) so a reviewer sees which screens were checked.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type ServedFerry } from './fixtures';
import { BrowsePage } from './pages/browsePage';
import { DestinationsPage } from './pages/destinationsPage';
import { JobsPage } from './pages/jobsPage';
import { SettingsPage } from './pages/settingsPage';
import { StatsPage } from './pages/statsPage';
import { UploadSheet } from './pages/uploadSheet';
import { WebhooksPage } from './pages/webhooksPage';
import { axeBothWidths, type AxeFinding } from './support/axe';
import { bytesOf, writeTree } from './support/files';
import { waitForState } from './support/jobs';
import { dismissToasts } from './support/screens';

test.describe.configure({ mode: 'parallel' });

/** Collects findings per screen and fails once at the end with all of them, not at the first screen. */
class AxeRun {
  readonly checked: Record<string, number> = {};
  readonly findings: AxeFinding[] = [];
  constructor(private readonly page: import('@playwright/test').Page) {}

  /** Checks the screen at 1400 and at 800 px; `reopen` brings back what a resize closes (a menu). */
  async check(screen: string, reopen?: () => Promise<void>): Promise<void> {
    const { findings, counts } = await axeBothWidths(this.page, screen, reopen);
    Object.assign(this.checked, counts);
    this.findings.push(...findings);
  }

  async finish(): Promise<void> {
    // One line per run in the report: each screen (and width) with its violation count (both themes).
    console.log(`axe: ${Object.entries(this.checked).map(([screen, n]) => `${screen} ${n}`).join('; ')}`);
    await test.info().attach('axe-results.json', { body: JSON.stringify({ checked: this.checked, findings: this.findings }, null, 2), contentType: 'application/json' });
    expect(this.findings).toEqual([]);
  }
}

/** Finished jobs: one clean, one with failed items. Nothing keeps running, so axe sees a still page. */
async function someJobs(ferry: ServedFerry): Promise<{ done: number; partial: number }> {
  const done = await ferry.call<{ id: number }>('createDemoJob', { name: 'Calibration batch 1', items: 5, itemDelayMs: 1, failRate: 0 });
  const partial = await ferry.call<{ id: number }>('createDemoJob', { name: 'Spectra QC (noisy sensor)', items: 12, itemDelayMs: 1, failRate: 0.5 });
  await waitForState(ferry, done.id, ['completed']);
  await waitForState(ferry, partial.id, ['completed', 'failed']);
  return { done: done.id, partial: partial.id };
}

test.describe('accessibility (axe-core, both themes, 1400 and 800 px)', () => {
  test('jobs and the detail tabs', async ({ page, ferry, temp }) => {
    test.setTimeout(900_000);
    const run = new AxeRun(page);
    const jobs = new JobsPage(page);
    await jobs.open(ferry.url);
    await expect(page.getByTestId('job-list-empty')).toBeVisible();
    await run.check('jobs-empty');

    const source = temp.make();
    writeTree(join(source, 'Grid 14'), { 'scan_1.tif': bytesOf(40_000), 'scan_2.tif': bytesOf(30_000), 'notes.json': Buffer.from('{"exposureMs":12}') });
    const upload = await ferry.call<{ id: number }>('createUpload', { paths: [join(source, 'Grid 14')], metadata: { sensorType: 'TIFF', team: 'Structural biology' } });
    const ids = await someJobs(ferry);
    await waitForState(ferry, upload.id, ['completed']);
    const running = await ferry.call<{ id: number }>('createDemoJob', { name: 'Thermal drone flight 22', items: 50_000, itemDelayMs: 50, linesPerItem: 2 });

    await jobs.select(running.id);
    await expect.poll(() => jobs.panel.lineCount(), { timeout: 30_000 }).toBeGreaterThan(5);
    await run.check('jobs-log-running');
    // Paused from here on: a page that changes twenty times a second makes each axe pass crawl.
    await ferry.call('pauseJob', { id: running.id });
    await waitForState(ferry, running.id, ['paused']);
    await expect(jobs.detail).toHaveAttribute('data-state', 'paused', { timeout: 30_000 });
    await jobs.panel.tab('Events');
    await expect(jobs.panel.eventRows().first()).toBeVisible();
    await run.check('detail-events');
    await jobs.select(upload.id);
    await jobs.panel.tab('Files');
    await expect(jobs.panel.fileRows()).toHaveCount(3);
    await run.check('detail-files');
    await jobs.panel.tab('Details');
    await run.check('detail-details');
    await jobs.select(ids.partial);
    await jobs.panel.tab('Log');
    await jobs.panel.waitForEnd();
    await run.check('detail-finished-log');
    await run.finish();
  });

  test('menus, dialogs and sheets', async ({ page, ferry }) => {
    test.setTimeout(900_000);
    const run = new AxeRun(page);
    const jobs = new JobsPage(page);
    const ids = await someJobs(ferry);
    await jobs.open(ferry.url);
    await jobs.openContextMenu(ids.done);
    // A menu closes when the window is resized: it is opened again at each width.
    await run.check('context-menu', async () => {
      await jobs.openContextMenu(ids.done);
    });
    await page.keyboard.press('Escape');
    await page.keyboard.press('?');
    await expect(jobs.shell.shortcutsSheet).toBeVisible();
    await run.check('shortcuts');
    await page.keyboard.press('Escape');
    await jobs.select(ids.done);
    await page.keyboard.press('Delete');
    await expect(jobs.shell.confirmDialog).toBeVisible();
    await run.check('confirm');
    await page.keyboard.press('Escape');

    const sheet = new UploadSheet(page);
    await page.getByRole('button', { name: 'New upload' }).first().click();
    await sheet.expectOpen();
    await run.check('new-upload');
    await page.keyboard.press('Escape');
    await page.getByRole('button', { name: 'Download', exact: true }).click();
    await expect(page.getByTestId('new-download')).toBeVisible();
    await run.check('new-download');
    await page.keyboard.press('Escape');
    // Only the user where Ferry runs can allow command jobs; a reload reads it again.
    writeFileSync(join(ferry.dataDir, 'local-config.json'), JSON.stringify({ allowCommandJobs: true }));
    await page.reload();
    await page.getByRole('button', { name: 'Command', exact: true }).click();
    await expect(page.getByTestId('new-command')).toBeVisible();
    await run.check('new-command');
    await page.keyboard.press('Escape');
    await run.finish();
  });

  test('browse, destinations and watched folders', async ({ page, ferry, temp }) => {
    test.setTimeout(900_000);
    const run = new AxeRun(page);
    const jobs = new JobsPage(page);
    await someJobs(ferry);
    await jobs.open(ferry.url);

    const root = temp.make('ferry-e2e-browse-');
    writeTree(root, { 'grid-14/frame_1.mrc': bytesOf(3000), 'grid-15/frame_1.mrc': bytesOf(2000), 'notes.md': Buffer.from('# Session\n') });
    const browse = new BrowsePage(page);
    await browse.open();
    await browse.goTo(root);
    await browse.select('grid-14');
    await run.check('browse');

    const dests = new DestinationsPage(page);
    await dests.open();
    await dests.addFolder('Lab NAS', temp.make('ferry-e2e-nas-'));
    await dests.test('Lab NAS');
    await dismissToasts(page);
    await run.check('destinations');
    await dests.edit('Lab NAS');
    await run.check('destination-editor');
    await page.keyboard.press('Escape');

    await jobs.shell.go('watch');
    await run.check('watch-empty');
    await ferry.call('saveWatchRule', { name: 'Microscope 2 exports', path: temp.make('ferry-e2e-watch-') });
    await jobs.shell.go('jobs:all');
    await jobs.shell.go('watch');
    await expect(page.getByRole('list', { name: 'Watched folders' }).getByText('Microscope 2 exports')).toBeVisible();
    await run.check('watch');
    await page.getByRole('button', { name: 'Watch a folder' }).first().click();
    await expect(page.getByTestId('watch-rule-editor')).toBeVisible();
    await run.check('watch-editor');
    await page.keyboard.press('Escape');
    await run.finish();
  });

  test('webhooks, stats and settings', async ({ page, ferry }) => {
    test.setTimeout(900_000);
    const run = new AxeRun(page);
    const jobs = new JobsPage(page);
    await someJobs(ferry);
    await jobs.open(ferry.url);

    const hooks = new WebhooksPage(page);
    await hooks.open();
    await run.check('webhooks-empty');
    await ferry.call('saveWebhook', { url: 'https://lims.example.org/api/ferry-events', secret: 'a-long-enough-secret-1234' });
    await jobs.shell.go('jobs:all');
    await hooks.open();
    await expect(hooks.cards).toHaveCount(1);
    await run.check('webhooks');
    await hooks.edit('https://lims.example.org/api/ferry-events');
    await run.check('webhook-editor');
    await page.keyboard.press('Escape');

    const stats = new StatsPage(page);
    await stats.open();
    await expect(stats.tile('success')).toHaveText(/%/);
    await run.check('stats');

    const settings = new SettingsPage(page);
    await settings.open();
    await run.check('settings');
    await run.finish();
  });
});
