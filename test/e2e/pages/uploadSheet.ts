import { expect, type Locator, type Page } from '@playwright/test';

/** The new-upload sheet: source step, summary, destination, metadata, submit, staging progress. */
export class UploadSheet {
  readonly root: Locator;
  readonly fileCount: Locator;
  readonly totalSize: Locator;
  readonly staging: Locator;
  readonly submit: Locator;
  readonly dropOverlay: Locator;

  constructor(readonly page: Page) {
    this.root = page.getByTestId('new-upload-sheet');
    this.fileCount = page.getByTestId('upload-file-count');
    this.totalSize = page.getByTestId('upload-total-size');
    this.staging = page.getByTestId('staging-progress');
    this.submit = this.root.getByRole('button', { name: /^Upload \d/ });
    this.dropOverlay = page.getByTestId('drop-overlay');
  }

  async expectOpen(): Promise<void> {
    await expect(this.root).toBeVisible();
  }

  async expectCounted(files: number): Promise<void> {
    await expect(this.fileCount).toHaveText(String(files));
  }

  async setName(name: string): Promise<void> {
    await this.root.getByLabel('Dataset name').fill(name);
  }

  async chooseDestination(name: string | RegExp): Promise<void> {
    const select = this.root.getByLabel('Upload to');
    const option = select.locator('option').filter({ hasText: name }).first();
    await select.selectOption((await option.getAttribute('value')) ?? '');
  }

  async fillMetadata(meta: { sensorType?: string; team?: string; folder?: string; description?: string; convert?: boolean; public?: boolean }): Promise<void> {
    if (meta.sensorType) await this.root.getByLabel('Sensor type').selectOption(meta.sensorType);
    if (meta.team !== undefined) await this.root.getByLabel('Team').fill(meta.team);
    if (meta.folder !== undefined) await this.root.getByLabel('Folder', { exact: true }).fill(meta.folder);
    if (meta.description !== undefined) await this.root.getByLabel('Description').fill(meta.description);
    if (meta.convert !== undefined) await this.root.getByLabel(/Convert/).setChecked(meta.convert);
    if (meta.public !== undefined) await this.root.getByLabel('Public dataset').setChecked(meta.public);
  }

  async setPriority(priority: 'High' | 'Normal' | 'Low'): Promise<void> {
    await this.root.getByLabel('Priority').selectOption(priority.toLowerCase());
  }

  /** Submits and waits for the sheet to close (the new job is then selected). */
  async start(): Promise<void> {
    await this.submit.click();
    await expect(this.root).toBeHidden({ timeout: 30_000 });
  }
}
