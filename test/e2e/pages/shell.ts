import { expect, type Locator, type Page } from '@playwright/test';

type NavTarget = 'jobs:all' | `jobs:${string}` | 'browse' | 'destinations' | 'watch' | 'webhooks' | 'stats' | 'settings';

/** The window around every screen: sidebar, status bar, toasts, dialogs, shortcuts. */
export class Shell {
  readonly sidebar: Locator;
  readonly toasts: Locator;
  readonly confirmDialog: Locator;
  readonly shortcutsSheet: Locator;

  constructor(readonly page: Page) {
    this.sidebar = page.getByRole('navigation', { name: 'Ferry' });
    this.toasts = page.getByTestId('toast');
    this.confirmDialog = page.getByTestId('confirm-dialog');
    this.shortcutsSheet = page.getByTestId('shortcuts-sheet');
  }

  /** Opens the app and waits until it is connected and has loaded its settings. */
  async open(url: string): Promise<void> {
    await this.page.goto(url);
    await expect(this.page.getByTestId('connection-state')).toContainText(/connected/i);
  }

  nav(target: NavTarget): Locator {
    return this.page.locator(`[data-nav="${target}"]`);
  }

  async go(target: NavTarget): Promise<void> {
    await this.nav(target).click();
    await expect(this.nav(target)).toHaveAttribute('aria-current', 'page');
  }

  /** The live count the sidebar shows for a state (or `all`). */
  async count(state: string): Promise<number> {
    const text = (await this.page.getByTestId(`count-jobs:${state}`).textContent()) ?? '';
    return Number(text.replace(/[^\d]/g, '') || '0');
  }

  async expectToast(text: string | RegExp, kind?: 'error' | 'info' | 'success'): Promise<Locator> {
    const toast = this.toasts.filter({ hasText: text }).last();
    await expect(toast).toBeVisible();
    if (kind) await expect(toast).toHaveAttribute('data-kind', kind);
    return toast;
  }

  async confirm(label: string | RegExp): Promise<void> {
    await expect(this.confirmDialog).toBeVisible();
    await this.confirmDialog.getByRole('button', { name: label }).click();
    await expect(this.confirmDialog).toBeHidden();
  }

  async setTheme(theme: 'system' | 'light' | 'dark'): Promise<void> {
    await this.sidebar.getByRole('button', { name: `Use ${theme} theme` }).click();
    await expect(this.page.locator('html')).toHaveAttribute('data-theme', theme);
  }

  /** Presses a key where no field has focus (global shortcuts ignore typing). */
  async press(key: string): Promise<void> {
    await this.page.keyboard.press(key);
  }
}
