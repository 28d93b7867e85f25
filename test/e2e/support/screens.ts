import { mkdirSync } from 'node:fs';
import { expect, type Locator, type Page } from '@playwright/test';

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

/** The window widths every screen is shot at: a desktop window and the narrowest layout. */
export const WIDE = 1400;
export const NARROW = 800;

/** Resolves after the page has drawn two frames: a resize's observers and renders have run. */
async function settled(page: Page): Promise<void> {
  await page.evaluate(
    () =>
      new Promise<void>((resolve) => {
        const w = globalThis as unknown as { requestAnimationFrame(callback: () => void): number };
        w.requestAnimationFrame(() => w.requestAnimationFrame(() => resolve()));
      }),
  );
}

/** Gives the window a width (its height kept) and waits until the page has laid itself out for it. */
export async function resizeTo(page: Page, width: number): Promise<void> {
  const size = page.viewportSize();
  if (size?.width === width) return;
  await page.setViewportSize({ width, height: size?.height ?? 860 });
  await settled(page);
}

async function shootThemes(page: Page, name: string): Promise<void> {
  const first = shown.get(page) ?? 'light';
  for (const theme of first === 'light' ? (['light', 'dark'] as const) : (['dark', 'light'] as const)) {
    await showTheme(page, theme);
    await page.screenshot({ path: `${SCREENS_DIR}/${name}-${theme}.png`, animations: 'disabled', caret: 'hide' });
  }
}

/**
 * Saves the screen for both themes at 1400 px (`test-results/screens/<screen>-<theme>.png`) and at
 * 800 px (`<screen>-800-<theme>.png`), then gives the window back its size. Each width starts with
 * the theme on screen, so a width costs one theme switch (a switch restyles the whole page).
 *
 * `currentSize` shoots only the size the test set itself (a test about one width, or a menu, which
 * closes when the window is resized).
 */
export async function shootBothThemes(page: Page, screen: string, options: { keepMouse?: boolean; currentSize?: boolean } = {}): Promise<void> {
  mkdirSync(SCREENS_DIR, { recursive: true });
  // A pointer left over a button would show it hovered.
  const size = page.viewportSize();
  if (!options.keepMouse) await page.mouse.move(1, (size?.height ?? 700) - 10);
  if (options.currentSize || !size) {
    await shootThemes(page, screen);
    return;
  }
  for (const width of [WIDE, NARROW]) {
    if (size.width !== width) {
      await page.setViewportSize({ width, height: size.height });
      await settled(page);
    }
    await shootThemes(page, width === NARROW ? `${screen}-${NARROW}` : screen);
  }
  if (size.width !== NARROW) {
    await page.setViewportSize(size);
    await settled(page);
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

/** A menu, sheet or dialog lies wholly inside the window (none wider or taller than it). */
export async function expectInWindow(page: Page, element: Locator): Promise<void> {
  const box = await element.boundingBox();
  const size = page.viewportSize();
  expect(box, 'the element is on screen').not.toBeNull();
  if (!box || !size) return;
  expect(box.x, 'left edge inside the window').toBeGreaterThanOrEqual(0);
  expect(box.y, 'top edge inside the window').toBeGreaterThanOrEqual(0);
  expect(box.x + box.width, 'right edge inside the window').toBeLessThanOrEqual(size.width);
  expect(box.y + box.height, 'bottom edge inside the window').toBeLessThanOrEqual(size.height);
}
