/**
 * The desktop host: the engine in Electron's main process, the renderer in a sandboxed window,
 * IPC generated from the contract, and the shell around them (tray, notifications, power, menu).
 * Everything that imports electron lives in this folder.
 */
import { app, BrowserWindow, dialog, session, shell } from 'electron';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bulkAction, createLogger, FileSecretStore } from '../../engine/index';
import { startServices, type FerryServices } from '../bootstrap';
import { desktopHostServices } from './hostServices';
import { registerIpc } from './ipc';
import { installAppMenu } from './menu';
import { notifyFinished } from './notifications';
import { watchPower } from './power';
import { registerAppScheme, serveRenderer } from './protocol';
import { safeStorageCodec } from './secretCodec';
import { createTray } from './tray';
import { createMainWindow, hardenWebContents, preloadPath } from './window';
import { loadWindowState, trackWindowState } from './windowState';

const log = createLogger('desktop');
const here = dirname(fileURLToPath(import.meta.url));

registerAppScheme();

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  let win: BrowserWindow | undefined;
  let services: FerryServices | undefined;
  let quitting = false;
  const dataDir = process.env.FERRY_DATA_DIR ?? app.getPath('userData');

  const openWindow = (): BrowserWindow => {
    if (win) {
      if (win.isMinimized()) win.restore();
      win.show();
      win.focus();
      return win;
    }
    const state = loadWindowState(dataDir);
    const created = createMainWindow(preloadPath(here), state?.bounds);
    if (state?.maximized) created.maximize();
    trackWindowState(created, dataDir);
    // Closing the window keeps Ferry in the tray, so transfers go on; Quit is in the tray menu.
    created.on('close', (event) => {
      if (quitting || process.platform === 'darwin') return;
      event.preventDefault();
      created.hide();
    });
    created.on('closed', () => (win = undefined));
    win = created;
    return created;
  };

  app.on('second-instance', () => openWindow());
  hardenWebContents();

  void app.whenReady().then(async () => {
    // Ferry needs no browser permission: refuse requests, and answer "denied" to the checks
    // (permissions.query, device enumeration) that never go through the request handler.
    session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
    session.defaultSession.setPermissionCheckHandler(() => false);
    // In development `npm start` builds better-sqlite3 for Electron's ABI beside the Node one.
    const devBinding = resolve('.electron-native/better_sqlite3.node');
    const nativeBinding = !app.isPackaged && existsSync(devBinding) ? devBinding : undefined;
    try {
      services = await startServices({
        dataDir,
        hostKind: 'desktop',
        ...(nativeBinding ? { nativeBinding } : {}),
        secrets: new FileSecretStore(join(dataDir, 'secrets.json'), safeStorageCodec()),
        host: desktopHostServices(() => win),
      });
    } catch (err) {
      // Another instance on the same data directory (a `ferry serve`, say): say which, and leave.
      dialog.showErrorBox('Ferry cannot start', (err as Error).message);
      app.exit(1);
      return;
    }
    const engine = services.engine;
    serveRenderer(join(here, '../renderer'));
    registerIpc(engine, () => win?.webContents);
    openWindow();

    const showJob = (id: number) => {
      openWindow();
      engine.navigate({ view: 'job', jobId: id });
    };
    engine.jobs.onFinished((job) => {
      const s = engine.settings.get();
      if ((job.state === 'completed' && s.notifyOnComplete) || (job.state === 'failed' && s.notifyOnFailure)) notifyFinished(job, showJob);
    });
    const quit = () => {
      quitting = true;
      app.quit();
    };
    const bulk = (action: 'pause' | 'resume', ids?: number[]) => bulkAction(engine.jobs, engine.repo, action, ids).affected;
    const tray = createTray({ show: () => openWindow(), pauseAll: () => bulk('pause'), resumeAll: () => bulk('resume'), quit });
    const power = watchPower({
      pauseRunning: (reason) => {
        const ids = bulk('pause', engine.repo.idsByState(['running']));
        if (ids.length) log.info(`paused ${ids.length} job(s): ${reason}`);
        return ids;
      },
      resume: (ids, reason) => {
        log.info(`resuming ${ids.length} job(s): ${reason}`);
        bulk('resume', ids);
      },
    });
    installAppMenu({
      newUpload: () => {
        openWindow();
        engine.navigate({ view: 'newUpload' });
      },
      openDataFolder: () => void shell.openPath(dataDir),
    });
    engine.settings.onChange((s, changed) => {
      if (changed.includes('startAtLogin') && app.isPackaged) app.setLoginItemSettings({ openAtLogin: s.startAtLogin });
    });
    const tick = setInterval(() => {
      const stats = engine.stats();
      tray.update(stats);
      power.update(stats);
      win?.setProgressBar(stats.activeProgress ?? -1);
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
    void s.stop().finally(() => app.quit());
  });
}
