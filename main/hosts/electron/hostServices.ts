import { dialog, shell, type BrowserWindow } from 'electron';
import type { HostServices } from '../../engine/hostServices';

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
  };
}
