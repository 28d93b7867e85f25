/**
 * The few browser globals the specs use inside `page.evaluate`, typed here because the node-side
 * project has no DOM library (and should not: main/ must not see `window`). Use it as
 * `globalThis as unknown as BrowserGlobals` inside the evaluated function; only types cross.
 */
export interface BrowserGlobals {
  DataTransfer: new () => { items: { add(file: unknown): unknown } };
  File: new (parts: unknown[], name: string, options?: { type?: string }) => unknown;
  DragEvent: new (type: string, init: { dataTransfer?: unknown; bubbles?: boolean; cancelable?: boolean }) => unknown;
  dispatchEvent(event: unknown): boolean;
  atob(data: string): string;
  navigator: { clipboard: { readText(): Promise<string> } };
  PerformanceObserver: new (callback: (list: { getEntries(): { duration: number }[] }) => void) => { observe(options: { type: string; buffered?: boolean }): void };
  requestAnimationFrame(callback: () => void): number;
  performance: { now(): number };
  document: {
    querySelector(selector: string): PageElement | null;
    querySelectorAll(selector: string): ArrayLike<PageElement>;
  };
  /** The DataTransfer of a drop the spec holds open (dropFiles with `hold`). */
  __ferryDrop?: unknown;
  /** Long tasks seen by a spec's PerformanceObserver. */
  __longTasks?: number[];
}

/** What the specs touch of an element inside the page. */
export interface PageElement {
  click(): void;
  scrollTop: number;
  textContent: string | null;
  getAttribute(name: string): string | null;
}
