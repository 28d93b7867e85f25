/**
 * S3 as a source in the window: "Download back" in a completed S3 upload's detail, and a prefix
 * from the New download sheet; a real s3rver, the files compared byte for byte with the originals,
 * each screen shot in both themes at both widths and checked with axe.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startS3Server, type S3ServerHandle } from '../helpers/s3Server';
import { expect, test } from './fixtures';
import { JobsPage } from './pages/jobsPage';
import { axeBothThemes } from './support/axe';
import { bytesOf, writeTree } from './support/files';
import { waitForState } from './support/jobs';
import { dismissToasts, shootBothThemes } from './support/screens';

test.describe('download from an S3 bucket', () => {
  let s3: S3ServerHandle | undefined;
  test.afterEach(async () => {
    await s3?.close();
    s3 = undefined;
  });

  test('"Download back" from a completed S3 upload, and a prefix from the New download sheet, land byte for byte', async ({ page, ferry, temp }) => {
    test.setTimeout(420_000);
    s3 = await startS3Server(temp.make('ferry-e2e-s3-'));
    const bucket = await ferry.call<{ id: string }>('saveDestination', {
      name: 'Lab archive',
      kind: 's3',
      config: { endpoint: s3.endpoint, bucket: s3.bucket, accessKeyId: 'S3RVER', forcePathStyle: true, prefix: 'archive/' },
      secret: { secretAccessKey: 'S3RVER' },
    });
    const source = temp.make('ferry-e2e-src-');
    const files = { 'scan_0001.tif': bytesOf(1_400_000), 'raw/scan_0002.tif': bytesOf(900_000), 'acquisition.json': Buffer.from('{"exposureMs":12}') };
    writeTree(join(source, 'Cryo-EM grid 14'), files);
    const upload = await ferry.call<{ id: number }>('createUpload', { paths: [join(source, 'Cryo-EM grid 14')], destinationId: bucket.id });
    await waitForState(ferry, upload.id, ['completed']);

    const jobs = new JobsPage(page);
    await jobs.open(ferry.url);
    await jobs.select(upload.id);
    await jobs.expectState('completed');
    await jobs.detail.getByRole('button', { name: 'Download back' }).click();
    const sheet = page.getByTestId('new-bucket-download');
    await expect(sheet.getByTestId('download-back-from')).toContainText('Cryo-EM grid 14');
    await expect(sheet.getByTestId('download-back-from')).toContainText('Lab archive');
    await sheet.getByRole('button', { name: 'Start' }).click();
    await expect(sheet.getByRole('alert').first()).toBeVisible(); // no folder yet: refused in the form
    const back = join(temp.make('ferry-e2e-back-'), 'Cryo-EM grid 14');
    await sheet.getByLabel('Save to folder').fill(back);
    await shootBothThemes(page, 'download-back');
    expect(await axeBothThemes(page, 'download-back')).toEqual([]);
    await sheet.getByRole('button', { name: 'Start' }).click();
    await expect(sheet).toBeHidden();
    await jobs.expectState('completed');
    for (const [rel, bytes] of Object.entries(files)) expect(readFileSync(join(back, rel)).equals(bytes), rel).toBe(true);
    // The Files tab says what each file was checked against.
    await jobs.panel.tab('Files');
    await expect(page.getByTestId('file-check').first()).toContainText('checked by manifest sha256');
    await expect(page.getByTestId('file-row')).toHaveCount(5);
    await dismissToasts(page);
    await shootBothThemes(page, 'download-back-files');

    // A prefix from the sheet: Download → "An S3 bucket" → destination, prefix, folder.
    await page.getByRole('button', { name: 'Download', exact: true }).click();
    await page.getByTestId('download-source').getByRole('radio', { name: 'An S3 bucket' }).click();
    await expect(sheet.getByLabel('S3 destination')).toHaveValue(bucket.id);
    await sheet.getByLabel('Prefix').fill('Cryo-EM grid 14/raw');
    const prefixCopy = join(temp.make('ferry-e2e-prefix-'), 'raw');
    await sheet.getByLabel('Save to folder').fill(prefixCopy);
    await shootBothThemes(page, 'new-bucket-download');
    expect(await axeBothThemes(page, 'new-bucket-download')).toEqual([]);
    await sheet.getByRole('button', { name: 'Start' }).click();
    await expect(sheet).toBeHidden();
    await jobs.expectState('completed');
    expect(readFileSync(join(prefixCopy, 'scan_0002.tif')).equals(files['raw/scan_0002.tif'])).toBe(true);
  });

  test('without an S3 destination the sheet says where to add one; a non-S3 upload offers no "Download back"', async ({ page, ferry, temp }) => {
    test.setTimeout(180_000);
    const source = temp.make('ferry-e2e-src-');
    writeTree(join(source, 'local set'), { 'a.bin': bytesOf(10_000) });
    const upload = await ferry.call<{ id: number }>('createUpload', { paths: [join(source, 'local set')] });
    await waitForState(ferry, upload.id, ['completed']);
    const jobs = new JobsPage(page);
    await jobs.open(ferry.url);
    await jobs.select(upload.id);
    await expect(jobs.detail.getByRole('button', { name: 'Verify' })).toBeVisible();
    await expect(jobs.detail.getByRole('button', { name: 'Download back' })).toHaveCount(0);
    await page.getByRole('button', { name: 'Download', exact: true }).click();
    await page.getByTestId('download-source').getByRole('radio', { name: 'An S3 bucket' }).click();
    await expect(page.getByTestId('no-s3-destinations')).toBeVisible();
    await shootBothThemes(page, 'new-bucket-download-none');
    expect(await axeBothThemes(page, 'new-bucket-download-none')).toEqual([]);
    await page.getByRole('button', { name: 'Open Destinations' }).click();
    await expect(page.getByTestId('new-bucket-download')).toBeHidden();
  });
});
