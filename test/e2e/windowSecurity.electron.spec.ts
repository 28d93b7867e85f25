import { expect, test } from '@playwright/test';
import { commandNames } from '../../shared/contract';
import { electronForSuite, ELECTRON_SKIP_REASON, launchFerry, seamSnapshot } from './electronApp';

const bin = electronForSuite('desktop window-security suite');

type PageGlobals = { require?: unknown; process?: unknown; module?: unknown; Buffer?: unknown; ferry: object; ferryDesktop: object };
type Navigable = { location: { href: string }; open(url: string): unknown; Notification: { requestPermission(): Promise<string> } };

test.describe('window security (Electron)', () => {
  test.skip(!bin, ELECTRON_SKIP_REASON);

  test('the renderer is sandboxed and isolated, with no Node and only the contract', async () => {
    const ferry = await launchFerry(bin!);
    try {
      const { app, page } = ferry;
      const prefs = await app.evaluate(({ BrowserWindow }) => {
        const contents = BrowserWindow.getAllWindows()[0]!.webContents;
        // Undocumented but present since Electron 9: the preferences the renderer really runs with.
        const read = Reflect.get(contents, 'getLastWebPreferences') as unknown;
        if (typeof read !== 'function') throw new Error('this Electron has no webContents.getLastWebPreferences');
        const p = read.call(contents) as Record<string, unknown>;
        return { sandbox: p.sandbox, contextIsolation: p.contextIsolation, nodeIntegration: p.nodeIntegration, nodeIntegrationInSubFrames: p.nodeIntegrationInSubFrames, webSecurity: p.webSecurity };
      });
      expect(prefs).toEqual({ sandbox: true, contextIsolation: true, nodeIntegration: false, nodeIntegrationInSubFrames: false, webSecurity: true });
      if (process.platform !== 'linux') {
        // macOS and Windows report the OS-level sandbox of each process.
        const sandboxed = await app.evaluate(({ app: electronApp, BrowserWindow }) => {
          const pid = BrowserWindow.getAllWindows()[0]!.webContents.getOSProcessId();
          return electronApp.getAppMetrics().find((m) => m.pid === pid)?.sandboxed ?? null;
        });
        expect(sandboxed).toBe(true);
      }

      const globals = await page.evaluate(() => {
        const g = globalThis as unknown as PageGlobals;
        return { require: typeof g.require, process: typeof g.process, module: typeof g.module, Buffer: typeof g.Buffer };
      });
      expect(globals).toEqual({ require: 'undefined', process: 'undefined', module: 'undefined', Buffer: 'undefined' });
      // One function per contract command and `subscribe`: no raw ipcRenderer.
      const exposed = await page.evaluate(() => {
        const g = globalThis as unknown as PageGlobals;
        return { ferry: Object.keys(g.ferry).sort(), desktop: Object.keys(g.ferryDesktop).sort() };
      });
      expect(exposed).toEqual({ ferry: [...commandNames, 'subscribe'].sort(), desktop: ['pathForFile'] });
      // Permission requests are refused.
      expect(await page.evaluate(() => (globalThis as unknown as Navigable).Notification.requestPermission())).toBe('denied');
    } finally {
      await ferry.close();
    }
  });

  test('navigation away from the app and new windows are refused', async () => {
    const ferry = await launchFerry(bin!);
    try {
      const { app, page } = ferry;
      const start = page.url();
      expect(start).toMatch(/^ferry:\/\/app\//);

      const away = 'http://127.0.0.1:9/elsewhere';
      await page.evaluate((url) => {
        (globalThis as unknown as Navigable).location.href = url;
      }, away);
      await expect.poll(async () => (await seamSnapshot(app)).refused).toContainEqual({ kind: 'navigate', url: away });
      expect(page.url()).toBe(start);
      expect(await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows()[0]!.webContents.getURL())).toBe(start);
      await expect(page.getByTestId('connection-state')).toContainText(/connected/i);

      // Not even the app's own page opens in a second window; nor does anything else.
      const popups = ['ferry://app/index.html', 'http://127.0.0.1:9/popup'];
      for (const url of popups) {
        await page.evaluate((u) => {
          (globalThis as unknown as Navigable).open(u);
        }, url);
      }
      await expect.poll(async () => (await seamSnapshot(app)).refused.filter((r) => r.kind === 'open').map((r) => r.url)).toEqual(popups);
      expect(await app.evaluate(({ BrowserWindow, webContents }) => ({ windows: BrowserWindow.getAllWindows().length, contents: webContents.getAllWebContents().length }))).toEqual({ windows: 1, contents: 1 });
      expect(app.windows()).toHaveLength(1);
      expect(page.url()).toBe(start);
    } finally {
      await ferry.close();
    }
  });
});
