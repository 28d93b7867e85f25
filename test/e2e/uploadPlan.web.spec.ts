/**
 * The new-upload sheet shows, before Start, what the destination already holds of a dataset sent
 * before: new, changed, unchanged and removed files and the bytes to send; starting sends only
 * those, and the box ticked deletes the removed file at the destination.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from './fixtures';
import { BrowsePage } from './pages/browsePage';
import { UploadSheet } from './pages/uploadSheet';
import { axeBothThemes } from './support/axe';
import { bytesOf, writeTree } from './support/files';
import { waitForState } from './support/jobs';
import { shootBothThemes } from './support/screens';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

test('the plan of a dataset sent before, then an incremental send that deletes the removed file', async ({ page, ferry, temp }) => {
  test.setTimeout(120_000);
  const root = temp.make('ferry-e2e-plan-');
  const dir = join(root, 'grid-14');
  writeTree(dir, {
    'scan_0001.tif': bytesOf(1_400_000),
    'scan_0002.tif': bytesOf(1_250_000),
    'raw/frames-a.h5': bytesOf(900_000),
    'acquisition.json': Buffer.from('{"exposureMs":12}\n'),
  });
  const first = await ferry.call<{ id: number }>('createUpload', { paths: [dir] });
  await waitForState(ferry, first.id, ['completed']);
  // Between the two sends: one file rewritten, one added, one removed.
  writeFileSync(join(dir, 'acquisition.json'), '{"exposureMs":15}\n');
  writeFileSync(join(dir, 'scan_0003.tif'), bytesOf(700_001));
  rmSync(join(dir, 'raw/frames-a.h5'));

  const browse = new BrowsePage(page);
  await page.goto(ferry.url);
  await browse.open();
  await browse.goTo(root);
  await browse.select('grid-14');
  await browse.uploadSelected.click();
  const sheet = new UploadSheet(page);
  await sheet.expectOpen();
  const plan = page.getByTestId('upload-plan');
  await expect(plan.getByTestId('upload-plan-counts')).toContainText('1new1changed2unchanged1removed');
  await expect(plan.getByTestId('upload-plan-bytes')).toHaveText('700 kB');
  await expect(plan.getByTestId('upload-incremental')).toBeChecked();
  await expect(plan.getByRole('list', { name: 'Files that differ from the destination' })).toContainText('raw/frames-a.h5');
  const send = sheet.root.getByRole('button', { name: 'Send 2 new or changed files' });
  await expect(send).toBeVisible();
  await shootBothThemes(page, 'upload-plan');
  expect(await axeBothThemes(page, 'upload-plan')).toEqual([]);

  await plan.getByTestId('upload-delete-removed').check();
  await send.click();
  await expect(sheet.root).toBeHidden();
  const jobs = await ferry.call<{ jobs: { id: number }[] }>('listJobs', {});
  const second = jobs.jobs.find((j) => j.id !== first.id)!;
  await waitForState(ferry, second.id, ['completed']);
  // Read back from the receiver's own storage.
  const landed = join(ferry.dataDir, 'received', 'grid-14');
  for (const rel of ['scan_0001.tif', 'scan_0002.tif', 'scan_0003.tif', 'acquisition.json']) {
    expect(sha(readFileSync(join(landed, rel))), rel).toBe(sha(readFileSync(join(dir, rel))));
  }
  expect(existsSync(join(landed, 'raw/frames-a.h5')), 'the removed file is deleted at the destination').toBe(false);
});
