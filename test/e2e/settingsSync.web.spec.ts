import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { SettingsPage } from './pages/settingsPage';

type Marked = { __ferryNoReload?: boolean };

/** Marks the page so a reload (which would load settings the slow way) shows as a lost mark. */
async function mark(page: Page): Promise<void> {
  await page.evaluate(() => {
    (globalThis as unknown as Marked).__ferryNoReload = true;
  });
}
const stillMarked = (page: Page) => page.evaluate(() => (globalThis as unknown as Marked).__ferryNoReload === true);

test.describe('settings stay in step across windows', () => {
  test('a theme, concurrency or bandwidth change in one window shows in another without a reload', async ({ page, browser, ferry }) => {
    // Its own context: no shared localStorage, so only the engine's stream can carry the change.
    const otherContext = await browser.newContext({ viewport: { width: 1360, height: 860 } });
    try {
      const a = new SettingsPage(page);
      const b = new SettingsPage(await otherContext.newPage());
      await a.shell.open(ferry.url);
      await b.shell.open(ferry.url);
      await mark(b.page);

      // The theme, switched in A's sidebar, repaints B.
      await expect(b.page.locator('html')).not.toHaveAttribute('data-theme', 'dark');
      await a.shell.setTheme('dark');
      await expect(b.page.locator('html')).toHaveAttribute('data-theme', 'dark');
      await expect(b.shell.sidebar.getByRole('button', { name: 'Use dark theme' })).toHaveAttribute('aria-pressed', 'true');

      // Saved settings fill B's settings screen, which was open and untouched.
      await a.open();
      await b.open();
      await expect(b.field('Jobs at once')).toHaveValue('4');
      await a.field('Jobs at once').fill('9');
      await a.field('Limit upload speed').check();
      await a.field('Bandwidth limit').fill('2.5');
      await a.field('Bandwidth limit unit').selectOption('MB/s');
      await a.saveChanges();
      await expect(b.field('Jobs at once')).toHaveValue('9');
      await expect(b.field('Limit upload speed')).toBeChecked();
      await expect(b.field('Bandwidth limit')).toHaveValue('2.5');
      await expect(b.field('Bandwidth limit unit')).toHaveValue('MB/s');
      await expect(b.page.getByText('All changes saved.')).toBeVisible();

      // A change from outside any window (the CLI, a script) reaches both.
      await ferry.call('updateSettings', { theme: 'light', concurrency: 3 });
      for (const p of [a, b]) {
        await expect(p.page.locator('html')).toHaveAttribute('data-theme', 'light');
        await expect(p.page.getByRole('radio', { name: 'Light' })).toHaveAttribute('aria-checked', 'true');
        await expect(p.field('Jobs at once')).toHaveValue('3');
      }
      expect(await stillMarked(b.page)).toBe(true);
    } finally {
      await otherContext.close();
    }
  });
});
