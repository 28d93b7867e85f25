import { expect, type Locator, type Page } from '@playwright/test';

/** The job detail panel: header, controls, tabs (log, events, files, details) and result footer. */
export class DetailPanel {
  readonly root: Locator;
  readonly log: Locator;
  readonly logSearch: Locator;
  readonly logSearchCount: Locator;
  readonly events: Locator;
  readonly files: Locator;
  readonly details: Locator;
  readonly footer: Locator;
  /** The notice of a job that completed with failures, with its failed files and their reasons. */
  readonly failedNotice: Locator;
  readonly failedFiles: Locator;
  readonly resendFailed: Locator;
  /** Where the dataset landed (an upload's folder, URL or bucket and prefix). */
  readonly datasetWhere: Locator;

  constructor(readonly page: Page) {
    this.root = page.getByTestId('job-detail');
    this.log = page.getByTestId('log-tail');
    this.logSearch = page.getByRole('searchbox', { name: 'Find in log' });
    this.logSearchCount = page.getByTestId('log-search-count');
    this.events = page.getByTestId('events-tab');
    this.files = page.getByTestId('files-tab');
    this.details = page.getByTestId('details-tab');
    this.footer = page.getByTestId('result-footer');
    this.failedNotice = this.root.getByTestId('failed-notice');
    this.failedFiles = this.failedNotice.getByTestId('failed-file');
    this.resendFailed = this.failedNotice.getByRole('button', { name: 'Re-send failed files' });
    this.datasetWhere = this.root.getByTestId('dataset-where');
  }

  async tab(name: 'Log' | 'Events' | 'Files' | 'Details'): Promise<void> {
    const tab = this.root.getByRole('tab', { name });
    await tab.click();
    await expect(tab).toHaveAttribute('aria-selected', 'true');
  }

  async logText(): Promise<string> {
    return (await this.log.textContent()) ?? '';
  }

  /** Lines the log holds (rendered or not: the view is virtualized). */
  async lineCount(): Promise<number> {
    return Number(await this.log.getAttribute('data-line-count'));
  }

  /** The newest "[ n / N ] Processing" line on screen says how many items have started. */
  async itemsStarted(): Promise<number> {
    const text = await this.logText();
    let max = 0;
    for (const m of text.matchAll(/\[\s*(\d+)\s*\/\s*\d+\s*\] Processing/g)) max = Math.max(max, Number(m[1]));
    return max;
  }

  async waitForEnd(): Promise<void> {
    await expect(this.log).toHaveAttribute('data-eof', 'true', { timeout: 30_000 });
  }

  /** The log's display toggles (pressed or not). */
  logToggle(name: 'Wrap' | 'Raw'): Locator {
    return this.root.getByRole('group', { name: 'Log display' }).getByRole('button', { name });
  }

  logSummary(kind: 'header' | 'footer'): Locator {
    return this.log.getByTestId(`log-summary-${kind}`);
  }

  eventRows(): Locator {
    return this.events.locator('li.event-row');
  }

  fileRows(): Locator {
    return this.files.getByTestId('file-row');
  }
}
