/**
 * A handle for the desktop end-to-end suite, set only when FERRY_E2E=1: the tray's menu and
 * tooltip, the notifications Ferry showed and what it refused the window. Playwright cannot click
 * an OS tray menu or notification, so the suite reaches these with `electronApp.evaluate` through
 * `globalThis.__ferryE2E`. Without the variable every function here does nothing.
 */

/** One item of the menu the tray really shows; `click` goes through the OS menu item. */
export interface SeamMenuItem {
  label: string;
  click(): void;
}

export interface SeamNotification {
  title: string;
  body: string;
  jobId: number;
  /** False where the OS has no notifications (the click still does what it would). */
  shown: boolean;
  /** Clicks the notification. */
  click(): void;
}

export interface E2eSeam {
  tray: { items: SeamMenuItem[]; tooltip: string };
  notifications: SeamNotification[];
  /** Navigations and new windows the window asked for and was refused. */
  refused: { kind: 'navigate' | 'open'; url: string }[];
}

const seam: E2eSeam | null = process.env.FERRY_E2E === '1' ? { tray: { items: [], tooltip: '' }, notifications: [], refused: [] } : null;
if (seam) (globalThis as { __ferryE2E?: E2eSeam }).__ferryE2E = seam;

export function seamTrayMenu(items: SeamMenuItem[]): void {
  if (seam) seam.tray.items = items;
}

export function seamTrayTooltip(tooltip: string): void {
  if (seam) seam.tray.tooltip = tooltip;
}

export function seamNotification(notification: SeamNotification): void {
  seam?.notifications.push(notification);
}

export function seamRefused(kind: 'navigate' | 'open', url: string): void {
  seam?.refused.push({ kind, url });
}
