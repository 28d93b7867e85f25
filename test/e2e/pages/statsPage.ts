import { expect, type Locator, type Page } from '@playwright/test';
import { Shell } from './shell';

/** Stats: tiles, state breakdown, charts. */
export class StatsPage {
  readonly shell: Shell;
  readonly throughput: Locator;
  readonly hourly: Locator;

  constructor(readonly page: Page) {
    this.shell = new Shell(page);
    this.throughput = page.getByTestId('throughput-chart');
    this.hourly = page.getByTestId('hourly-chart');
  }

  async open(): Promise<void> {
    await this.shell.go('stats');
    await expect(this.page.getByRole('heading', { name: 'Stats' })).toBeVisible();
  }

  tile(name: 'total' | 'success' | 'bytes' | 'throughput'): Locator {
    return this.page.getByTestId(`stat-${name}`);
  }

  stateCount(state: string): Locator {
    return this.page.getByTestId(`stats-count-${state}`);
  }
}
