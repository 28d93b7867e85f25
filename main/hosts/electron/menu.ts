import { app, Menu, type MenuItemConstructorOptions } from 'electron';

export interface MenuActions {
  newUpload(): void;
  openDataFolder(): void;
}

/** The application menu: the usual roles plus Ferry's own entries. */
export function installAppMenu(actions: MenuActions): void {
  const isMac = process.platform === 'darwin';
  const template: MenuItemConstructorOptions[] = [
    ...(isMac ? [{ role: 'appMenu' as const }] : []),
    {
      label: 'File',
      submenu: [
        { label: 'New Upload…', accelerator: 'CmdOrCtrl+O', click: actions.newUpload },
        { type: 'separator' },
        { label: 'Open Data Folder', click: actions.openDataFolder },
        { type: 'separator' },
        isMac ? { role: 'close' } : { role: 'quit' },
      ],
    },
    { role: 'editMenu' },
    {
      label: 'View',
      submenu: [
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
        ...(app.isPackaged ? [] : [{ type: 'separator' as const }, { role: 'reload' as const }, { role: 'toggleDevTools' as const }]),
      ],
    },
    { role: 'windowMenu' },
    {
      role: 'help',
      submenu: [{ role: 'about' }],
    },
  ];
  Menu.setApplicationMenu(Menu.buildFromTemplate(template));
}
