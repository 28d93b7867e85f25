import { expect, test } from './fixtures';
import { JobsPage } from './pages/jobsPage';
import { UploadSheet } from './pages/uploadSheet';
import type { BrowserGlobals } from './support/browserGlobals';
import { createDemoJobs, waitForState } from './support/jobs';
import { shootBothThemes } from './support/screens';

/** Long-running demo jobs: 4 run (the default concurrency), the rest queue. */
const SLOW = { items: 2000, itemDelayMs: 400 };

test.describe('jobs table', () => {
  test('search, state and kind filters, and column sorts', async ({ page, ferry }) => {
    const names = ['alpha scan', 'beta scan', 'gamma', 'delta', 'epsilon', 'zeta'];
    const made = await createDemoJobs(ferry, names.length, { ...SLOW, name: (i) => names[i]! }, 1);
    const jobs = new JobsPage(page);
    await jobs.open(ferry.url);
    await expect(jobs.rows).toHaveCount(6);
    await expect(jobs.count).toHaveText('6 jobs');
    await expect.poll(() => jobs.shell.count('running')).toBe(4);
    await expect.poll(() => jobs.shell.count('all')).toBe(6);

    await jobs.search.fill('scan');
    await expect(jobs.rows).toHaveCount(2);
    await expect(jobs.row(made[0]!.id)).toBeVisible();
    await jobs.search.fill('');
    await expect(jobs.rows).toHaveCount(6);

    await jobs.filterState('queued');
    await expect(jobs.rows).toHaveCount(2);
    for (const state of await jobs.rows.evaluateAll((rows) => rows.map((r) => r.getAttribute('data-state')))) expect(state).toBe('queued');
    await jobs.filterState('queued');
    await jobs.filterKind('upload');
    await expect(page.getByTestId('job-list-empty')).toContainText('No jobs match');
    await page.getByRole('button', { name: 'Clear filters' }).first().click();
    await expect(jobs.rows).toHaveCount(6);

    // The sidebar's state entries are the same filter.
    await jobs.shell.go('jobs:running');
    await expect(jobs.rows).toHaveCount(4);
    await jobs.shell.go('jobs:all');

    await jobs.sortBy('Name');
    await expect.poll(() => jobs.visibleIds()).toEqual([...made].sort((a, b) => a.name.localeCompare(b.name)).map((j) => j.id));
    await jobs.sortBy('Name');
    await expect.poll(() => jobs.visibleIds()).toEqual([...made].sort((a, b) => b.name.localeCompare(a.name)).map((j) => j.id));
    await jobs.sortBy('Kind');
    await expect(jobs.table.getByRole('columnheader', { name: 'Kind' })).toHaveAttribute('aria-sort', 'ascending');
    await jobs.sortBy('#');
    await expect(jobs.table.getByRole('columnheader', { name: '#' })).toHaveAttribute('aria-sort', 'descending');
    await expect.poll(() => jobs.visibleIds()).toEqual(made.map((j) => j.id).reverse());
  });

  test('multi-select with click, Ctrl/Cmd-click and Shift-click; bulk pause, resume and cancel', async ({ page, ferry }) => {
    const made = await createDemoJobs(ferry, 5, SLOW, 1);
    const ids = made.map((j) => j.id).reverse(); // as the table shows them
    const jobs = new JobsPage(page);
    await jobs.open(ferry.url);
    await jobs.select(ids[0]!);
    await jobs.select(ids[2]!, ['ControlOrMeta']);
    await jobs.expectSelected([ids[0]!, ids[2]!]);
    await expect(jobs.row(ids[1]!)).toHaveAttribute('aria-selected', 'false');
    // Shift-click selects the range from the last clicked row, as file managers do.
    await jobs.select(ids[4]!, ['Shift']);
    await jobs.expectSelected([ids[2]!, ids[3]!, ids[4]!]);
    await expect(jobs.row(ids[0]!)).toHaveAttribute('aria-selected', 'false');
    await expect(jobs.bulkBar).toContainText('3 selected');

    await jobs.bulkBar.getByRole('button', { name: /^Pause/ }).click();
    for (const id of [ids[2]!, ids[3]!, ids[4]!]) await expect(jobs.row(id)).toHaveAttribute('data-state', 'paused');
    await expect(jobs.row(ids[1]!)).not.toHaveAttribute('data-state', 'paused');
    await jobs.shell.expectToast(/Pause: 3 jobs/);

    // Ctrl/Cmd+A selects every row; Space pauses them all (some were running), Space again resumes them.
    await jobs.table.focus();
    await page.keyboard.press('ControlOrMeta+a');
    await expect(jobs.bulkBar).toContainText('5 selected');
    await page.keyboard.press(' ');
    for (const id of ids) await expect(jobs.row(id)).toHaveAttribute('data-state', 'paused');
    await page.keyboard.press(' ');
    for (const id of ids) await expect(jobs.row(id)).toHaveAttribute('data-state', /running|queued/);

    // Delete asks, then cancels them all.
    await page.keyboard.press('Delete');
    await expect(jobs.shell.confirmDialog).toContainText('Cancel 5 jobs?');
    await jobs.shell.confirm('Cancel jobs');
    for (const id of ids) await expect(jobs.row(id)).toHaveAttribute('data-state', 'canceled');

    // Finished jobs are deleted (after asking) with Delete too.
    await jobs.select(ids[0]!);
    await page.keyboard.press('Delete');
    await expect(jobs.shell.confirmDialog).toContainText('Delete 1 job?');
    await jobs.shell.confirm('Delete job');
    await expect(jobs.row(ids[0]!)).toHaveCount(0);
    await expect(jobs.count).toHaveText('4 jobs');
  });

  test('context menu acts on the row and copies its id; Reveal log is desktop-only', async ({ page, ferry, context }) => {
    await context.grantPermissions(['clipboard-read', 'clipboard-write']);
    const [job] = await createDemoJobs(ferry, 1, SLOW);
    const jobs = new JobsPage(page);
    await jobs.open(ferry.url);
    let menu = await jobs.openContextMenu(job!.id);
    await expect(menu.getByRole('menuitem', { name: 'Reveal log' })).toHaveCount(0);
    await expect(menu.getByRole('menuitem', { name: 'Resume' })).toBeDisabled();
    await menu.getByRole('menuitem', { name: 'Copy job id' }).click();
    await expect(menu).toBeHidden();
    expect(await page.evaluate(() => (globalThis as unknown as BrowserGlobals).navigator.clipboard.readText())).toBe(String(job!.id));
    menu = await jobs.openContextMenu(job!.id);
    await page.keyboard.press('ArrowDown');
    await menu.getByRole('menuitem', { name: 'Pause' }).click();
    await expect(jobs.row(job!.id)).toHaveAttribute('data-state', 'paused');
    await jobs.openContextMenu(job!.id);
    await page.keyboard.press('Escape');
    await expect(jobs.contextMenu).toBeHidden();
  });

  test('keyboard: the first Tab shows "Skip to content", which lands past the sidebar, and the focused control wears a ring', async ({ page, ferry }) => {
    const jobs = new JobsPage(page);
    await jobs.open(ferry.url);
    const skip = page.getByRole('link', { name: 'Skip to content' });
    // Out of sight until it has the focus.
    await expect(skip).not.toBeInViewport();
    await page.keyboard.press('Tab');
    await expect(skip).toBeFocused();
    await expect(skip).toBeInViewport();
    await page.keyboard.press('Enter');
    await expect(page.locator('main#main')).toBeFocused();
    // The next Tab is inside the main area, not in the sidebar.
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => (globalThis as unknown as { document: { activeElement: { closest(s: string): unknown } | null } }).document.activeElement?.closest('main') !== null)).toBe(true);
    const ring = await page.evaluate(() => {
      const w = globalThis as unknown as { document: { activeElement: unknown }; getComputedStyle(el: unknown): { outlineStyle: string; outlineWidth: string; boxShadow: string } };
      const style = w.getComputedStyle(w.document.activeElement);
      return { outline: `${style.outlineStyle} ${style.outlineWidth}`, shadow: style.boxShadow };
    });
    expect(ring.outline !== 'none 0px' || ring.shadow !== 'none', `focus ring: ${JSON.stringify(ring)}`).toBe(true);
  });

  test('keyboard: arrows move the selection, ? shows the shortcuts, Ctrl/Cmd+F searches, Ctrl/Cmd+O starts an upload', async ({ page, ferry }) => {
    const made = await createDemoJobs(ferry, 3, SLOW, 1);
    const ids = made.map((j) => j.id).reverse();
    const jobs = new JobsPage(page);
    await jobs.open(ferry.url);
    await jobs.select(ids[0]!);
    await page.keyboard.press('ArrowDown');
    await expect(jobs.detail).toHaveAttribute('data-job-id', String(ids[1]));
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowUp');
    await expect(jobs.detail).toHaveAttribute('data-job-id', String(ids[1]));
    await page.keyboard.press('Shift+ArrowDown');
    await jobs.expectSelected([ids[1]!, ids[2]!]);

    // Space on the active job pauses it, Space again resumes it.
    await page.keyboard.press('Escape');
    await page.keyboard.press(' ');
    await jobs.expectState('paused');
    await page.keyboard.press(' ');
    await expect(jobs.detail).toHaveAttribute('data-state', /queued|running/);

    await page.keyboard.press('?');
    await expect(jobs.shell.shortcutsSheet).toBeVisible();
    await expect(jobs.shell.shortcutsSheet).toContainText('Pause or resume the selection');
    await page.keyboard.press('Escape');
    await expect(jobs.shell.shortcutsSheet).toBeHidden();

    await page.keyboard.press('ControlOrMeta+f');
    await expect(jobs.search).toBeFocused();
    await page.keyboard.press('Escape');

    await jobs.table.focus();
    await page.keyboard.press('ControlOrMeta+o');
    const sheet = new UploadSheet(page);
    await sheet.expectOpen();
    await expect(sheet.root.getByText('Drop files or folders here')).toBeVisible();
    // The OS dialog is desktop-only; the web host offers the browser's own picker instead.
    await expect(sheet.root.getByRole('button', { name: 'Choose files…' })).toBeVisible();
    await page.keyboard.press('Escape');
    await expect(sheet.root).toBeHidden();
  });

  test('1,200 jobs load page by page as the table scrolls', async ({ page, ferry }) => {
    test.setTimeout(90_000);
    await ferry.call('updateSettings', { concurrency: 16 });
    await createDemoJobs(ferry, 1200);
    const jobs = new JobsPage(page);
    await jobs.open(ferry.url);
    await expect(jobs.count).toHaveText('1,200 jobs');
    // The first page is 500 rows; the oldest job is only loaded once the end comes into view.
    await expect(jobs.row(1)).toHaveCount(0);
    await jobs.table.focus();
    await page.keyboard.press('End');
    await expect(jobs.row(1)).toBeVisible({ timeout: 15_000 });
    await expect(jobs.row(1200)).toHaveCount(0);
    await page.keyboard.press('Home');
    await expect(jobs.row(1200)).toBeVisible();
    await waitForState(ferry, 1200, ['completed']);
  });

  test('at 800 px beside the detail the filters keep to one line: the states move into a menu', async ({ page, ferry }) => {
    // Two themes' pictures and a resize take a while on a busy machine.
    test.setTimeout(120_000);
    const done = await ferry.call<{ id: number }>('createDemoJob', { name: 'Calibration batch 1', items: 3, itemDelayMs: 0, failRate: 0 });
    await waitForState(ferry, done.id, ['completed']);
    const [slow] = await createDemoJobs(ferry, 1, { ...SLOW, name: () => 'Thermal drone flight 22' }, 1);
    const jobs = new JobsPage(page);
    await page.setViewportSize({ width: 800, height: 720 });
    await jobs.open(ferry.url);
    await jobs.select(slow!.id);
    await expect(jobs.detail).toBeVisible();

    /** The filter bar's height, and how far apart the tops of its visible controls are (0 on one line). */
    const shape = () =>
      jobs.filterBar.evaluate((bar) => {
        type Box = { getBoundingClientRect(): { top: number; height: number; width: number } };
        const tops = Array.from((bar as unknown as { querySelectorAll(s: string): ArrayLike<Box> }).querySelectorAll('button'))
          .map((b) => b.getBoundingClientRect())
          .filter((r) => r.width > 0)
          .map((r) => r.top);
        return { height: (bar as unknown as Box).getBoundingClientRect().height, spread: Math.max(...tops) - Math.min(...tops) };
      });
    // One line of 22–24 px controls in 8 px of padding each side (the chips took five lines before).
    expect((await shape()).height).toBeLessThanOrEqual(44);
    expect((await shape()).spread).toBeLessThan(11);
    await expect(jobs.stateMenuButton).toBeVisible();
    await expect(jobs.stateMenuButton).toHaveText('Any state');
    await expect(jobs.filterBar.locator('[data-filter-state]').first()).toBeHidden();

    // The menu filters as the chips do, says what it filters by, and Clear stays on the same line.
    await jobs.filterState('running');
    await expect(jobs.rows).toHaveCount(1);
    await expect(jobs.row(slow!.id)).toBeVisible();
    await expect(jobs.stateMenuButton).toHaveText('Running');
    await expect(jobs.stateMenuButton).toHaveAttribute('aria-pressed', 'true');
    await expect(jobs.filterBar.getByRole('button', { name: 'Clear filters' })).toBeVisible();
    expect((await shape()).height).toBeLessThanOrEqual(44);
    expect((await shape()).spread).toBeLessThan(11);
    await jobs.stateMenuButton.click();
    await expect(page.getByTestId('state-menu').getByRole('menuitemcheckbox', { name: 'running', exact: true })).toHaveAttribute('aria-checked', 'true');
    await shootBothThemes(page, 'filters-800-menu', { currentSize: true, keepMouse: true });
    await page.keyboard.press('Escape');
    await shootBothThemes(page, 'filters-800', { currentSize: true });
    await jobs.filterBar.getByRole('button', { name: 'Clear filters' }).click();
    await expect(jobs.rows).toHaveCount(2);

    // A wide window without the detail has room for the chips themselves.
    await jobs.detail.getByRole('button', { name: 'Close job detail' }).click();
    await page.setViewportSize({ width: 1400, height: 720 });
    await expect(jobs.detail).toBeHidden();
    await expect(jobs.filterBar.locator('[data-filter-state="running"]')).toBeVisible();
    await expect(jobs.stateMenuButton).toBeHidden();
    expect((await shape()).spread).toBeLessThan(11);
  });
});
