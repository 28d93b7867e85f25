import { app, BrowserWindow, screen, shell } from 'electron';
import { createLogger } from '../../engine';
import { APP_ORIGIN, isAppUrl } from '../desktop/appProtocol';
import { seamRefused } from '../desktop/e2eSeam';
import { isAllowedExternal } from '../desktop/externalLinks';
import { mainWindowOptions } from '../desktop/mainWindow';
import { loadWindowState, windowStateSaver } from '../desktop/windowState';

const log = createLogger('window');

/** The main window, where it was last time (if that is still on a display), remembering where it goes. */
export function createMainWindow(preload: string, dataDir: string): BrowserWindow {
  const state = loadWindowState(dataDir, screen.getAllDisplays().map((d) => d.workArea));
  const win = new BrowserWindow(mainWindowOptions(preload, app.getAppPath(), state?.bounds));
  win.once('ready-to-show', () => win.show());
  void win.loadURL(`${APP_ORIGIN}/index.html`);
  if (state?.maximized) win.maximize();
  const saver = windowStateSaver(dataDir, () => (win.isDestroyed() ? null : { bounds: win.getNormalBounds(), maximized: win.isMaximized() }));
  win.on('resize', saver.changed);
  win.on('move', saver.changed);
  win.on('close', saver.closing);
  return win;
}

/**
 * For every web contents the app ever creates, including ones we did not expect: navigation away
 * from the app and new windows are denied; https links to an allowlisted host open in the browser.
 */
export function hardenWebContents(): void {
  const stayInApp = (event: Electron.Event, url: string) => {
    if (isAppUrl(url)) return;
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
