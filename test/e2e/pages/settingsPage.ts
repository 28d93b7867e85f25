import { expect, type Locator, type Page } from '@playwright/test';
import { Shell } from './shell';

/** Settings: every field, the theme, the save bar. */
export class SettingsPage {
  readonly shell: Shell;
  readonly save: Locator;
  readonly revert: Locator;
  readonly dataDir: Locator;

  constructor(readonly page: Page) {
    this.shell = new Shell(page);
    this.save = page.getByRole('button', { name: 'Save changes' });
    this.revert = page.getByRole('button', { name: 'Revert' });
    this.dataDir = page.getByTestId('data-dir');
  }

  async open(): Promise<void> {
    await this.shell.go('settings');
    await expect(this.field('Jobs at once')).toBeVisible();
  }

  field(label: string | RegExp): Locator {
    return this.page.getByLabel(label, { exact: typeof label === 'string' });
  }

  async theme(name: 'System' | 'Light' | 'Dark'): Promise<void> {
    await this.page.getByRole('radio', { name }).click();
    await expect(this.page.locator('html')).toHaveAttribute('data-theme', name.toLowerCase());
  }

  async saveChanges(): Promise<void> {
    await this.save.click();
    await expect(this.page.getByText('All changes saved.')).toBeVisible();
  }

  errorFor(label: string): Locator {
    return this.field(label).locator('xpath=ancestor::div[contains(@class,"field")][1]').locator('.field-error');
  }
}
