import { existsSync } from 'node:fs';
import { FerryError, invalidInput, notFound } from '../../../shared/errors';
import { browseDirectory, listPlaces, summarizeFolder } from '../files/browse';
import { datasetPlace, itemPlace } from '../kinds/datasetPlace';
import type { CommandHandlers, EngineServices } from './engineServices';
import { uploadTarget } from './transferCommands';

type FileCommandNames = 'listPlaces' | 'listDirectory' | 'summarizeFolder' | 'capabilities' | 'pickPaths' | 'pickSavePath' | 'revealPath' | 'beginStaging';

/** Commands for local files and what the host offers around them: dialogs, the file manager, staging. */
export function fileCommands(services: Pick<EngineServices, 'host' | 'jobs' | 'logs' | 'items' | 'receiver' | 'commandJobs' | 'destinations'>): Pick<CommandHandlers, FileCommandNames> {
  const { host, jobs, logs, items } = services;
  const unavailable = (what: string) => new FerryError('UNAVAILABLE', `${what} is only available in the desktop app`);
  /** Where an upload's dataset (or, with `seq`, one of its files) landed, when that is on this computer. */
  const landedAt = (id: number, seq: number | undefined): string => {
    const op = `revealPath(job ${id})`;
    const target = uploadTarget(services, jobs.get(id));
    if (!target) throw invalidInput(`${op}: it is not an upload, or its destination was deleted`, { id });
    const receiverDir = services.receiver.current()?.dir ?? undefined;
    const place = datasetPlace(target.dest, target.dataset, receiverDir);
    if (!place.local) throw invalidInput(`${op}: ${place.destination} is not on this computer; its files are at ${place.where}`, { id, where: place.where });
    let path = place.where;
    if (seq !== undefined) {
      const item = items.page(id, seq, 1)[0];
      if (!item || item.seq !== seq) throw notFound(`${op}: no file #${seq}`);
      const where = itemPlace(target.dest, target.dataset, item, receiverDir);
      if (!where) throw invalidInput(`${op}: ${item.relative_path} has not landed at ${place.destination}`, { id, seq });
      path = where;
    }
    if (!existsSync(path)) throw notFound(`${op}: ${path} is not there any more`, { path });
    return path;
  };
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
      else if (what === 'destination') path = landedAt(id, seq);
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
