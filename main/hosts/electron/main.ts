/**
 * The desktop host: the engine in Electron's main process, the renderer in a sandboxed window,
 * IPC generated from the contract. Everything that imports electron lives in this folder.
 */
import { app, BrowserWindow, session } from 'electron';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Engine } from '../../engine/engine';
import { startServices, type FerryServices } from '../bootstrap';
import { createLogger } from '../../engine/util/logger';
import { registerIpc } from './ipc';
import { registerAppScheme, serveRenderer } from './protocol';
import { createMainWindow, hardenWebContents, preloadPath } from './window';

const log = createLogger('desktop');
const here = dirname(fileURLToPath(import.meta.url));

registerAppScheme();

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  let win: BrowserWindow | undefined;
  let engine: Engine | undefined;
  let services: FerryServices | undefined;

  app.on('second-instance', () => {
    if (!win) return;
    if (win.isMinimized()) win.restore();
    win.show();
    win.focus();
  });

  hardenWebContents();

  void app.whenReady().then(async () => {
    session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
    const dataDir = process.env.FERRY_DATA_DIR ?? app.getPath('userData');
    // In development `npm start` builds better-sqlite3 for Electron's ABI beside the Node one.
    const devBinding = resolve('.electron-native/better_sqlite3.node');
    const nativeBinding = !app.isPackaged && existsSync(devBinding) ? devBinding : undefined;
    services = await startServices({ dataDir, ...(nativeBinding ? { nativeBinding } : {}) });
    engine = services.engine;
    serveRenderer(join(here, '../renderer'));
    registerIpc(engine, () => win?.webContents);
    win = createMainWindow(preloadPath(here));
    win.on('closed', () => (win = undefined));
    log.info(`desktop started; data in ${dataDir}`);
  });

  app.on('activate', () => {
    if (!win && app.isReady()) win = createMainWindow(preloadPath(here));
  });

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });

  let quitting = false;
  app.on('before-quit', (event) => {
    if (quitting || !services) return;
    event.preventDefault();
    quitting = true;
    void services!.stop().finally(() => app.quit());
  });
}
