import { existsSync } from 'node:fs';
import { rename } from 'node:fs/promises';
import { join } from 'node:path';
import { FerryError } from '../../../shared/errors';
import { sha256File } from '../../util/sha256File';
import type { ResolvedDestination } from '../destinations/protocolFactory';
import { receiverFiled } from '../kinds/storedSha256';

/**
 * How an incremental upload replaces the manifest and dataset.json it finds at the destination
 * without a moment in which the old ones are gone or half written: a crash (kill -9) before the
 * swap leaves the old manifest whole and valid for the files it lists.
 * - a folder, the built-in receiver: the new file is sent under a name of its own, then renamed
 *   over the old one on this computer (one atomic rename);
 * - S3: the object is written in place, which replaces it atomically when the upload completes;
 * - tus: uploads live at addresses of their own, there is nothing to replace.
 */
export interface OwnFileSwap {
  /** The name to send `name` under. */
  sendAs(name: string): string;
  /** Puts the file sent as `sendAs(name)` in place of `name`; `location` is what the destination answered. */
  promote(name: string, location: string | null, sha256: string): Promise<void>;
}

export function ownFileSwap(dest: ResolvedDestination, dataset: string, jobId: number, receiverDir: string | undefined): OwnFileSwap | undefined {
  const temp = (name: string) => `${name}.job-${jobId}.incoming`;
  let root: string;
  let from: (name: string, location: string | null) => string;
  if (dest.kind === 'folder') {
    root = join(dest.config.path, dataset);
    from = (name) => join(root, temp(name));
  } else if (dest.kind === 'receiver' && receiverDir) {
    root = join(receiverDir, dataset);
    // The receiver answers where it filed the file.
    from = (name, location) => join(receiverDir, ...(receiverFiled(location) ?? `${dataset}/${temp(name)}`).split('/'));
  } else {
    return undefined;
  }
  return {
    sendAs: temp,
    async promote(name, location, sha256) {
      const source = from(name, location);
      const target = join(root, name);
      if (!existsSync(source)) {
        // An attempt that died after its rename: the file in place is the one it sent.
        if (existsSync(target) && (await sha256File(target)) === sha256) return;
        throw new FerryError('IO', `upload(replace ${target}): the new ${name} sent as ${source} is not there`);
      }
      await rename(source, target).catch((err: Error) => {
        throw new FerryError('IO', `upload(rename ${source} → ${target}): ${err.message}`);
      });
    },
  };
}
