import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { _electron as electron, expect, type ElectronApplication, type Page } from '@playwright/test';
import type { E2eSeam } from '../../main/hosts/desktop/e2eSeam';
import type { CommandInput, CommandName, CommandResult, FerryBridge } from '../../shared/contract';

/**
 * The Electron binary, if this machine has it. Looked up without requiring the `electron`
 * package, whose index downloads the binary when it is missing.
 */
export function electronBinary(): string | undefined {
  if (process.env.FERRY_ELECTRON && existsSync(process.env.FERRY_ELECTRON)) return process.env.FERRY_ELECTRON;
  const dir = join(process.cwd(), 'node_modules', 'electron');
  const pathFile = join(dir, 'path.txt');
  if (!existsSync(pathFile)) return undefined;
  const bin = join(dir, 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(bin) ? bin : undefined;
}

export const ELECTRON_SKIP_REASON =
  'Electron binary not installed on this machine (node_modules/electron/dist is missing; it is downloaded from GitHub releases, which this machine cannot reach). The same flows run against the web host in Chromium.';

/** The binary, after saying in the run's output (not only in the report) why a suite is skipped. */
export function electronForSuite(suite: string): string | undefined {
  const bin = electronBinary();
  if (!bin) console.log(`[electron] ${suite} skipped: ${ELECTRON_SKIP_REASON}`);
  return bin;
}

export interface DesktopFerry {
  app: ElectronApplication;
  /** The main window, connected to the engine. */
  page: Page;
  dataDir: string;
  /** Closes the app (if it still runs) and, unless the data directory was given, removes it. */
  close(): Promise<void>;
}

/**
 * Starts the built desktop app in its own data directory with the test seam on (FERRY_E2E=1, see
 * main/hosts/desktop/e2eSeam.ts) and waits until its window is connected.
 */
export async function launchFerry(bin: string, options: { dataDir?: string } = {}): Promise<DesktopFerry> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'ferry-electron-'));
  const app = await electron.launch({ executablePath: bin, args: ['.'], env: { ...process.env, FERRY_DATA_DIR: dataDir, FERRY_E2E: '1' } });
  const page = await app.firstWindow();
  await expect(page.getByTestId('connection-state')).toContainText(/connected/i);
  return {
    app,
    page,
    dataDir,
    close: async () => {
      if (app.process().exitCode === null) await app.close();
      if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Calls an engine command the way the renderer does, through the preload's `window.ferry`. */
export async function callFerry<K extends CommandName>(page: Page, name: K, input: CommandInput<K>): Promise<CommandResult<K>> {
  const envelope = await page.evaluate(
    ([command, args]) => {
      const bridge = (globalThis as unknown as { ferry: Record<string, (input: unknown) => Promise<unknown>> }).ferry;
      return bridge[command]!(args);
    },
    [name, input] as const,
  );
  const result = envelope as Awaited<ReturnType<FerryBridge[K]>>;
  if (!result.ok) throw new Error(`${name}: ${result.error.code} ${result.error.message}`);
  return result.value as CommandResult<K>;
}

/** What the seam holds, as plain data. */
export interface SeamSnapshot {
  trayLabels: string[];
  trayTooltip: string;
  notifications: { title: string; body: string; jobId: number; shown: boolean }[];
  refused: E2eSeam['refused'];
}

export function seamSnapshot(app: ElectronApplication): Promise<SeamSnapshot> {
  return app.evaluate(() => {
    const seam = (globalThis as { __ferryE2E?: E2eSeam }).__ferryE2E;
    if (!seam) throw new Error('the test seam is off: launch with FERRY_E2E=1');
    return {
      trayLabels: seam.tray.items.map((i) => i.label),
      trayTooltip: seam.tray.tooltip,
      notifications: seam.notifications.map(({ title, body, jobId, shown }) => ({ title, body, jobId, shown })),
      refused: [...seam.refused],
    };
  });
}

/** Clicks a tray menu item by its label, on a later turn of the main loop as the OS would. */
export function clickTrayItem(app: ElectronApplication, label: string): Promise<void> {
  return app.evaluate((_electron, wanted) => {
    const item = (globalThis as { __ferryE2E?: E2eSeam }).__ferryE2E?.tray.items.find((i) => i.label === wanted);
    if (!item) throw new Error(`the tray menu has no item "${wanted}"`);
    setImmediate(() => item.click());
  }, label);
}

/** Clicks the latest notification shown for a job. */
export function clickNotification(app: ElectronApplication, jobId: number): Promise<void> {
  return app.evaluate((_electron, id) => {
    const shown = (globalThis as { __ferryE2E?: E2eSeam }).__ferryE2E?.notifications.filter((n) => n.jobId === id).at(-1);
    if (!shown) throw new Error(`no notification was shown for job ${id}`);
    setImmediate(() => shown.click());
  }, jobId);
}

/** How many of the app's windows are on screen. */
export function visibleWindows(app: ElectronApplication): Promise<number> {
  return app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows().filter((w) => w.isVisible()).length);
}

/** Closes the main window the way its close button does (Ferry stays in the tray). */
export function closeMainWindow(app: ElectronApplication): Promise<void> {
  return app.evaluate(({ BrowserWindow }) => {
    BrowserWindow.getAllWindows()[0]?.close();
  });
}

/** The page of the one open window (after a close on macOS, Show makes a new one). */
export async function openWindowPage(app: ElectronApplication): Promise<Page> {
  await expect.poll(() => app.windows().filter((p) => !p.isClosed()).length).toBe(1);
  return app.windows().find((p) => !p.isClosed())!;
}
