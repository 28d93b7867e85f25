import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { FerryError, invalidInput, notFound } from '../../../shared/errors';
import { checkRelativePath } from '../../../shared/storedPath';
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from '../../engine/util/privateFiles';

const STAGING_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * A browser gives dropped files without paths, so the web host receives their bytes here:
 * `PUT /api/stage/<stagingId>/<relative path>` streams one file into the staging folder the
 * `beginStaging` command made (written to a temporary name, renamed when whole).
 */
export async function receiveStagedFile(stagingRoot: (id: string) => string, stagingId: string, rawRelative: string, req: IncomingMessage): Promise<{ path: string; size: number }> {
  if (!STAGING_ID.test(stagingId)) throw invalidInput(`stage: ${JSON.stringify(stagingId)} is not a staging id`);
  let relative: string;
  try {
    relative = decodeURIComponent(rawRelative);
  } catch {
    throw invalidInput('stage: the file path is not valid percent-encoding');
  }
  checkRelativePath(relative, 'stage');
  const root = stagingRoot(stagingId);
  const info = await stat(root).catch(() => undefined);
  if (!info?.isDirectory()) throw notFound(`stage: staging area ${stagingId} does not exist (call beginStaging first)`);
  const target = join(root, ...relative.split('/'));
  const temp = `${target}.ferry-part`;
  await mkdir(dirname(target), { recursive: true, mode: PRIVATE_DIR_MODE });
  try {
    await pipeline(req, createWriteStream(temp, { mode: PRIVATE_FILE_MODE }));
  } catch (err) {
    await rm(temp, { force: true });
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOSPC') throw new FerryError('IO', `stage(${relative}): no space left on the disk of the data directory`, { errno: code });
    throw new FerryError('IO', `stage(${relative}): ${(err as Error).message}`, { errno: code });
  }
  await rename(temp, target);
  return { path: target, size: (await stat(target)).size };
}
