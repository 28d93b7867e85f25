import { expect, type Locator, type Page } from '@playwright/test';
import { Shell } from './shell';

/** Webhooks: the list, the editor (URL, scope, events, write-only secret). */
export class WebhooksPage {
  readonly shell: Shell;
  readonly cards: Locator;
  readonly editor: Locator;
  readonly empty: Locator;

  constructor(readonly page: Page) {
    this.shell = new Shell(page);
    this.cards = page.getByTestId('webhook-card');
    this.editor = page.getByTestId('webhook-editor');
    this.empty = page.getByTestId('webhooks-empty');
  }

  async open(): Promise<void> {
    await this.shell.go('webhooks');
  }

  card(url: string): Locator {
    return this.page.getByRole('listitem', { name: url });
  }

  async add(url: string, options: { secret: string; events?: string[] }): Promise<void> {
    await this.page.getByRole('button', { name: 'Add webhook' }).first().click();
    await expect(this.editor).toBeVisible();
    await this.editor.getByLabel('URL').fill(url);
    if (options.events) {
      for (const box of await this.editor.getByRole('checkbox').all()) {
        const label = (await box.locator('xpath=..').textContent()) ?? '';
        if (!/job\./.test(label)) continue;
        await box.setChecked(options.events.some((e) => label.includes(e)));
      }
    }
    await this.editor.getByLabel('Signing secret').fill(options.secret);
    await this.editor.getByRole('button', { name: 'Add webhook' }).click();
    await expect(this.editor).toBeHidden();
  }

  /** Presses "Send test" on a webhook and answers the line that shows what the receiver said. */
  async sendTest(url: string): Promise<Locator> {
    const card = this.card(url);
    await card.getByRole('button', { name: `Send test to ${url}` }).click();
    const line = card.getByTestId('webhook-test');
    await expect(line).not.toHaveAttribute('data-status', 'sending');
    return line;
  }

  async edit(url: string): Promise<void> {
    await this.card(url).getByRole('button', { name: `Edit webhook ${url}` }).click();
    await expect(this.editor).toBeVisible();
  }

  async remove(url: string): Promise<void> {
    await this.card(url).getByRole('button', { name: `Delete webhook ${url}` }).click();
    await this.shell.confirmDialog.getByRole('button', { name: 'Delete webhook' }).click();
  }
}
