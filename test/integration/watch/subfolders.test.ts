import { randomBytes } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dispatchCommand } from '../../../main/engine/api/dispatch';
import type { DestinationInput } from '../../../shared/destinations';
import { fromWireError } from '../../../shared/errors';
import { waitForJob } from '../../helpers/engineFixture';
import { sha256Of } from '../../helpers/servicesFixture';
import { makeTmpDir } from '../../helpers/tmpDir';
import { startS3Server } from '../upload/fixtures/s3Server';
import { startTusServer } from '../upload/fixtures/tusServer';
import { findBySha, finished, idle, jobFiles, saveRule, waitForStatus, watchFixture, watching, type WatchFixture } from './watchFixture';

/** Where a destination kind put a dataset's file: the SHA-256 stored for `dataset/rel`, or undefined. */
type Stored = (dataset: string, rel: string) => Promise<string | undefined>;

async function addDestination(fx: WatchFixture, input: DestinationInput): Promise<string> {
  const res = await dispatchCommand(fx.engine, 'saveDestination', input);
  if (!res.ok) throw fromWireError(res.error);
  return (res.value as { id: string }).id;
}

/** One destination of each kind, on real servers and folders, and how to read back what it stored. */
const DESTINATIONS: Record<string, (fx: WatchFixture) => Promise<{ id?: string; stored: Stored }>> = {
  receiver: async (fx) => ({
    stored: async (dataset, rel) => {
      const path = join(fx.ferry.dataDir, 'received', dataset, rel);
      return existsSync(path) ? sha256Of(path) : undefined;
    },
  }),
  folder: async (fx) => {
    const dest = makeTmpDir('ferry-watch-dest');
    fx.defer(dest.cleanup);
    const id = await addDestination(fx, { name: 'Share', kind: 'folder', config: { path: dest.dir } });
    return {
      id,
      stored: async (dataset, rel) => {
        const path = join(dest.dir, dataset, rel);
        return existsSync(path) ? sha256Of(path) : undefined;
      },
    };
  },
  s3: async (fx) => {
    const dir = makeTmpDir('ferry-watch-s3');
    fx.defer(dir.cleanup);
    const s3 = await startS3Server(dir.dir);
    fx.defer(s3.close);
    const config = { endpoint: s3.endpoint, bucket: s3.bucket, prefix: 'in/', accessKeyId: 'S3RVER', forcePathStyle: true };
    const id = await addDestination(fx, { name: 'Bucket', kind: 's3', config, secret: { secretAccessKey: 'S3RVER' } });
    return { id, stored: (dataset, rel) => s3.objectSha256(`in/${dataset}/${rel}`).catch(() => undefined) };
  },
  tus: async (fx) => {
    const dir = makeTmpDir('ferry-watch-tus');
    fx.defer(dir.cleanup);
    const tusd = await startTusServer(dir.dir);
    fx.defer(tusd.close);
    const id = await addDestination(fx, { name: 'tusd', kind: 'tus', config: { endpoint: tusd.endpoint } });
    // A plain tus server keeps each upload under an id; its metadata says where the file belongs.
    return {
      id,
      stored: async (dataset, rel) => {
        for (const name of readdirSync(dir.dir).filter((n) => n.endsWith('.json'))) {
          const { metadata } = JSON.parse(readFileSync(join(dir.dir, name), 'utf8')) as { metadata: Record<string, string> };
          if (metadata.dataset === dataset && metadata.relativePath === rel) return sha256Of(join(dir.dir, name.slice(0, -'.json'.length)));
        }
        return undefined;
      },
    };
  },
};

describe('watched folders: files keep their place below the watched folder', () => {
  it.each(Object.keys(DESTINATIONS))('a file in a subfolder lands at the same place in the dataset (%s)', async (kind) => {
    const fx = await watchFixture();
    const dest = await DESTINATIONS[kind]!(fx);
    const rule = await saveRule(fx.engine, { name: 'Nested', path: fx.src, ...(dest.id ? { destinationId: dest.id } : {}) });
    await waitForStatus(fx.engine, rule.id, watching);
    mkdirSync(join(fx.src, 'a', 'b'), { recursive: true });
    writeFileSync(join(fx.src, 'a', 'b', 'c.tif'), randomBytes(70_000));
    writeFileSync(join(fx.src, 'top.tif'), randomBytes(1000));

    const job = await fx.jobs.next();
    expect(await waitForJob(fx.engine, job.id, finished)).toMatchObject({ state: 'completed', result: 'success' });
    const dataset = basename(fx.src);
    expect(job.name).toBe(dataset);
    expect(jobFiles(fx.engine, job.id).map((f) => f.relativePath)).toEqual(['a/b/c.tif', 'top.tif']);
    expect(await dest.stored(dataset, 'a/b/c.tif')).toBe(sha256Of(join(fx.src, 'a', 'b', 'c.tif')));
    expect(await dest.stored(dataset, 'top.tif')).toBe(sha256Of(join(fx.src, 'top.tif')));
    expect(await dest.stored(dataset, 'c.tif')).toBeUndefined();
    await waitForStatus(fx.engine, rule.id, (s) => idle(s) && s.uploaded === 2);
  });

  it('does not send a nested file again after a restart, and sends it to the same place once it changes', async () => {
    const fx = await watchFixture();
    const nested = join(fx.src, 'day-1', 'sample-4', 'scan.raw');
    mkdirSync(join(fx.src, 'day-1', 'sample-4'), { recursive: true });
    writeFileSync(nested, randomBytes(40_000));
    writeFileSync(join(fx.src, 'day-1', 'notes.txt'), 'calibrated');
    const rule = await saveRule(fx.engine, { name: 'Days', path: fx.src });
    const first = await fx.jobs.next();
    await waitForJob(fx.engine, first.id, finished);
    await waitForStatus(fx.engine, rule.id, (s) => idle(s) && s.uploaded === 2);

    await fx.restart();
    // Idle after the first scan with nothing waiting: the ledger recognised both files.
    await waitForStatus(fx.engine, rule.id, (s) => idle(s) && s.filesSeen === 2 && s.uploaded === 2);
    expect(fx.jobs.jobs()).toHaveLength(0);

    appendFileSync(nested, randomBytes(500));
    const second = await fx.jobs.next();
    await waitForJob(fx.engine, second.id, finished);
    expect(jobFiles(fx.engine, second.id)).toMatchObject([{ relativePath: 'day-1/sample-4/scan.raw', state: 'done', sha256: sha256Of(nested) }]);
    // The receiver keeps both versions side by side (a changed file gets a ` (n)` suffix).
    const folder = join(fx.ferry.dataDir, 'received', basename(fx.src), 'day-1', 'sample-4');
    expect(findBySha(folder, sha256Of(nested))).toHaveLength(1);
    await waitForStatus(fx.engine, rule.id, (s) => idle(s) && s.uploaded === 2);
    expect(fx.jobs.jobs()).toHaveLength(1);
  });
});
