import { readdirSync, statSync } from 'node:fs';
import { conflict, invalidInput } from '../../../shared/errors';
import { localPath } from '../files/pathGuard';
import type { S3DownloadParams } from '../kinds/s3DownloadRunner';
import type { UploadParams } from '../kinds/uploadRunner';
import { dataDirProblem } from '../util/dataDirGuard';
import type { CommandHandlers, EngineServices } from './engineServices';

const OP = 'createBucketDownload';

/** A key prefix as the job keeps it: no leading '/', a trailing '/' when not empty (a folder, not any key that starts so). */
export function normalPrefix(prefix: string): string {
  if (/[\u0000-\u001f\u007f]/.test(prefix)) throw invalidInput(`${OP}: the prefix ${JSON.stringify(prefix)} contains a control character`);
  const p = prefix.replace(/^\/+/, '');
  return p === '' || p.endsWith('/') ? p : `${p}/`;
}

/** Refuses a target that is a file, or a folder that already holds something (nothing there is overwritten). */
function checkTarget(dest: string): void {
  let info;
  try {
    info = statSync(dest, { throwIfNoEntry: false });
  } catch (err) {
    throw invalidInput(`${OP}: ${dest} cannot be read: ${(err as Error).message}`, { dest });
  }
  if (!info) return;
  if (!info.isDirectory()) throw invalidInput(`${OP}: ${dest} is a file; choose a folder`, { dest });
  if (readdirSync(dest).length > 0) throw conflict(`${OP}: ${dest} already holds files; choose a new or empty folder so that nothing in it is overwritten`, { dest });
}

/** The command that creates S3 prefix downloads, from a prefix or from a completed upload's dataset. */
export function s3DownloadCommands(services: Pick<EngineServices, 'dataDir' | 'jobs' | 'destinations' | 'settings'>): Pick<CommandHandlers, 'createBucketDownload'> {
  return {
    createBucketDownload: (input) => {
      const dest = localPath(OP, input.dest);
      const problem = dataDirProblem(services.dataDir, dest);
      if (problem) throw invalidInput(`${OP}: ${problem}`, { dest });
      let destinationId: string;
      let prefix: string;
      let label: string | undefined;
      if (input.sourceJobId !== undefined) {
        if (input.destinationId !== undefined || input.prefix !== undefined) throw invalidInput(`${OP}: give either sourceJobId, or destinationId and prefix, not both`);
        const source = services.jobs.get(input.sourceJobId);
        if (source.kind !== 'upload') throw conflict(`${OP}: job ${input.sourceJobId} is a ${source.kind} job, not an upload`, { id: input.sourceJobId });
        if (source.state !== 'completed') throw conflict(`${OP}: upload ${input.sourceJobId} is ${source.state}; only a completed upload can be downloaded back`, { id: input.sourceJobId });
        const up = JSON.parse(source.params) as UploadParams;
        destinationId = up.destinationId;
        prefix = `${up.dataset}/`;
        label = up.dataset;
      } else {
        if (input.destinationId === undefined) throw invalidInput(`${OP}: give destinationId (an S3 destination) and prefix, or sourceJobId`);
        destinationId = input.destinationId;
        prefix = normalPrefix(input.prefix ?? '');
      }
      const destination = services.destinations.get(destinationId);
      if (destination.kind !== 's3') throw invalidInput(`${OP}: ${destination.name} is a ${destination.kind} destination; only S3 destinations can be downloaded from`, { destinationId });
      checkTarget(dest);
      const params: S3DownloadParams = { destinationId, prefix, dest, parallelFiles: services.settings.get().parallelFiles };
      const name = input.name ?? `Download ${label ?? (prefix ? prefix.slice(0, -1) : destination.name)}`;
      return services.jobs.create(
        { kind: 's3download', name, priority: input.priority, params, destinationId, unit: 'bytes', maxAttempts: 5 },
        { destination: destinationId, prefix, dest, ...(input.sourceJobId !== undefined ? { sourceJobId: input.sourceJobId } : {}) },
      );
    },
  };
}
