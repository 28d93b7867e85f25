import { randomUUID } from 'node:crypto';
import { createWriteStream, mkdirSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { dirname, join, relative as relativeTo, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { FerryError, invalidInput, notFound } from '../../../shared/errors';
import { isFinished, type JobView } from '../../../shared/model';
import { checkRelativePath } from '../../../shared/storedPath';
import { HTTP_ROUTES } from '../../../shared/wire';
import { createLogger, HEADLESS_HOST, PRIVATE_DIR_MODE, PRIVATE_FILE_MODE, type Engine, type HostServices, type StagingArea } from '../../engine/index';

const log = createLogger('staging');
/** A staging area no unfinished job needs is removed at the next start once it is this old. */
const KEEP_MS = 24 * 60 * 60 * 1000;
/** Beside each area, the id of the upload job that takes its files (`<id>.job`). */
const JOB_SUFFIX = '.job';

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
  /** Bytes received per staging area (for health). */
  private readonly bytes = new Map<string, number>();
  /** Upload job → the staging area its files are in. */
  private readonly linked = new Map<number, string>();
  /** Jobs known to take no staging area (checked once). */
  private readonly unlinked = new Set<number>();

  constructor(private readonly dataDir: string) {}

  private root(): string {
    return join(this.dataDir, STAGING_DIR);
  }

  /** How many staging areas there are and what they hold. */
  usage(): { areas: number; bytes: number } {
    let bytes = 0;
    for (const b of this.bytes.values()) bytes += b;
    return { areas: this.bytes.size, bytes };
  }

  /**
   * Removes each staged copy once its upload job no longer needs it, and at start the areas left
   * behind. A staged copy is the only source a browser upload has, so it stays while the job may
   * still read it: it goes when the job completed without failures, was canceled or deleted. After
   * failures (a failed job, or one completed with failed files) it stays, so Retry or a re-send
   * can use it the same day; at the next start after a day it goes with every other area no
   * unfinished job needs (dropped files that never became a job included). Answers the function
   * that stops watching.
   */
  async attach(engine: Engine, now = Date.now()): Promise<() => void> {
    await this.sweep(engine, now);
    return engine.onJobsChanged((batch) => {
      for (const job of batch.upserts) {
        const area = this.areaOfJob(engine, job);
        if (area && doneWithSource(job)) this.release(job.id, area, `job ${job.id} ${job.state}`);
      }
      for (const id of batch.removed) {
        const area = this.linked.get(id);
        if (area) this.release(id, area, `job ${id} deleted`);
      }
    });
  }

  private release(jobId: number, area: string, why: string): void {
    this.linked.delete(jobId);
    void this.remove(area).then(
      () => log.info(`removed staging area ${area}: ${why}`),
      (err) => log.warn(`could not remove staging area ${area}`, err),
    );
  }

  private async remove(area: string): Promise<void> {
    this.bytes.delete(area);
    await rm(this.dir(area), { recursive: true, force: true });
    await rm(this.dir(area) + JOB_SUFFIX, { force: true });
  }

  /** The staging area an upload job takes its files from, linked (and noted beside it) on first sight. */
  private areaOfJob(engine: Engine, job: JobView): string | undefined {
    if (job.kind !== 'upload' || this.unlinked.has(job.id)) return undefined;
    const known = this.linked.get(job.id);
    if (known) return known;
    let paths: string[] = [];
    try {
      paths = (JSON.parse(engine.jobRecord(job.id).params) as { paths?: string[] }).paths ?? [];
    } catch {
      // A job that cannot be read takes nothing from here.
    }
    const area = paths.map((p) => this.areaOfPath(p)).find((a) => a !== undefined);
    if (!area) {
      this.unlinked.add(job.id);
      return undefined;
    }
    this.linked.set(job.id, area);
    void writeFile(this.dir(area) + JOB_SUFFIX, String(job.id), { mode: PRIVATE_FILE_MODE }).catch(() => undefined);
    return area;
  }

  private areaOfPath(path: string): string | undefined {
    const rel = relativeTo(this.root(), path);
    if (rel.startsWith('..') || rel === '') return undefined;
    const first = rel.split(sep)[0]!;
    return STAGING_ID.test(first) ? first : undefined;
  }

  /** At start: links areas to their jobs, removes those no unfinished job needs after a day, counts the rest. */
  private async sweep(engine: Engine, now: number): Promise<void> {
    const entries = await readdir(this.root(), { withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      if (!entry.isDirectory() || !STAGING_ID.test(entry.name)) continue;
      const area = entry.name;
      const jobId = Number((await readFile(this.dir(area) + JOB_SUFFIX, 'utf8').catch(() => '')).trim()) || undefined;
      let job: { state: JobView['state'] } | undefined;
      try {
        job = jobId === undefined ? undefined : engine.jobRecord(jobId);
      } catch {
        job = undefined;
      }
      const info = await stat(this.dir(area)).catch(() => undefined);
      const old = !info || now - info.mtimeMs > KEEP_MS;
      if (old && (!job || isFinished(job.state))) {
        await this.remove(area);
        log.info(`removed staging area ${area} at start: ${job ? `job ${jobId} is ${job.state}` : 'no job takes its files'}`);
        continue;
      }
      if (jobId !== undefined && job) this.linked.set(jobId, area);
      this.bytes.set(area, await sizeOf(this.dir(area)));
    }
  }

  /** The folder of one staging area. */
  dir(id: string): string {
    return join(this.dataDir, STAGING_DIR, id);
  }

  /** Reserves a staging area (the `beginStaging` command). */
  begin(): StagingArea {
    const stagingId = randomUUID();
    mkdirSync(this.dir(stagingId), { recursive: true, mode: PRIVATE_DIR_MODE });
    this.bytes.set(stagingId, 0);
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
    const size = (await stat(target)).size;
    this.bytes.set(stagingId, (this.bytes.get(stagingId) ?? 0) + size);
    return { path: target, size };
  }
}

/**
 * What the headless web host offers the engine: no dialogs, a staging area for dropped files, and
 * its HTTP API's origin once it listens (`origin()`, null before).
 */
export function webHostServices(staging: WebStaging, origin: () => string | null = () => null): HostServices {
  return { ...HEADLESS_HOST, beginStaging: () => staging.begin(), stagingUsage: () => staging.usage(), apiOrigin: origin };
}

/** Whether a job is done with its source files: completed without failures, or canceled. */
function doneWithSource(job: Pick<JobView, 'state' | 'result'>): boolean {
  return job.state === 'canceled' || (job.state === 'completed' && job.result === 'success');
}

/** Bytes in the regular files under `dir`. */
async function sizeOf(dir: string): Promise<number> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  let total = 0;
  for (const e of entries) if (e.isFile()) total += (await stat(join(e.parentPath, e.name)).catch(() => ({ size: 0 }))).size;
  return total;
}
