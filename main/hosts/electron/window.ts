import { app, BrowserWindow, shell } from 'electron';
import { join } from 'node:path';
import { createLogger } from '../../engine/index';
import { seamRefused } from './e2eSeam';
import { isAllowedExternal } from './externalLinks';
import { APP_ORIGIN } from './protocol';

const log = createLogger('window');

/**
 * The main window: sandboxed, isolated, no Node in the renderer. Navigation away from the app and
 * new windows are denied; https links to an allowlisted host open in the user's browser instead.
 */
export function createMainWindow(preloadPath: string, bounds?: Electron.Rectangle): BrowserWindow {
  const win = new BrowserWindow({
    width: bounds?.width ?? 1280,
    height: bounds?.height ?? 820,
    ...(bounds ? { x: bounds.x, y: bounds.y } : {}),
    minWidth: 900,
    minHeight: 560,
    show: false,
    title: 'Ferry',
    icon: join(app.getAppPath(), 'resources/icon.png'),
    backgroundColor: '#1b1d22',
    webPreferences: {
      preload: preloadPath,
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      spellcheck: false,
    },
  });
  win.once('ready-to-show', () => win.show());
  void win.loadURL(`${APP_ORIGIN}/index.html`);
  return win;
}

/** Applies to every web contents the app ever creates, including ones we did not expect. */
export function hardenWebContents(): void {
  const stayInApp = (event: Electron.Event, url: string) => {
    if (url.startsWith(APP_ORIGIN + '/')) return;
    event.preventDefault();
    log.warn(`refused navigation to ${url.slice(0, 200)}`);
    seamRefused('navigate', url);
  };
  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-navigate', stayInApp);
    contents.on('will-redirect', stayInApp);
    contents.on('will-attach-webview', (event) => event.preventDefault());
    contents.setWindowOpenHandler(({ url }) => {
      if (isAllowedExternal(url)) void shell.openExternal(url);
      else log.warn(`refused to open ${url.slice(0, 200)}`);
      seamRefused('open', url);
      return { action: 'deny' };
    });
  });
}

export function preloadPath(mainDir: string): string {
  return join(mainDir, '../preload/index.cjs');
}
