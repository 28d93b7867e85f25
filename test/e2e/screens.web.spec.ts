/**
 * Screenshots of every screen in the light and the dark theme, for review:
 * test-results/screens/<screen>-<theme>.png. Each screen is set up as a user would see it, and
 * before each picture the test checks that the screen shows what the picture is meant to show.
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
import { dropFiles, leaveDrag } from './support/dropFiles';
import { bytesOf, writeTree } from './support/files';
import { createDemoJobs, waitForState } from './support/jobs';
import { dismissToasts, expectInWindow, NARROW, shootBothThemes, WIDE } from './support/screens';

// Three independent sets of screens: they run side by side on two workers.
test.describe.configure({ mode: 'parallel' });

/** Finished work, so stats and durations have something to show. */
async function finishedWork(ferry: ServedFerry): Promise<void> {
  const quick = await createDemoJobs(ferry, 6, { items: 30, itemDelayMs: 5, failRate: 0, name: (i) => `Calibration batch ${i + 1}` }, 6);
  const noisy = await ferry.call<{ id: number }>('createDemoJob', { name: 'Spectra QC (noisy sensor)', items: 40, itemDelayMs: 5, failRate: 1 });
  for (const j of quick) await waitForState(ferry, j.id, ['completed']);
  await waitForState(ferry, noisy.id, ['completed', 'failed']);
}

test.describe('screens', () => {
  test('empty state', async ({ page, ferry }) => {
    const jobs = new JobsPage(page);
    await jobs.open(ferry.url);
    await expect(page.getByTestId('job-list-empty')).toContainText('No jobs yet');
    await expect(page.getByTestId('job-list-empty').getByRole('button', { name: 'New upload' })).toBeVisible();
    await shootBothThemes(page, 'empty');
  });

  test('jobs, job detail tabs and dialogs', async ({ page, ferry, temp }) => {
    test.setTimeout(480_000);
    const jobs = new JobsPage(page);
    await finishedWork(ferry);
    const source = temp.make();
    writeTree(join(source, 'Cryo-EM grid 14'), { 'scan_0001.tif': bytesOf(1_400_000), 'scan_0002.tif': bytesOf(1_250_000), 'acquisition.json': Buffer.from('{"exposureMs":12}') });
    const upload = await ferry.call<{ id: number }>('createUpload', {
      paths: [join(source, 'Cryo-EM grid 14')],
      metadata: { sensorType: 'TIFF', team: 'Structural biology', folder: '2025/grids', description: 'Overnight acquisition, grid 14, square 3.' },
    });
    await waitForState(ferry, upload.id, ['completed']);

    const names = ['Lidar sweep — north transect', 'Hyperspectral tiles, field 7', 'Sequencer run 2025-03-14', 'Thermal drone flight 22', 'Radar archive import', 'Camera trap batch 9'];
    // The last one still runs when the confirm sheet is shot, after every other screen at two widths.
    const sizes = [240, 600, 1400, 5000, 5000, 50_000];
    const live: { id: number }[] = [];
    for (const [i, name] of names.entries()) {
      live.push(await ferry.call<{ id: number }>('createDemoJob', { name, items: sizes[i], itemDelayMs: 40, linesPerItem: 2, failRate: 0.05 }));
    }
    await ferry.call('pauseJob', { id: live[4]!.id });
    const canceled = await ferry.call<{ id: number }>('createDemoJob', { name: 'Superseded export', items: 5000, itemDelayMs: 150 });
    await ferry.call('cancelJob', { id: canceled.id });

    await jobs.open(ferry.url);
    await expect(jobs.row(live[3]!.id)).toHaveAttribute('data-state', 'running');
    for (const [i, name] of names.entries()) await expect(jobs.row(live[i]!.id)).toContainText(name);
    await expect(jobs.row(live[4]!.id)).toHaveAttribute('data-state', 'paused');
    await expect(jobs.row(canceled.id)).toHaveAttribute('data-state', 'canceled');
    await expect(jobs.row(upload.id)).toHaveAttribute('data-state', 'completed');
    // Rates and ETAs need a few progress reports: the picture waits until the long jobs show both.
    await expect(jobs.row(live[3]!.id).locator('.job-cell-speed')).toHaveText(/\/s$/);
    await expect(jobs.row(live[3]!.id).locator('.job-cell-eta')).not.toHaveText('—');
    await shootBothThemes(page, 'jobs');

    // Several selected: the bulk bar, and the context menu acting on them.
    await jobs.select(live[0]!.id);
    await jobs.select(live[2]!.id, ['Shift']);
    await expect(jobs.bulkBar).toContainText('3 selected');
    // A menu closes when the window is resized: it is opened again at each width.
    for (const width of [WIDE, NARROW]) {
      await page.setViewportSize({ width, height: 860 });
      await jobs.openContextMenu(live[1]!.id);
      await expect(jobs.contextMenu).toContainText('Copy job ids');
      await expectInWindow(page, jobs.contextMenu);
      await shootBothThemes(page, width === NARROW ? `context-menu-${NARROW}` : 'context-menu', { keepMouse: true, currentSize: true });
      await page.keyboard.press('Escape');
    }
    await page.setViewportSize({ width: 1360, height: 860 });

    await jobs.select(live[3]!.id);
    await expect.poll(() => jobs.panel.lineCount()).toBeGreaterThan(60);
    await expect(jobs.panel.root).toContainText(names[3]!);
    await expect(jobs.panel.log).toContainText('item');
    await shootBothThemes(page, 'job-detail');
    await jobs.panel.logSearch.fill('FAIL');
    await jobs.panel.logSearch.press('Enter');
    await expect(jobs.panel.logSearchCount).toHaveText(/^(no matches|(\d+|–) of \d+)$/);
    await shootBothThemes(page, 'job-detail-log-search');
    await jobs.panel.logSearch.fill('');

    await jobs.panel.tab('Events');
    await expect(jobs.panel.eventRows().first()).toBeVisible();
    expect(await jobs.panel.eventRows().count()).toBeGreaterThan(1);
    await shootBothThemes(page, 'detail-events');

    await jobs.select(upload.id);
    await jobs.panel.tab('Files');
    await expect(jobs.panel.fileRows()).toHaveCount(3);
    for (const name of ['scan_0001.tif', 'scan_0002.tif', 'acquisition.json']) await expect(jobs.panel.files).toContainText(name);
    await shootBothThemes(page, 'detail-files');
    await jobs.panel.tab('Details');
    await expect(jobs.panel.details.getByTestId('job-metadata')).toContainText('Structural biology');
    await expect(jobs.panel.details.getByTestId('job-metadata')).toContainText('TIFF');
    await shootBothThemes(page, 'detail-details');
    await jobs.panel.tab('Log');

    await page.keyboard.press('?');
    await expect(jobs.shell.shortcutsSheet).toContainText('Keyboard shortcuts');
    await shootBothThemes(page, 'shortcuts');
    await page.keyboard.press('Escape');

    await jobs.select(live[5]!.id);
    await expect(jobs.row(live[5]!.id)).toHaveAttribute('data-state', 'running');
    // Delete on a running job asks to cancel it first.
    await page.keyboard.press('Delete');
    await expect(jobs.shell.confirmDialog).toContainText(`Cancel “${names[5]!}”?`);
    await expect(jobs.shell.confirmDialog).toContainText(`Job #${live[5]!.id} stops at once`);
    await shootBothThemes(page, 'confirm');
    await page.keyboard.press('Escape');
  });

  test('upload sheet, browse, destinations, stats and settings', async ({ page, ferry, temp }) => {
    test.setTimeout(480_000);
    const jobs = new JobsPage(page);
    const sheet = new UploadSheet(page);
    await finishedWork(ferry);
    await jobs.open(ferry.url);

    await page.getByRole('button', { name: 'New upload' }).first().click();
    await sheet.expectOpen();
    await expect(page.getByTestId('new-upload-sheet')).toContainText('Choose what to upload');
    await shootBothThemes(page, 'new-upload-source');
    await page.keyboard.press('Escape');
    await dropFiles(page, [{ name: 'x.bin', bytes: bytesOf(10) }], { hold: true });
    await expect(sheet.dropOverlay).toContainText('Drop files or folders to upload');
    await shootBothThemes(page, 'drop-overlay');
    await leaveDrag(page);
    await expect(sheet.dropOverlay).toBeHidden();

    const dropped = { 'scan_0001.tif': bytesOf(1_400_000), 'scan_0002.tif': bytesOf(1_250_000), 'acquisition.json': Buffer.from('{"exposureMs":12}') };
    await dropFiles(page, Object.entries(dropped).map(([name, bytes]) => ({ name, bytes })));
    await sheet.expectCounted(3);
    await sheet.setName('Cryo-EM grid 14');
    await sheet.fillMetadata({ sensorType: 'TIFF', team: 'Structural biology', folder: '2025/grids', description: 'Overnight acquisition, grid 14, square 3.' });
    await expect(page.getByTestId('new-upload-sheet')).toContainText('scan_0001.tif');
    await expect(sheet.submit).toBeEnabled();
    await shootBothThemes(page, 'new-upload');
    await sheet.start();
    await jobs.expectState('completed');

    const root = temp.make('ferry-e2e-browse-');
    writeTree(root, {
      'grid-14/square-3/frame_0001.mrc': bytesOf(300_000),
      'grid-14/square-3/frame_0002.mrc': bytesOf(300_000),
      'grid-14/gain_ref.mrc': bytesOf(120_000),
      'grid-15/frame_0001.mrc': bytesOf(90_000),
      'session-notes.md': Buffer.from('# Session\n'),
      'instrument.json': Buffer.from('{"model":"Krios G4"}'),
      '.DS_Store': Buffer.from('x'),
    });
    const browse = new BrowsePage(page);
    await browse.open();
    await browse.goTo(root);
    await expect(browse.entry('grid-14')).toContainText('3 files');
    await expect(browse.entry('grid-15')).toContainText('1 file');
    await browse.select('grid-14');
    await browse.select('session-notes.md', ['ControlOrMeta']);
    await expect(browse.uploadSelected).toHaveText('Upload selected (2)');
    await expect(browse.entries.filter({ hasText: '.DS_Store' })).toHaveCount(0);
    await dismissToasts(page);
    await shootBothThemes(page, 'browse');

    const dests = new DestinationsPage(page);
    await dests.open();
    await dests.addFolder('Lab NAS — /archive', temp.make('ferry-e2e-nas-'));
    await dests.startAdding();
    await dests.chooseKind('S3');
    await dests.field('Name').fill('Institute object store');
    await dests.field('Endpoint').fill('http://127.0.0.1:9');
    await dests.field('Bucket').fill('raw-datasets');
    await dests.field('Prefix').fill('incoming/');
    await dests.field('Access key id').fill('AKIAFERRYEXAMPLE');
    await dests.field('Secret access key').fill('not-a-real-secret');
    await dests.field(/Path-style/).check();
    await dests.save();
    await expect(await dests.test('Lab NAS — /archive')).toHaveAttribute('data-status', 'ok');
    // Nothing listens on port 9: the picture shows a failed test next to a good one.
    await expect(await dests.test('Institute object store')).toHaveAttribute('data-status', /^(failed|error)$/);
    await dismissToasts(page);
    await shootBothThemes(page, 'destinations');
    await dests.edit('Institute object store');
    await expect(dests.editor).toContainText('Edit Institute object store');
    await expect(dests.field('Bucket')).toHaveValue('raw-datasets');
    await shootBothThemes(page, 'destination-editor');
    await page.keyboard.press('Escape');

    // A throttled upload of many files (the engine reports progress per file) gives the live chart
    // something to draw.
    await ferry.call('updateSettings', { ...(await ferry.call<object>('getSettings')), bandwidthLimit: 1_500_000 });
    await jobs.shell.go('jobs:all');
    await dropFiles(page, Array.from({ length: 16 }, (_, i) => ({ name: `stack_${String(i).padStart(2, '0')}.raw`, bytes: bytesOf(750_000) })));
    await sheet.setName('Throttled stack');
    await sheet.start();
    await expect(jobs.detail).toHaveAttribute('data-state', 'running');
    const stats = new StatsPage(page);
    await stats.open();
    await expect(stats.tile('success')).toHaveText(/%/);
    await expect(stats.tile('throughput')).not.toHaveText('0 B/s', { timeout: 15_000 });
    // A few seconds of live throughput: the chart draws one sample a second.
    await expect.poll(async () => ((await stats.throughput.locator('path.chart-line').getAttribute('d')) ?? '').split('L').length, { timeout: 15_000 }).toBeGreaterThan(3);
    await dismissToasts(page);
    await shootBothThemes(page, 'stats');
    await ferry.call('updateSettings', { ...(await ferry.call<object>('getSettings')), bandwidthLimit: 0 });

    const settings = new SettingsPage(page);
    await settings.open();
    await settings.field('Limit upload speed').check();
    await page.getByRole('button', { name: 'Add rule' }).click();
    await expect(settings.field('Limit upload speed')).toBeChecked();
    await expect(page.getByRole('button', { name: 'Remove rule 1' })).toBeVisible();
    await shootBothThemes(page, 'settings');
    await page.locator('.screen-body').evaluate((el) => el.scrollTo(0, el.scrollHeight));
    await expect(settings.dataDir).toBeInViewport();
    await shootBothThemes(page, 'settings-bottom');
  });

  test('webhooks', async ({ page, ferry }) => {
    // Four pictures a screen (two themes at two widths) take a while on a busy machine.
    test.setTimeout(180_000);
    const hooks = new WebhooksPage(page);
    await hooks.shell.open(ferry.url);
    await hooks.open();
    await expect(hooks.empty).toContainText('No webhooks yet');
    await shootBothThemes(page, 'webhooks-empty');
    await ferry.call('saveWebhook', { url: 'https://lims.example.org/api/ferry-events', secret: 'a-long-enough-secret-1234' });
    const dest = await ferry.call<{ id: string }>('saveDestination', { name: 'Institute object store', kind: 'folder', config: { path: '/tmp' } });
    await ferry.call('saveWebhook', {
      url: 'https://chat.example.org/hooks/imaging-core',
      secret: 'another-long-secret-5678',
      events: ['job.failed', 'job.canceled'],
      destinationId: dest.id,
      enabled: false,
    });
    await hooks.shell.go('jobs:all');
    await hooks.open();
    await expect(hooks.cards).toHaveCount(2);
    await expect(hooks.cards.filter({ hasText: 'https://lims.example.org/api/ferry-events' })).not.toContainText('Off');
    await expect(hooks.cards.filter({ hasText: 'https://chat.example.org/hooks/imaging-core' })).toContainText('Off');
    await shootBothThemes(page, 'webhooks');
    await hooks.edit('https://lims.example.org/api/ferry-events');
    await expect(page.getByTestId('webhook-editor')).toContainText('Edit webhook');
    await shootBothThemes(page, 'webhook-editor');
    await page.keyboard.press('Escape');
  });

  test('new download and command sheets', async ({ page, ferry }) => {
    test.setTimeout(240_000);
    const jobs = new JobsPage(page);
    await jobs.open(ferry.url);
    await page.getByRole('button', { name: 'Download', exact: true }).click();
    const download = page.getByTestId('new-download');
    await download.getByLabel('URL').fill('https://data.example.org/run-42/volume.tif');
    await download.getByLabel('Save as').fill('/data/incoming/volume.tif');
    await download.getByLabel('Expected SHA-256 (optional)').fill('not-a-hash');
    await download.getByRole('button', { name: 'Start' }).click();
    await expect(download).toContainText('A SHA-256 is 64 hex digits');
    await shootBothThemes(page, 'new-download');
    await page.keyboard.press('Escape');
    await page.getByRole('button', { name: 'Command', exact: true }).click();
    await expect(page.getByTestId('command-jobs-off')).toContainText('Command jobs are off');
    await shootBothThemes(page, 'new-command-off');
    await page.keyboard.press('Escape');
    // Only the user where Ferry runs can allow command jobs (no API call can); a reload reads it again.
    writeFileSync(join(ferry.dataDir, 'local-config.json'), JSON.stringify({ allowCommandJobs: true }));
    await page.reload();
    await expect(page.getByTestId('connection-state')).toContainText(/connected/i);
    await page.getByRole('button', { name: 'Command', exact: true }).click();
    const command = page.getByTestId('new-command');
    await command.getByLabel('Program').fill('/usr/bin/python3');
    await command.getByLabel('Arguments').fill('qc.py\n--run\n42');
    await expect(command).toContainText('New command job');
    await expect(page.getByTestId('command-jobs-off')).toHaveCount(0);
    await shootBothThemes(page, 'new-command');
    await page.keyboard.press('Escape');
  });

  test('watched folders', async ({ page, ferry, temp }) => {
    test.setTimeout(180_000);
    const jobs = new JobsPage(page);
    await jobs.open(ferry.url);
    await jobs.shell.go('watch');
    await expect(page.getByTestId('watch-empty')).toContainText('No watched folders yet');
    await shootBothThemes(page, 'watch-empty');
    await ferry.call('saveWatchRule', { name: 'Microscope 2 exports', path: temp.make('ferry-e2e-watch-') });
    await ferry.call('saveWatchRule', { name: 'Plate reader runs', path: temp.make('ferry-e2e-watch-'), mode: 'dataset', markerFile: '.done', enabled: false });
    await jobs.shell.go('jobs:all');
    await jobs.shell.go('watch');
    const rules = page.getByRole('list', { name: 'Watched folders' });
    await expect(rules.getByText('Plate reader runs')).toBeVisible();
    await expect(rules.getByText('Microscope 2 exports')).toBeVisible();
    await expect(rules.getByRole('listitem', { name: 'Plate reader runs' })).toContainText('Off');
    await shootBothThemes(page, 'watch');
    await page.getByRole('button', { name: 'Watch a folder' }).first().click();
    await expect(page.getByTestId('watch-rule-editor')).toContainText('Watch a folder');
    await shootBothThemes(page, 'watch-editor');
    await page.keyboard.press('Escape');
  });
});
