import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMMAND_JOBS_QUESTION, desktopHostServices, type NativeShell } from '../../../../main/hosts/desktop/desktopHostServices';
import { desktopActions } from '../../../../main/hosts/desktop/desktopActions';
import { closeHidesWindow, mainWindowOptions, preloadPath } from '../../../../main/hosts/desktop/mainWindow';
import { appMenu, type MenuEntry } from '../../../../main/hosts/desktop/menus';
import { devNativeBinding, loginItemFor } from '../../../../main/hosts/desktop/startup';
import { startEngine } from '../../../helpers/engineFixture';
import { makeTmpDir } from '../../../helpers/tmpDir';
import { navigations } from './demoJobs';

/** What a menu shows: labels, roles and separators, nested. */
function shape(entries: MenuEntry[]): unknown[] {
  return entries.map((e) => ('type' in e ? '—' : 'role' in e ? (e.submenu ? { [e.role]: shape(e.submenu) } : e.role) : 'submenu' in e ? { [e.label]: shape(e.submenu) } : e.label));
}

/** Electron's dialogs as the user answers them. */
function nativeShell(answers: { paths?: string[]; canceled?: boolean; button?: number; savePath?: string }) {
  const asked: unknown[] = [];
  const revealed: string[] = [];
  const shell: NativeShell = {
    openDialog: async (options) => (asked.push(options), { canceled: answers.canceled ?? false, filePaths: answers.paths ?? [] }),
    messageBox: async (options) => (asked.push(options), { response: answers.button ?? 0 }),
    showItemInFolder: (path) => void revealed.push(path),
    saveDialog: async (options) => (asked.push(options), answers.canceled ? { canceled: true } : { canceled: false, filePath: answers.savePath ?? '' }),
  };
  return { shell, asked, revealed };
}

describe('the application menu', () => {
  it('has File, Edit, View, Window and Help; macOS adds the app menu and keeps Quit there', () => {
    expect(shape(appMenu({ mac: false, packaged: true }, { newUpload: () => undefined, openDataFolder: () => undefined }))).toEqual([
      { File: ['New Upload…', '—', 'Open Data Folder', '—', 'quit'] },
      'editMenu',
      { View: ['resetZoom', 'zoomIn', 'zoomOut', '—', 'togglefullscreen'] },
      'windowMenu',
      { help: ['about'] },
    ]);
    const mac = shape(appMenu({ mac: true, packaged: false }, { newUpload: () => undefined, openDataFolder: () => undefined }));
    expect(mac[0]).toBe('appMenu');
    expect(mac[1]).toEqual({ File: ['New Upload…', '—', 'Open Data Folder', '—', 'close'] });
    // A development build can reload and open the developer tools.
    expect(mac[3]).toEqual({ View: ['resetZoom', 'zoomIn', 'zoomOut', '—', 'togglefullscreen', '—', 'reload', 'toggleDevTools'] });
  });

  it('New Upload (Ctrl/Cmd+O) opens the new-upload sheet in the window', async () => {
    const f = startEngine();
    try {
      let shown = 0;
      const actions = desktopActions(f.engine, { show: () => void shown++, quit: () => undefined });
      const opened: string[] = [];
      const file = appMenu({ mac: false, packaged: true }, { newUpload: () => actions.open({ view: 'newUpload' }), openDataFolder: () => void opened.push(f.dataDir) })[0];
      const entries: MenuEntry[] = (file && 'submenu' in file ? file.submenu : undefined) ?? [];
      const nav = navigations(f.engine);
      const newUpload = entries.find((e) => 'label' in e && e.label === 'New Upload…');
      expect(newUpload).toMatchObject({ accelerator: 'CmdOrCtrl+O' });
      if (newUpload && 'click' in newUpload) newUpload.click();
      expect(shown).toBe(1);
      expect(nav.seen).toEqual([{ view: 'newUpload' }]);
      const folder = entries.find((e) => 'label' in e && e.label === 'Open Data Folder');
      if (folder && 'click' in folder) folder.click();
      expect(opened).toEqual([f.dataDir]);
      nav.close();
    } finally {
      await f.dispose();
    }
  });
});

describe('the main window', () => {
  it('is sandboxed and isolated, at the saved bounds or a default size', () => {
    const fresh = mainWindowOptions('/app/out/preload/index.cjs', '/app');
    expect(fresh).toMatchObject({ width: 1280, height: 820, show: false, icon: '/app/resources/icon.png' });
    expect(fresh).not.toHaveProperty('x');
    expect(fresh.webPreferences).toEqual({
      preload: '/app/out/preload/index.cjs',
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      spellcheck: false,
    });
    expect(mainWindowOptions('p', '/app', { x: 2000, y: 40, width: 1000, height: 700 })).toMatchObject({ x: 2000, y: 40, width: 1000, height: 700 });
    expect(preloadPath('/app/out/main')).toBe('/app/out/preload/index.cjs');
  });

  it('closing it keeps Ferry in the tray, except when quitting and on macOS', () => {
    expect(closeHidesWindow(false, 'linux')).toBe(true);
    expect(closeHidesWindow(false, 'win32')).toBe(true);
    expect(closeHidesWindow(true, 'linux')).toBe(false);
    expect(closeHidesWindow(false, 'darwin')).toBe(false);
  });
});

describe('native dialogs', () => {
  it('picks files or folders, and a canceled dialog uploads nothing', async () => {
    const files = nativeShell({ paths: ['/data/a.tif', '/data/b.tif'] });
    expect(await desktopHostServices(files.shell).pickPaths!('files')).toEqual(['/data/a.tif', '/data/b.tif']);
    const folders = nativeShell({ paths: ['/data/run1'], canceled: true });
    expect(await desktopHostServices(folders.shell).pickPaths!('folders')).toEqual([]);
    expect(files.asked).toEqual([{ title: 'Choose files to upload', buttonLabel: 'Choose', properties: ['openFile', 'multiSelections'] }]);
    expect(folders.asked).toEqual([{ title: 'Choose folders to upload', buttonLabel: 'Choose', properties: ['openDirectory', 'multiSelections'] }]);
  });

  it('asks where to save an export, offering its name and kind; a canceled dialog saves nothing', async () => {
    const chosen = nativeShell({ savePath: '/home/ana/jobs.csv' });
    expect(await desktopHostServices(chosen.shell).pickSavePath!('jobs-2026-12-03T13-00-00.csv', 'csv')).toBe('/home/ana/jobs.csv');
    expect(chosen.asked[0]).toMatchObject({ title: 'Export jobs', defaultPath: 'jobs-2026-12-03T13-00-00.csv', filters: [{ extensions: ['csv'] }] });
    expect(await desktopHostServices(nativeShell({ canceled: true }).shell).pickSavePath!('jobs.json', 'json')).toBeNull();
  });

  it('allows command jobs only when the user presses "Allow command jobs"; Escape keeps them off', async () => {
    expect(COMMAND_JOBS_QUESTION.buttons[COMMAND_JOBS_QUESTION.cancelId]).toBe('Keep off');
    expect(COMMAND_JOBS_QUESTION.buttons[COMMAND_JOBS_QUESTION.defaultId]).toBe('Keep off');
    expect(await desktopHostServices(nativeShell({ button: 1 }).shell).confirmCommandJobs!()).toBe(true);
    expect(await desktopHostServices(nativeShell({ button: COMMAND_JOBS_QUESTION.cancelId }).shell).confirmCommandJobs!()).toBe(false);
  });

  it('reveals a path in the file manager and takes dropped files by their paths', () => {
    const native = nativeShell({});
    const services = desktopHostServices(native.shell);
    services.reveal!('/data/received/run1');
    expect(native.revealed).toEqual(['/data/received/run1']);
    expect(services).toMatchObject({ kind: 'desktop', dropPaths: true });
  });
});

describe('start-up', () => {
  it('uses the development build of better-sqlite3 only unpackaged and only when it was built', async () => {
    const dir = makeTmpDir('ferry-startup-');
    try {
      expect(devNativeBinding(false, dir.dir)).toBeUndefined();
      mkdirSync(join(dir.dir, '.electron-native'));
      writeFileSync(join(dir.dir, '.electron-native/better_sqlite3.node'), '');
      expect(devNativeBinding(false, dir.dir)).toBe(join(dir.dir, '.electron-native/better_sqlite3.node'));
      expect(devNativeBinding(true, dir.dir)).toBeUndefined();
    } finally {
      await dir.cleanup();
    }
  });

  it('registers the login item when "start at login" changes, in a packaged app only', () => {
    expect(loginItemFor({ startAtLogin: true }, ['startAtLogin'], true)).toEqual({ openAtLogin: true });
    expect(loginItemFor({ startAtLogin: false }, ['theme', 'startAtLogin'], true)).toEqual({ openAtLogin: false });
    expect(loginItemFor({ startAtLogin: true }, ['theme'], true)).toBeNull();
    expect(loginItemFor({ startAtLogin: true }, ['startAtLogin'], false)).toBeNull();
  });
});
