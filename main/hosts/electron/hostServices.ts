import { dialog, shell, type BrowserWindow } from 'electron';
import type { HostServices } from '../../engine/index';

/** OS dialogs and the file manager for the engine's host commands. */
export function desktopHostServices(window: () => BrowserWindow | undefined): HostServices {
  return {
    kind: 'desktop',
    dropPaths: true,
    async pickPaths(kind) {
      const win = window();
      const options: Electron.OpenDialogOptions = {
        title: kind === 'folders' ? 'Choose folders to upload' : 'Choose files to upload',
        buttonLabel: 'Choose',
        properties: kind === 'folders' ? ['openDirectory', 'multiSelections'] : ['openFile', 'multiSelections'],
      };
      const res = win ? await dialog.showOpenDialog(win, options) : await dialog.showOpenDialog(options);
      return res.canceled ? [] : res.filePaths;
    },
    reveal(path) {
      shell.showItemInFolder(path);
    },
    // A native dialog the page cannot draw or click for the user: the decision stays theirs.
    async confirmCommandJobs() {
      const win = window();
      const options: Electron.MessageBoxOptions = {
        type: 'warning',
        title: 'Allow command jobs?',
        message: 'Allow Ferry to run programs as jobs?',
        detail: 'Command jobs run any program you name, with your rights, on this computer. Allow them only if you use them.',
        buttons: ['Keep off', 'Allow command jobs'],
        defaultId: 0,
        cancelId: 0,
        noLink: true,
      };
      const res = win ? await dialog.showMessageBox(win, options) : await dialog.showMessageBox(options);
      return res.response === 1;
    },
  };
}
