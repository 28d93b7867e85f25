import { randomUUID } from 'node:crypto';
import { createWriteStream, mkdirSync } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { FerryError, invalidInput, notFound } from '../../../shared/errors';
import { checkRelativePath } from '../../../shared/storedPath';
import { HTTP_ROUTES } from '../../../shared/wire';
import { HEADLESS_HOST, PRIVATE_DIR_MODE, PRIVATE_FILE_MODE, type HostServices, type StagingArea } from '../../engine/index';

const STAGING_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** Staging areas live in this folder of the data directory. */
const STAGING_DIR = 'staging';

/**
 * A browser gives dropped files without paths, so the web host receives their bytes: the
 * `beginStaging` command reserves a folder under `<dataDir>/staging/`, and
 * `PUT /api/stage/<stagingId>/<relative path>` streams one file into it (written to a temporary
 * name, renamed when whole). The upload job then takes its paths from that folder.
 */
export class WebStaging {
  constructor(private readonly dataDir: string) {}

  /** The folder of one staging area. */
  dir(id: string): string {
    return join(this.dataDir, STAGING_DIR, id);
  }

  /** Reserves a staging area (the `beginStaging` command). */
  begin(): StagingArea {
    const stagingId = randomUUID();
    mkdirSync(this.dir(stagingId), { recursive: true, mode: PRIVATE_DIR_MODE });
    return { stagingId, path: this.dir(stagingId), uploadUrl: HTTP_ROUTES.stage(stagingId) };
  }

  /** Streams one file of a staging area from `req`. */
  async receive(stagingId: string, rawRelative: string, req: IncomingMessage): Promise<{ path: string; size: number }> {
    if (!STAGING_ID.test(stagingId)) throw invalidInput(`stage: ${JSON.stringify(stagingId)} is not a staging id`);
    let relative: string;
    try {
      relative = decodeURIComponent(rawRelative);
    } catch {
      throw invalidInput('stage: the file path is not valid percent-encoding');
    }
    checkRelativePath(relative, 'stage');
    const root = this.dir(stagingId);
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
}

/** What the headless web host offers the engine: no dialogs, and a staging area for dropped files. */
export function webHostServices(staging: WebStaging): HostServices {
  return { ...HEADLESS_HOST, beginStaging: () => staging.begin() };
}
