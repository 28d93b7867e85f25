import { expect, test } from './fixtures';
import { JobsPage } from './pages/jobsPage';
import { UploadSheet } from './pages/uploadSheet';
import { dropFiles } from './support/dropFiles';
import { bytesOf } from './support/files';
import { axeBothThemes } from './support/axe';
import { shootBothThemes } from './support/screens';

interface JobPage {
  jobs: Array<{ id: number; kind: string; state: string }>;
}

test.describe('pipeline links', () => {
  test('an upload and its verify step link to each other, and the table marks both', async ({ page, ferry }) => {
    // axe in two themes takes a while on a busy machine.
    test.setTimeout(150_000);
    const jobs = new JobsPage(page);
    const sheet = new UploadSheet(page);
    await jobs.open(ferry.url);
    await dropFiles(page, [{ name: 'sample-a.raw', bytes: bytesOf(60_000) }]);
    await sheet.expectOpen();
    await sheet.setName('linked-run');
    await sheet.root.getByLabel(/Verify what landed/).check();
    await sheet.start();
    const upload = Number(await jobs.detail.getAttribute('data-job-id'));
    const verifyJob = async () => (await ferry.call<JobPage>('listJobs', { kind: ['verify'] })).jobs[0];
    await expect.poll(async () => (await verifyJob())?.state, { timeout: 20_000 }).toBe('completed');
    const verify = (await verifyJob())!.id;

    // The table marks both jobs as steps of a pipeline, and says which comes after which.
    await expect(jobs.row(upload).getByTestId('pipeline-mark')).toBeVisible();
    await expect(jobs.row(verify).getByTestId('pipeline-mark')).toBeVisible();
    await expect(jobs.row(verify)).toHaveAttribute('aria-label', new RegExp(`pipeline step after job ${upload}`));
    await expect(jobs.row(upload)).toHaveAttribute('aria-label', /first step of a pipeline/);

    // The upload's detail: it is the current step, the verify job the next one.
    await jobs.select(upload);
    const steps = jobs.detail.getByRole('navigation', { name: 'Pipeline' });
    await expect(steps.locator('[aria-current="step"]')).toHaveText(`Upload #${upload}`);
    const next = steps.getByRole('button', { name: `Verify #${verify}: next step, completed` });
    await expect(next).toBeVisible();
    await shootBothThemes(page, 'pipeline-steps');
    expect(await axeBothThemes(page, 'pipeline-steps')).toEqual([]);
    await next.click();
    await expect(jobs.detail).toHaveAttribute('data-job-id', String(verify));
    await expect(jobs.row(verify)).toHaveAttribute('aria-selected', 'true');
    await expect(steps.locator('[aria-current="step"]')).toHaveText(`Verify #${verify}`);

    // And back.
    await steps.getByRole('button', { name: `Upload #${upload}: previous step, completed` }).click();
    await expect(jobs.detail).toHaveAttribute('data-job-id', String(upload));
    await expect(jobs.row(upload)).toHaveAttribute('aria-selected', 'true');
  });

  test('a job outside any pipeline shows none and has no mark', async ({ page, ferry }) => {
    const jobs = new JobsPage(page);
    await jobs.open(ferry.url);
    const job = await ferry.call<{ id: number }>('createDemoJob', { name: 'Alone', items: 2, itemDelayMs: 0, failRate: 0 });
    await jobs.select(job.id);
    await jobs.expectState('completed');
    await expect(jobs.row(job.id).getByTestId('pipeline-mark')).toHaveCount(0);
    await expect(jobs.detail.getByRole('navigation', { name: 'Pipeline' })).toHaveCount(0);
    expect(await ferry.call('getPipeline', { id: job.id })).toEqual({ steps: [], planned: [] });
  });
});
