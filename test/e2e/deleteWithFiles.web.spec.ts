import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from './fixtures';
import { JobsPage } from './pages/jobsPage';
import { bytesOf, writeTree } from './support/files';
import { waitForState } from './support/jobs';

test.describe('deleting an upload', () => {
  test('asks whether to delete the uploaded files too: unticked keeps them, ticked removes the dataset', async ({ page, ferry, temp }) => {
    const source = temp.make();
    const landed = (name: string) => join(ferry.dataDir, 'received', name);
    const uploads: { id: number; name: string }[] = [];
    for (const name of ['Kept run', 'Gone run']) {
      writeTree(join(source, name), { 'a.tif': bytesOf(20_000), 'b.tif': bytesOf(30_000) });
      const job = await ferry.call<{ id: number }>('createUpload', { paths: [join(source, name)] });
      await waitForState(ferry, job.id, ['completed']);
      expect(readdirSync(landed(name)).sort()).toEqual(['a.tif', 'b.tif', 'dataset.json', 'manifest-sha256.txt']);
      uploads.push({ id: job.id, name });
    }
    const jobs = new JobsPage(page);
    await jobs.open(ferry.url);

    const [kept, gone] = uploads as [{ id: number; name: string }, { id: number; name: string }];
    await jobs.select(kept.id);
    await page.keyboard.press('Delete');
    const option = jobs.shell.confirmDialog.getByRole('checkbox', { name: /Also delete the uploaded files at “This computer/ });
    await expect(option).not.toBeChecked();
    await jobs.shell.confirm('Delete job');
    await expect(jobs.row(kept.id)).toHaveCount(0);
    expect(readdirSync(landed(kept.name)).length).toBe(4);

    await jobs.select(gone.id);
    await page.keyboard.press('Delete');
    await option.check();
    await jobs.shell.confirm('Delete job');
    await expect(jobs.row(gone.id)).toHaveCount(0);
    await expect(page.getByText(/and 2 uploaded files/)).toBeVisible();
    expect(existsSync(landed(gone.name))).toBe(false);
  });
});
