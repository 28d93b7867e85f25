/**
 * The desktop's menus as data: the tray menu and the application menu. The Electron host hands
 * them to `Menu.buildFromTemplate` as they are (which checks them against Electron's own types);
 * what each entry does is decided here and tested in Node.
 */

/** The roles Ferry's menus use (a subset of Electron's). */
export type MenuRole = 'appMenu' | 'editMenu' | 'windowMenu' | 'help' | 'about' | 'close' | 'quit' | 'resetZoom' | 'zoomIn' | 'zoomOut' | 'togglefullscreen' | 'reload' | 'toggleDevTools';

export type MenuEntry =
  | { type: 'separator' }
  | { role: MenuRole; submenu?: MenuEntry[] }
  | { label: string; click: () => void; accelerator?: string }
  | { label: string; submenu: MenuEntry[] };

const separator: MenuEntry = { type: 'separator' };

export interface TrayMenuActions {
  show(): void;
  pauseAll(): void;
  resumeAll(): void;
  quit(): void;
}

/** Show, pause all, resume all, quit. */
export function trayMenu(actions: TrayMenuActions): MenuEntry[] {
  return [
    { label: 'Show Ferry', click: () => actions.show() },
    separator,
    { label: 'Pause all', click: () => actions.pauseAll() },
    { label: 'Resume all', click: () => actions.resumeAll() },
    separator,
    { label: 'Quit Ferry', click: () => actions.quit() },
  ];
}

export interface AppMenuActions {
  newUpload(): void;
  openDataFolder(): void;
}

/**
 * The application menu: the usual roles plus Ferry's own entries. macOS has an app menu and keeps
 * Quit there (File ends with Close); development builds add reload and the developer tools.
 */
export function appMenu(host: { mac: boolean; packaged: boolean }, actions: AppMenuActions): MenuEntry[] {
  return [
    ...(host.mac ? [{ role: 'appMenu' as const }] : []),
    {
      label: 'File',
      submenu: [
        { label: 'New Upload…', accelerator: 'CmdOrCtrl+O', click: () => actions.newUpload() },
        separator,
        { label: 'Open Data Folder', click: () => actions.openDataFolder() },
        separator,
        { role: host.mac ? 'close' : 'quit' },
      ],
    },
    { role: 'editMenu' },
    {
      label: 'View',
      submenu: [
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        separator,
        { role: 'togglefullscreen' },
        ...(host.packaged ? [] : [separator, { role: 'reload' as const }, { role: 'toggleDevTools' as const }]),
      ],
    },
    { role: 'windowMenu' },
    { role: 'help', submenu: [{ role: 'about' }] },
  ];
}
