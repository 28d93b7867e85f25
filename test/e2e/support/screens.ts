import { mkdirSync } from 'node:fs';
import { expect, type Page } from '@playwright/test';

export type ThemeName = 'light' | 'dark';
export const SCREENS_DIR = 'test-results/screens';

const shown = new WeakMap<Page, ThemeName>();

/**
 * Shows a theme the way a user with that system setting sees it: the app's theme is "system"
 * (its default) and the page's prefers-color-scheme is emulated. The theme setting itself is
 * tested on its own (settings spec).
 */
export async function showTheme(page: Page, theme: ThemeName): Promise<void> {
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'system');
  if (shown.get(page) === theme) return;
  await page.emulateMedia({ colorScheme: theme });
  shown.set(page, theme);
}

/**
 * Saves `test-results/screens/<screen>-<theme>.png` for both themes, starting with the theme on
 * screen so each screen costs one switch (a switch restyles the whole page).
 */
export async function shootBothThemes(page: Page, screen: string, options: { keepMouse?: boolean } = {}): Promise<void> {
  mkdirSync(SCREENS_DIR, { recursive: true });
  // A pointer left over a button would show it hovered.
  if (!options.keepMouse) await page.mouse.move(1, 850);
  const first = shown.get(page) ?? 'light';
  for (const theme of first === 'light' ? (['light', 'dark'] as const) : (['dark', 'light'] as const)) {
    await showTheme(page, theme);
    await page.screenshot({ path: `${SCREENS_DIR}/${screen}-${theme}.png`, animations: 'disabled', caret: 'hide' });
  }
}

/** Closes the toasts on screen (they would cover part of the next screenshot). */
export async function dismissToasts(page: Page): Promise<void> {
  const toasts = page.getByTestId('toast');
  // Toasts also leave on their own, so a click may find its toast gone: that is fine.
  while ((await toasts.count()) > 0) {
    await toasts
      .first()
      .getByRole('button', { name: 'Dismiss' })
      .click({ timeout: 1000 })
      .catch(() => undefined);
  }
}
