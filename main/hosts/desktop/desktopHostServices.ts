import type { HostServices } from '../../engine';

/** The native dialogs and file manager of the desktop, as the Electron host offers them. */
export interface NativeShell {
  openDialog(options: { title: string; buttonLabel: string; properties: ('openFile' | 'openDirectory' | 'multiSelections')[] }): Promise<{ canceled: boolean; filePaths: string[] }>;
  messageBox(options: typeof COMMAND_JOBS_QUESTION): Promise<{ response: number }>;
  showItemInFolder(path: string): void;
  saveDialog(options: { title: string; defaultPath: string; buttonLabel: string; filters: { name: string; extensions: string[] }[] }): Promise<{ canceled: boolean; filePath?: string }>;
}

/** A native dialog the page cannot draw or click for the user: the decision stays theirs. */
export const COMMAND_JOBS_QUESTION = {
  type: 'warning' as const,
  title: 'Allow command jobs?',
  message: 'Allow Ferry to run programs as jobs?',
  detail: 'Command jobs run any program you name, with your rights, on this computer. Allow them only if you use them.',
  buttons: ['Keep off', 'Allow command jobs'],
  defaultId: 0,
  cancelId: 0,
  noLink: true,
};

/** OS dialogs and the file manager for the engine's host commands. */
export function desktopHostServices(shell: NativeShell): HostServices {
  return {
    kind: 'desktop',
    dropPaths: true,
    async pickPaths(kind) {
      const folders = kind === 'folders';
      const res = await shell.openDialog({
        title: folders ? 'Choose folders to upload' : 'Choose files to upload',
        buttonLabel: 'Choose',
        properties: [folders ? 'openDirectory' : 'openFile', 'multiSelections'],
      });
      return res.canceled ? [] : res.filePaths;
    },
    reveal: (path) => shell.showItemInFolder(path),
    async pickSavePath(suggestedName, kind) {
      const res = await shell.saveDialog({
        title: 'Export jobs',
        defaultPath: suggestedName,
        buttonLabel: 'Export',
        filters: [kind === 'csv' ? { name: 'CSV (spreadsheets)', extensions: ['csv'] } : { name: 'JSON', extensions: ['json'] }],
      });
      return res.canceled || !res.filePath ? null : res.filePath;
    },
    confirmCommandJobs: async () => (await shell.messageBox(COMMAND_JOBS_QUESTION)).response === COMMAND_JOBS_QUESTION.buttons.indexOf('Allow command jobs'),
  };
}
