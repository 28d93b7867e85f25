import { FerryError, notFound } from '../../../shared/errors';
import { browseDirectory, listPlaces, summarizeFolder } from '../files/browse';
import type { CommandHandlers, EngineServices } from './engineServices';

type FileCommandNames = 'listPlaces' | 'listDirectory' | 'summarizeFolder' | 'capabilities' | 'pickPaths' | 'pickSavePath' | 'revealPath' | 'beginStaging';

/** Commands for local files and what the host offers around them: dialogs, the file manager, staging. */
export function fileCommands(services: Pick<EngineServices, 'host' | 'jobs' | 'logs' | 'items' | 'receiver' | 'commandJobs'>): Pick<CommandHandlers, FileCommandNames> {
  const { host, jobs, logs, items } = services;
  const unavailable = (what: string) => new FerryError('UNAVAILABLE', `${what} is only available in the desktop app`);
  return {
    listPlaces: () => listPlaces(),
    listDirectory: ({ path, showHidden }) => browseDirectory(path, showHidden),
    summarizeFolder: ({ path }) => summarizeFolder(path),
    capabilities: () => ({
      host: host.kind,
      pickPaths: !!host.pickPaths,
      reveal: !!host.reveal,
      saveDialog: !!host.pickSavePath,
      dropPaths: host.dropPaths,
      receiverDir: services.receiver.current()?.dir ?? null,
      commandJobs: services.commandJobs.allowed(),
      askCommandJobs: !!host.confirmCommandJobs,
    }),
    pickPaths: ({ kind }) => {
      if (!host.pickPaths) throw unavailable('The file dialog');
      return host.pickPaths(kind);
    },
    pickSavePath: async ({ name, kind }) => {
      if (!host.pickSavePath) throw unavailable('The save dialog');
      return { path: await host.pickSavePath(name, kind) };
    },
    revealPath: ({ id, what, seq }) => {
      if (!host.reveal) throw unavailable('Showing files in the file manager');
      jobs.get(id);
      let path: string;
      if (what === 'log') path = logs.paths(id).log;
      else if (what === 'folder') path = logs.paths(id).dir;
      else {
        const item = seq === undefined ? undefined : items.page(id, seq, 1)[0];
        if (!item || item.seq !== seq) throw notFound(`revealPath(job ${id}): no file #${seq ?? '?'}`);
        path = item.path;
      }
      host.reveal(path);
      return { path };
    },
    beginStaging: () => {
      if (!host.beginStaging) throw new FerryError('UNAVAILABLE', 'Streaming dropped files is only available in the web host');
      return host.beginStaging();
    },
  };
}
