import { expect, type Locator, type Page } from '@playwright/test';
import { Shell } from './shell';

/** The local file browser. */
export class BrowsePage {
  readonly shell: Shell;
  readonly path: Locator;
  readonly crumbs: Locator;
  readonly entries: Locator;
  readonly uploadSelected: Locator;
  readonly showHidden: Locator;

  constructor(readonly page: Page) {
    this.shell = new Shell(page);
    this.path = page.getByRole('textbox', { name: 'Go to folder' });
    this.crumbs = page.getByRole('navigation', { name: 'Folder path' });
    this.entries = page.getByTestId('browse-entry');
    this.uploadSelected = page.getByRole('button', { name: /^Upload selected/ });
    this.showHidden = page.getByLabel('Show hidden files');
  }

  async open(): Promise<void> {
    await this.shell.go('browse');
    // The first folder (home) is listed before anything else is done here.
    await expect(this.page.getByRole('region', { name: 'Folder contents' }).getByText('Loading…')).toHaveCount(0);
  }

  async goTo(path: string): Promise<void> {
    await this.path.fill(path);
    await this.path.press('Enter');
    await expect(this.crumbs.locator('[aria-current="location"]')).toHaveText(path.split('/').filter(Boolean).pop() ?? '/');
  }

  entry(name: string): Locator {
    return this.entries.and(this.page.locator(`[data-name="${name}"]`));
  }

  async select(name: string, modifiers: Array<'Shift' | 'ControlOrMeta'> = []): Promise<void> {
    await this.entry(name).click({ modifiers });
    await expect(this.entry(name)).toHaveAttribute('aria-selected', 'true');
  }

  async openFolder(name: string): Promise<void> {
    await this.entry(name).dblclick();
    await expect(this.crumbs.locator('[aria-current="location"]')).toHaveText(name);
  }
}
