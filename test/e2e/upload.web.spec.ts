import { join } from 'node:path';
import { expect, test } from './fixtures';
import { BrowsePage } from './pages/browsePage';
import { JobsPage } from './pages/jobsPage';
import { UploadSheet } from './pages/uploadSheet';
import { dropFiles } from './support/dropFiles';
import { bytesOf, readTree, writeTree } from './support/files';

test.describe('new uploads in the web host', () => {
  test('dropping several real files on the window stages them and uploads them to the built-in receiver', async ({ page, ferry }) => {
    const jobs = new JobsPage(page);
    const sheet = new UploadSheet(page);
    await jobs.open(ferry.url);
    const files = {
      'spectrum #1 (ü).csv': Buffer.from('wavelength,intensity\n400,0.12\n410,0.18\n'),
      'frame-0001.raw': bytesOf(3 * 1024 * 1024 + 17),
      'notes.txt': Buffer.from('calibrated 2025-03-01\n'),
    };
    const finish = await dropFiles(page, Object.entries(files).map(([name, bytes]) => ({ name, bytes })), { hold: true });
    await expect(sheet.dropOverlay).toBeVisible();
    await finish();
    await expect(sheet.dropOverlay).toBeHidden();
    await sheet.expectOpen();
    await sheet.expectCounted(3);
    await expect(sheet.totalSize).toHaveText('3.15 MB');
    await sheet.setName('drop-test');
    await sheet.fillMetadata({ sensorType: 'HDF5', team: 'Optics', description: 'Dropped in the e2e suite', public: true });
    await sheet.start();

    await jobs.expectState('completed');
    await expect(jobs.panel.footer.getByTestId('job-result')).toHaveText('success');
    const arrived = readTree(join(ferry.dataDir, 'received', 'drop-test'), files);
    expect(arrived).toEqual({ 'spectrum #1 (ü).csv': true, 'frame-0001.raw': true, 'notes.txt': true });

    // The files tab lists each file with its verified SHA-256.
    await jobs.panel.tab('Files');
    await expect(jobs.panel.fileRows()).toHaveCount(3);
    await expect(jobs.panel.fileRows().filter({ hasText: 'frame-0001.raw' })).toHaveAttribute('data-state', 'done');
    await expect(jobs.panel.files.locator('code[aria-label^="SHA-256"]').first()).toHaveText(/^[0-9a-f]{64}$/);
    // The details tab shows the metadata the sheet sent.
    await jobs.panel.tab('Details');
    await expect(jobs.panel.details.getByTestId('job-metadata')).toContainText('HDF5');
    await expect(jobs.panel.details.getByTestId('job-metadata')).toContainText('Optics');
  });

  test('shows staging progress while a large drop is sent to Ferry', async ({ page, ferry }) => {
    const jobs = new JobsPage(page);
    const sheet = new UploadSheet(page);
    await jobs.open(ferry.url);
    const big = bytesOf(24 * 1024 * 1024);
    await dropFiles(page, [{ name: 'big.bin', bytes: big }]);
    await sheet.expectCounted(1);
    await sheet.setName('big-drop');
    await sheet.submit.click();
    await expect(sheet.staging).toBeVisible();
    await expect(sheet.root).toBeHidden({ timeout: 30_000 });
    await jobs.expectState('completed');
    expect(readTree(join(ferry.dataDir, 'received', 'big-drop'), { 'big.bin': big })).toEqual({ 'big.bin': true });
  });

  test('files chosen with the browser\'s picker are staged and uploaded too', async ({ page, ferry, temp }) => {
    const dir = temp.make();
    const files = writeTree(dir, { 'plate-A1.csv': Buffer.from('well,od\nA1,0.42\n'), 'plate-A2.csv': bytesOf(90_000) });
    const jobs = new JobsPage(page);
    const sheet = new UploadSheet(page);
    await jobs.open(ferry.url);
    await page.getByRole('button', { name: 'New upload' }).first().click();
    await sheet.expectOpen();
    await sheet.root.getByLabel('Files to upload').setInputFiles(Object.keys(files).map((name) => join(dir, name)));
    await sheet.expectCounted(2);
    await expect(sheet.root.getByLabel('Dataset name')).toHaveValue('plate-A1.csv and 1 more');
    await sheet.setName('plates');
    await sheet.setPriority('High');
    await sheet.start();
    await jobs.expectState('completed');
    expect(readTree(join(ferry.dataDir, 'received', 'plates'), files)).toEqual({ 'plate-A1.csv': true, 'plate-A2.csv': true });
  });

  test('a folder picked in Browse uploads with its structure, counted by previewUpload', async ({ page, ferry, temp }) => {
    const root = temp.make();
    const tree = writeTree(join(root, 'run-042'), {
      'meta/info.json': Buffer.from('{"instrument":"scope-3"}'),
      'images/tile_000.tif': bytesOf(700_000),
      'images/tile_001.tif': bytesOf(650_000),
      'images/deep/tile_002.tif': bytesOf(1234),
    });
    writeTree(root, { 'other.txt': Buffer.from('not selected') });
    const jobs = new JobsPage(page);
    const browse = new BrowsePage(page);
    const sheet = new UploadSheet(page);
    await jobs.open(ferry.url);
    await browse.open();
    await browse.goTo(root);
    // Folder sizes are counted lazily.
    await expect(browse.entry('run-042')).toContainText('4 files');
    await browse.select('run-042');
    await browse.uploadSelected.click();
    await sheet.expectCounted(4);
    await expect(sheet.root.getByLabel('Dataset name')).toHaveValue('run-042');
    await sheet.start();
    await jobs.expectState('completed');
    // One folder is the dataset itself: its name is not repeated inside.
    expect(Object.values(readTree(join(ferry.dataDir, 'received', 'run-042'), tree)).every(Boolean)).toBe(true);
  });
});
