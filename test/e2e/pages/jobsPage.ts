import { readFileSync } from 'node:fs';
import { expect, type Locator, type Page } from '@playwright/test';
import { formatState } from '../../../shared/format';
import { DetailPanel } from './detailPanel';
import { Shell } from './shell';

/** The jobs screen: toolbar, filters, the virtualized table, bulk bar, context menu, and the detail panel. */
export class JobsPage {
  readonly shell: Shell;
  readonly detail: Locator;
  readonly panel: DetailPanel;
  readonly log: Locator;
  readonly table: Locator;
  readonly rows: Locator;
  readonly search: Locator;
  readonly bulkBar: Locator;
  readonly contextMenu: Locator;
  readonly count: Locator;
  /** The row of filters over the table, and its state menu (shown instead of the chips when narrow). */
  readonly filterBar: Locator;
  readonly stateMenuButton: Locator;

  constructor(readonly page: Page) {
    this.shell = new Shell(page);
    this.panel = new DetailPanel(page);
    this.detail = this.panel.root;
    this.log = this.panel.log;
    this.table = page.getByRole('grid', { name: 'Jobs' });
    this.rows = page.locator('[data-testid^="job-row-"]');
    this.search = page.getByRole('searchbox', { name: 'Search jobs' });
    this.bulkBar = page.getByTestId('bulk-bar');
    this.contextMenu = page.getByTestId('job-context-menu');
    this.count = page.getByTestId('job-count');
    this.filterBar = page.getByRole('toolbar', { name: 'Filters' });
    this.stateMenuButton = this.filterBar.getByRole('button', { name: /^State filter:/ });
  }

  async open(url: string): Promise<void> {
    await this.shell.open(url);
  }

  row(id: number): Locator {
    return this.page.getByTestId(`job-row-${id}`);
  }

  /** Starts a demo job from the toolbar and returns its id (it becomes the selection). */
  async newDemoJob(): Promise<number> {
    await this.page.getByRole('button', { name: 'New demo job' }).first().click();
    await expect(this.detail).toHaveAttribute('data-job-id', /\d+/);
    return Number(await this.detail.getAttribute('data-job-id'));
  }

  async select(id: number, modifiers: Array<'Shift' | 'ControlOrMeta'> = []): Promise<void> {
    await this.row(id).click({ modifiers });
    if (modifiers.length === 0) await expect(this.detail).toHaveAttribute('data-job-id', String(id));
  }

  async expectSelected(ids: number[]): Promise<void> {
    for (const id of ids) await expect(this.row(id)).toHaveAttribute('aria-selected', 'true');
  }

  /** Ids of the rows in the order the table shows them (the rendered ones). */
  async visibleIds(): Promise<number[]> {
    return this.rows.evaluateAll((els) =>
      els
        .map((el) => ({ id: Number(el.getAttribute('data-testid')?.replace('job-row-', '')), top: el.getBoundingClientRect().top }))
        .sort((a, b) => a.top - b.top)
        .map((r) => r.id),
    );
  }

  control(name: 'Pause' | 'Resume' | 'Cancel' | 'Retry' | 'Stop after current' | 'Delete', id: number): Locator {
    return this.page.getByRole('button', { name: `${name} job ${id}` });
  }

  /** The state filter's chip, or where the pane is too narrow for the chips, its entry in the state menu. */
  async filterState(state: string): Promise<void> {
    const chip = this.page.locator(`[data-filter-state="${state}"]`);
    if (await chip.isVisible()) {
      await chip.click();
      return;
    }
    await this.stateMenuButton.click();
    await this.page.getByTestId('state-menu').getByRole('menuitemcheckbox', { name: formatState(state), exact: true }).click();
  }

  async filterKind(kind: string): Promise<void> {
    await this.page.getByRole('button', { name: /Kind filter/ }).click();
    await this.page.getByTestId('kind-menu').getByRole('menuitemcheckbox', { name: kind }).click();
  }

  /** Exports the jobs the table shows through the toolbar's Export menu; answers the downloaded text. */
  async export(format: 'CSV' | 'JSON'): Promise<{ name: string; text: string }> {
    await this.page.getByRole('button', { name: 'Export' }).click();
    const download = this.page.waitForEvent('download');
    await this.page.getByTestId('export-menu').getByRole('menuitem', { name: new RegExp(`^${format}`) }).click();
    const file = await download;
    const path = await file.path();
    return { name: file.suggestedFilename(), text: readFileSync(path, 'utf8') };
  }

  async sortBy(column: string): Promise<void> {
    await this.table.getByRole('columnheader').getByRole('button', { name: column, exact: true }).click();
  }

  async openContextMenu(id: number): Promise<Locator> {
    await this.row(id).click({ button: 'right' });
    await expect(this.contextMenu).toBeVisible();
    return this.contextMenu;
  }

  async logText(): Promise<string> {
    return this.panel.logText();
  }

  /** Items the demo job has started, from the newest "[ n / N ] Processing" line on screen. */
  async itemLines(): Promise<number> {
    return this.panel.itemsStarted();
  }

  async waitForItemLines(atLeast: number): Promise<void> {
    await expect.poll(() => this.itemLines(), { timeout: 20_000 }).toBeGreaterThanOrEqual(atLeast);
  }

  async expectState(state: string): Promise<void> {
    await expect(this.detail).toHaveAttribute('data-state', state);
  }
}
