import { expect, test } from './fixtures';
import { JobsPage } from './pages/jobsPage';
import { UploadSheet } from './pages/uploadSheet';
import { dropFiles } from './support/dropFiles';
import { bytesOf } from './support/files';
import { shootBothThemes } from './support/screens';

interface JobPage {
  jobs: Array<{ id: number; kind: string; state: string }>;
}

test.describe('pipelines from the upload sheet', () => {
  test('an upload with a gated verify step: the step waits for approval, is approved in the UI, and verifies', async ({ page, ferry }) => {
    const jobs = new JobsPage(page);
    const sheet = new UploadSheet(page);
    await jobs.open(ferry.url);
    await dropFiles(page, [
      { name: 'frame-0001.raw', bytes: bytesOf(400_000) },
      { name: 'frame-0002.raw', bytes: bytesOf(300_000) },
    ]);
    await sheet.expectOpen();
    await sheet.setName('gated-run');
    await expect(sheet.root.getByLabel('Wait for my approval before the follow-up steps')).toBeDisabled();
    await sheet.root.getByLabel(/Verify what landed/).check();
    await sheet.root.getByLabel('Wait for my approval before the follow-up steps').check();
    // A timeout rule: rejected by itself if nobody decides within two hours.
    await sheet.root.getByLabel('If nobody decides').selectOption('reject');
    await sheet.root.getByLabel('After (hours)').fill('0');
    await expect(sheet.root).toContainText('Between 0.01 and 720 hours.');
    await sheet.root.getByLabel('After (hours)').fill('2');
    await expect(sheet.root).not.toContainText('Between 0.01 and 720 hours.');
    await sheet.root.getByLabel('After (hours)').scrollIntoViewIfNeeded();
    await shootBothThemes(page, 'upload-sheet-gate');
    await sheet.start();
    await jobs.expectState('completed');

    const waiting = async () => (await ferry.call<JobPage>('listJobs', { state: ['awaiting_approval'] })).jobs;
    await expect.poll(async () => (await waiting()).length, { timeout: 15_000 }).toBe(1);
    const [gate] = await waiting();
    expect(gate!.kind).toBe('verify');
    const events = await ferry.call<{ events: Array<{ type: string; payload?: { gate?: unknown } }> }>('listEvents', { id: gate!.id });
    expect(events.events.find((e) => e.type === 'gate_waiting')?.payload?.gate).toMatchObject({ timeoutMs: 7_200_000, onTimeout: 'reject' });

    await jobs.shell.nav('jobs:awaiting_approval').click();
    await jobs.select(gate!.id);
    await jobs.expectState('awaiting_approval');
    await jobs.detail.getByRole('button', { name: 'Approve' }).click();
    await jobs.expectState('completed');
    await expect(jobs.detail).toContainText('gated-run');

    // The gate and the verify run's stage, in plain words, naming who decided.
    await jobs.panel.tab('Events');
    const row = (type: string) => jobs.panel.eventRows().and(page.locator(`[data-type="${type}"]`));
    await expect(row('gate_waiting')).toContainText('Waiting for approval');
    await expect(row('gate_approved')).toContainText('Approved');
    await expect(row('gate_approved')).toContainText('Approved by the web window');
    await expect(row('job_resumed')).toContainText('Resumed after approval');
    await expect(row('stage_completed')).toContainText(/Stage completed\s*Stage verifying completed in/);
    await expect(jobs.panel.eventRows().filter({ hasText: 'gate_approved' })).toHaveCount(0);
    // Each stage's time in the Details tab.
    await jobs.panel.tab('Details');
    await expect(jobs.panel.details.getByTestId('job-stages')).toContainText(/verifying\s*Completed · /);
  });

  test('a completed upload can be verified again from its detail panel', async ({ page, ferry }) => {
    const jobs = new JobsPage(page);
    const sheet = new UploadSheet(page);
    await jobs.open(ferry.url);
    await dropFiles(page, [{ name: 'plate-1.csv', bytes: bytesOf(50_000) }]);
    await sheet.expectOpen();
    await sheet.setName('plate-run');
    await sheet.start();
    await jobs.expectState('completed');
    await jobs.detail.getByRole('button', { name: 'Verify', exact: true }).click();
    await expect.poll(async () => (await ferry.call<JobPage>('listJobs', { kind: ['verify'] })).jobs.map((j) => j.state), { timeout: 15_000 }).toEqual(['completed']);
    await jobs.expectState('completed');
    // The verify job's footer says what it checked (it sent nothing); the upload's, what it sent; both in one file's words.
    const verify = (await ferry.call<JobPage>('listJobs', { kind: ['verify'] })).jobs[0]!;
    await expect(jobs.detail).toHaveAttribute('data-job-id', String(verify.id));
    await expect(jobs.panel.footer).toContainText(/Verified \d/);
    await expect(jobs.panel.footer).not.toContainText('Sent');
    await expect(jobs.panel.footer.getByText('Processed')).toHaveText('Processed 1 file');
    const upload = (await ferry.call<JobPage>('listJobs', { kind: ['upload'] })).jobs[0]!;
    await jobs.select(upload.id);
    await expect(jobs.panel.footer).toContainText(/Sent \d/);
    await expect(jobs.panel.footer.getByText('Processed')).toHaveText('Processed 1 file');
  });
});
