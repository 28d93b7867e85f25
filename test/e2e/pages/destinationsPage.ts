import { expect, type Locator, type Page } from '@playwright/test';
import { Shell } from './shell';

/** Destinations: the list, the editor, connection tests. */
export class DestinationsPage {
  readonly shell: Shell;
  readonly cards: Locator;
  readonly editor: Locator;

  constructor(readonly page: Page) {
    this.shell = new Shell(page);
    this.cards = page.getByTestId('destination-card');
    this.editor = page.getByTestId('destination-editor');
  }

  async open(): Promise<void> {
    await this.shell.go('destinations');
  }

  card(name: string): Locator {
    return this.cards.and(this.page.locator(`[data-name="${name}"]`));
  }

  async startAdding(): Promise<void> {
    await this.page.getByRole('button', { name: 'Add destination' }).first().click();
    await expect(this.editor).toBeVisible();
  }

  async chooseKind(kind: 'Folder' | 'tus server' | 'S3'): Promise<void> {
    await this.editor.getByRole('radio', { name: new RegExp(kind) }).check();
  }

  field(label: string | RegExp): Locator {
    return this.editor.getByLabel(label, { exact: typeof label === 'string' });
  }

  /** The error shown under a field of the editor. */
  fieldError(label: string): Locator {
    return this.field(label).locator('xpath=ancestor::div[contains(@class,"field")][1]').locator('.field-error');
  }

  async save(): Promise<void> {
    await this.editor.getByRole('button', { name: /^(Add destination|Save)$/ }).click();
    await expect(this.editor).toBeHidden();
  }

  async addFolder(name: string, path: string): Promise<void> {
    await this.startAdding();
    await this.field('Name').fill(name);
    await this.chooseKind('Folder');
    await this.field('Folder').fill(path);
    await this.save();
    await expect(this.card(name)).toBeVisible();
  }

  async test(name: string): Promise<Locator> {
    const card = this.card(name);
    await card.getByRole('button', { name: /Test connection/ }).click();
    const result = card.getByTestId('destination-test');
    await expect(result).not.toHaveAttribute('data-status', 'testing');
    return result;
  }

  async edit(name: string): Promise<void> {
    await this.card(name).getByRole('button', { name: `Edit ${name}` }).click();
    await expect(this.editor).toBeVisible();
  }
}
