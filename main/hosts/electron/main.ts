/**
 * The desktop host: the engine in Electron's main process, the renderer in a sandboxed window,
 * IPC generated from the contract, and the shell around them (tray, notifications, power, menu).
 * Everything that imports electron lives in this folder; what it shows and does is decided in
 * main/hosts/desktop, which runs (and is tested) in plain Node.
 */
import { app, BrowserWindow, dialog, Menu, net, protocol, safeStorage, session, shell } from 'electron';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FileSecretStore } from '../../engine';
import { createLogger } from '../../engine';
import { startServices, type FerryServices } from '../bootstrap';
import { APP_SCHEME, APP_SCHEME_PRIVILEGES, appResponse } from '../desktop/appProtocol';
import { desktopActions } from '../desktop/desktopActions';
import { watchFinishedJobs } from '../desktop/jobNotices';
import { keychainCodec } from '../desktop/keychainCodec';
import { watchLocalScripts, type LocalScripts } from '../desktop/localScripts';
import { closeHidesWindow, preloadPath } from '../desktop/mainWindow';
import { appMenu } from '../desktop/menus';
import { devNativeBinding, loginItemFor } from '../desktop/startup';
import { taskbarProgress } from '../desktop/tray';
import { electronHostServices } from './hostServices';
import { registerIpc } from './ipc';
import { showNotice } from './notifications';
import { watchPower } from './power';
import { createTray } from './tray';
import { createMainWindow, hardenWebContents } from './window';

const log = createLogger('desktop');
const here = dirname(fileURLToPath(import.meta.url));

// Before `app.whenReady`: the app scheme is standard and secure, like https.
protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: APP_SCHEME_PRIVILEGES }]);

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  let win: BrowserWindow | undefined;
  let services: FerryServices | undefined;
  let scripts: LocalScripts | undefined;
  let quitting = false;
  const dataDir = process.env.FERRY_DATA_DIR ?? app.getPath('userData');

  const openWindow = (): BrowserWindow => {
    if (win) {
      if (win.isMinimized()) win.restore();
      win.show();
      win.focus();
      return win;
    }
    const created = createMainWindow(preloadPath(here), dataDir);
    created.on('close', (event) => {
      if (!closeHidesWindow(quitting, process.platform)) return;
      event.preventDefault();
      created.hide();
    });
    created.on('closed', () => (win = undefined));
    return (win = created);
  };

  app.on('second-instance', () => openWindow());
  hardenWebContents();

  void app.whenReady().then(async () => {
    // Ferry needs no browser permission: refuse requests, and answer "denied" to the checks
    // (permissions.query, device enumeration) that never go through the request handler.
    session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
    session.defaultSession.setPermissionCheckHandler(() => false);
    const nativeBinding = devNativeBinding(app.isPackaged);
    try {
      services = await startServices({
        dataDir,
        hostKind: 'desktop',
        ...(nativeBinding ? { nativeBinding } : {}),
        secrets: new FileSecretStore(join(dataDir, 'secrets.json'), keychainCodec(safeStorage, process.platform)),
        // A job log's header names where a script follows it: the local API while it is on.
        host: { ...electronHostServices(() => win), apiOrigin: () => scripts?.server()?.url ?? null },
      });
    } catch (err) {
      // Another instance on the same data directory (a `ferry serve`, say): say which, and leave.
      dialog.showErrorBox('Ferry cannot start', (err as Error).message);
      app.exit(1);
      return;
    }
    const engine = services.engine;
    protocol.handle(APP_SCHEME, (request) => appResponse(join(here, '../renderer'), request.url, (url) => net.fetch(url)));
    registerIpc(engine, () => win?.webContents);
    // Settings → Allow local scripts: the API on 127.0.0.1 for scripts and the CLI, or a file saying it is off.
    scripts = watchLocalScripts(engine, dataDir);
    openWindow();

    const actions = desktopActions(engine, {
      show: () => openWindow(),
      quit: () => {
        quitting = true;
        app.quit();
      },
    });
    watchFinishedJobs(engine, actions.open, showNotice);
    const tray = createTray(actions);
    const power = watchPower(engine);
    const menuActions = { newUpload: () => actions.open({ view: 'newUpload' }), openDataFolder: () => void shell.openPath(dataDir) };
    Menu.setApplicationMenu(Menu.buildFromTemplate(appMenu({ mac: process.platform === 'darwin', packaged: app.isPackaged }, menuActions)));
    engine.onSettingsChange((s, changed) => {
      const loginItem = loginItemFor(s, changed, app.isPackaged);
      if (loginItem) app.setLoginItemSettings(loginItem);
    });
    const tick = setInterval(() => {
      const stats = engine.stats();
      tray.update(stats);
      power.update(stats);
      win?.setProgressBar(taskbarProgress(stats));
    }, 1000);
    app.once('will-quit', () => {
      clearInterval(tick);
      power.dispose();
      tray.destroy();
    });
    log.info(`desktop started; data in ${dataDir}`);
  });

  app.on('activate', () => {
    if (app.isReady() && services) openWindow();
  });

  // The tray keeps Ferry alive with no window; quitting is explicit.
  app.on('window-all-closed', () => {});

  app.on('before-quit', (event) => {
    quitting = true;
    if (!services) return;
    event.preventDefault();
    const s = services;
    services = undefined;
    const api = scripts;
    scripts = undefined;
    void Promise.resolve(api?.close())
      .then(() => s.stop())
      .finally(() => app.quit());
  });
}
