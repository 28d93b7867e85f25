import { expect, type Locator, type Page } from '@playwright/test';

/** The jobs screen: list, detail, controls and log tail. */
export class JobsPage {
  readonly log: Locator;
  readonly detail: Locator;

  constructor(readonly page: Page) {
    this.log = page.getByTestId('log-tail');
    this.detail = page.getByTestId('job-detail');
  }

  async open(url: string): Promise<void> {
    await this.page.goto(url);
    await expect(this.page.getByTestId('connection-state')).toContainText(/connected/i);
  }

  /** Starts a demo job from the top bar and returns its id (it becomes the selection). */
  async newDemoJob(): Promise<number> {
    await this.page.getByRole('button', { name: 'New demo job' }).click();
    await expect(this.detail).toHaveAttribute('data-job-id', /\d+/);
    return Number(await this.detail.getAttribute('data-job-id'));
  }

  async select(id: number): Promise<void> {
    await this.page.getByTestId(`job-row-${id}`).click();
    await expect(this.detail).toHaveAttribute('data-job-id', String(id));
  }

  control(name: 'Pause' | 'Resume' | 'Cancel' | 'Retry' | 'Stop after current', id: number): Locator {
    return this.page.getByRole('button', { name: `${name} job ${id}` });
  }

  async logText(): Promise<string> {
    return (await this.log.textContent()) ?? '';
  }

  /** Count of item lines ("[ n / N ] Processing") shown in the tail. */
  async itemLines(): Promise<number> {
    return ((await this.logText()).match(/Processing 'item_/g) ?? []).length;
  }

  async waitForItemLines(atLeast: number): Promise<void> {
    await expect.poll(() => this.itemLines(), { timeout: 20_000 }).toBeGreaterThanOrEqual(atLeast);
  }

  async expectState(state: string): Promise<void> {
    await expect(this.detail).toHaveAttribute('data-state', state);
  }
}
