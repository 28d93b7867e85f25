import { dialog, shell, type BrowserWindow } from 'electron';
import type { HostServices } from '../../engine';
import { desktopHostServices } from '../desktop/desktopHostServices';

/** Electron's dialogs (over the window when it is open) and file manager for the host commands. */
export function electronHostServices(window: () => BrowserWindow | undefined): HostServices {
  return desktopHostServices({
    openDialog: (options) => (window() ? dialog.showOpenDialog(window()!, options) : dialog.showOpenDialog(options)),
    messageBox: (options) => (window() ? dialog.showMessageBox(window()!, options) : dialog.showMessageBox(options)),
    showItemInFolder: (path) => shell.showItemInFolder(path),
    saveDialog: (options) => (window() ? dialog.showSaveDialog(window()!, options) : dialog.showSaveDialog(options)),
  });
}
