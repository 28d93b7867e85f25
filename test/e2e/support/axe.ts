import AxeBuilder from '@axe-core/playwright';
import { expect, type Page } from '@playwright/test';
import { plural } from '../../../shared/plural';
import { NARROW, resizeTo, showTheme, WIDE, type ThemeName } from './screens';

/** One axe finding, short enough to read in a test failure. */
export interface AxeFinding {
  screen: string;
  theme: ThemeName;
  rule: string;
  nodes: string[];
}

/**
 * Runs axe-core on what is on screen, in one theme. The default rule set (WCAG 2.x A/AA and best
 * practice) plus label-content-name-mismatch, which axe ships as experimental but which a speech
 * user meets on every button whose visible text differs from its name.
 */
export async function axeFindings(page: Page, screen: string, theme: ThemeName): Promise<AxeFinding[]> {
  // The screen as a connected user sees it (a dropped socket shows a banner and reconnects).
  await expect(page.getByTestId('connection-state')).toHaveAttribute('data-state', 'online', { timeout: 30_000 });
  await showTheme(page, theme);
  // Pointer off the controls: a hovered button is not the resting look being checked.
  await page.mouse.move(1, 1);
  await settled(page);
  const result = await new AxeBuilder({ page }).options({ rules: { 'label-content-name-mismatch': { enabled: true } } }).analyze();
  return result.violations.map((v) => ({
    screen,
    theme,
    rule: v.id,
    nodes: v.nodes.slice(0, 4).map((n) => `${n.target.join(' ')}: ${n.failureSummary?.split('\n').slice(1, 2).join('') ?? ''}`),
  }));
}

/**
 * Waits for the page's finite animations and transitions to end (a sheet fading in, a button
 * leaving its hover colour, a theme switch): axe reads colours as they are drawn, so text caught
 * half-faded in fails contrast checks it passes at rest. Endless ones (a busy indicator) are not
 * waited for.
 */
async function settled(page: Page): Promise<void> {
  await page.evaluate(`Promise.all(
    document.getAnimations()
      .filter((a) => a.effect && a.effect.getComputedTiming().endTime !== Infinity)
      .map((a) => a.finished.catch(() => undefined)),
  )`);
}

/** axe on the current screen in both themes; returns the findings of both. */
export async function axeBothThemes(page: Page, screen: string): Promise<AxeFinding[]> {
  const light = await axeFindings(page, screen, 'light');
  const dark = await axeFindings(page, screen, 'dark');
  // Every screen checked, wherever, shows in the run's output with its result.
  const width = page.viewportSize()?.width;
  console.log(`axe ${screen}${width ? ` at ${width} px` : ''}: ${light.length} ${plural(light.length, 'violation')} in the light theme, ${dark.length} in the dark`);
  return [...light, ...dark];
}

/**
 * axe on the current screen in both themes at 1400 px and at 800 px (`<screen>-800`), then the
 * window's size back. `reopen` brings back what a resize closes (a menu) before the check at each
 * width. Answers the findings with the violation count per screen and width.
 */
export async function axeBothWidths(page: Page, screen: string, reopen?: () => Promise<void>): Promise<{ findings: AxeFinding[]; counts: Record<string, number> }> {
  const size = page.viewportSize();
  const findings: AxeFinding[] = [];
  const counts: Record<string, number> = {};
  for (const width of [WIDE, NARROW]) {
    const name = width === NARROW ? `${screen}-${NARROW}` : screen;
    if (page.viewportSize()?.width !== width) {
      await resizeTo(page, width);
      if (reopen) await reopen();
    }
    const found = await axeBothThemes(page, name);
    counts[name] = found.length;
    findings.push(...found);
  }
  if (size) await resizeTo(page, size.width);
  return { findings, counts };
}
