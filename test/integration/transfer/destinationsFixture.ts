import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListMultipartUploadsCommand } from '@aws-sdk/client-s3';
import { dispatchCommand } from '../../../main/engine/api/dispatch';
import type { Engine } from '../../../main/engine/engine';
import { globalThrottle } from '../../../main/engine/upload/throttle';
import { startReceiver } from '../../../main/receiver/receiver';
import type { JobView } from '../../../shared/model';
import { startEngine, waitForJob } from '../../helpers/engineFixture';
import { writeSeededFile } from '../../helpers/seededRandom';
import { makeTmpDir } from '../../helpers/tmpDir';
import { startS3Server } from '../upload/fixtures/s3Server';
import { startTusServer } from '../upload/fixtures/tusServer';

/**
 * An engine with one destination of each kind, each a real server (or folder) on this computer,
 * and ways to look at what the destination holds through its own storage, never Ferry's records.
 */

export type DestinationKind = 'folder' | 'receiver' | 'tus' | 's3';
export const DESTINATION_KINDS: DestinationKind[] = ['folder', 'receiver', 'tus', 's3'];

export interface DestinationUnderTest {
  engine: Engine;
  dataDir: string;
  /** undefined: the built-in receiver (the default destination). */
  destinationId: string | undefined;
  /** Unfinished uploads the destination holds, as its storage shows them. */
  partials(): Promise<string[]>;
  /** Finished files of a dataset, as its storage shows them ('/'-separated, sorted). */
  landed(dataset: string): Promise<string[]>;
}

const S3RVER_OBJECT = '._S3rver_object';
const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };

/** Every regular file under `root` ('/'-separated, sorted); none when it does not exist. */
export function tree(root: string): string[] {
  let entries;
  try {
    entries = readdirSync(root, { recursive: true, withFileTypes: true });
  } catch {
    return [];
  }
  return entries
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(root.length + 1))
    .sort();
}

/** Starts the destination and an engine that knows it; `cleanups` undo both (newest first). */
export async function startDestination(
  kind: DestinationKind,
  cleanups: (() => Promise<void> | void)[],
  options: { tusTermination?: boolean } = {},
): Promise<DestinationUnderTest> {
  const storage = makeTmpDir(`ferry-${kind}-dest-`);
  cleanups.push(storage.cleanup);
  // The bandwidth limit some tests set is process-wide: leave it as the next test expects it.
  cleanups.push(() => globalThrottle.setRate(0));
  const save = async (engine: Engine, input: Record<string, unknown>): Promise<string> => {
    const saved = await dispatchCommand(engine, 'saveDestination', input);
    if (!saved.ok) throw new Error(JSON.stringify(saved.error));
    return (saved.value as { id: string }).id;
  };
  switch (kind) {
    case 'folder': {
      const ferry = startEngine();
      cleanups.push(ferry.dispose);
      const destinationId = await save(ferry.engine, { name: 'Share', kind: 'folder', config: { path: storage.dir } });
      return {
        engine: ferry.engine,
        dataDir: ferry.dataDir,
        destinationId,
        partials: async () => tree(storage.dir).filter((p) => p.endsWith('.ferry-part')),
        landed: async (dataset) => tree(join(storage.dir, dataset)),
      };
    }
    case 'receiver': {
      const receiver = await startReceiver({ storageDir: storage.dir, logger: silent });
      cleanups.push(() => receiver.close());
      const ferry = startEngine({ receiverUrl: `http://127.0.0.1:${receiver.port}/files/`, receiverDir: storage.dir });
      cleanups.push(ferry.dispose);
      return {
        engine: ferry.engine,
        dataDir: ferry.dataDir,
        destinationId: undefined,
        partials: async () => tree(join(storage.dir, '.incoming')),
        landed: async (dataset) => tree(join(storage.dir, dataset)),
      };
    }
    case 'tus': {
      const tus = await startTusServer(storage.dir, { termination: options.tusTermination ?? true });
      cleanups.push(() => tus.close());
      const ferry = startEngine();
      cleanups.push(ferry.dispose);
      const destinationId = await save(ferry.engine, { name: 'Lab tus', kind: 'tus', config: { endpoint: tus.endpoint, chunkSizeMiB: 1 } });
      return {
        engine: ferry.engine,
        dataDir: ferry.dataDir,
        destinationId,
        // @tus/server's FileStore keeps every upload (finished or not) as `<id>` and `<id>.json`.
        partials: async () => (await readdir(storage.dir)).sort(),
        landed: async () => (await readdir(storage.dir)).filter((f) => !f.endsWith('.json')).sort(),
      };
    }
    case 's3': {
      const s3 = await startS3Server(storage.dir);
      cleanups.push(() => s3.close());
      const ferry = startEngine();
      cleanups.push(ferry.dispose);
      const config = { endpoint: s3.endpoint, bucket: s3.bucket, accessKeyId: 'S3RVER', forcePathStyle: true, partSizeMiB: 5, parallelParts: 2 };
      const destinationId = await save(ferry.engine, { name: 'Bucket', kind: 's3', config, secret: { secretAccessKey: 'S3RVER' } });
      return {
        engine: ferry.engine,
        dataDir: ferry.dataDir,
        destinationId,
        partials: async () => {
          // What S3 itself lists, and what s3rver keeps on disk for open multipart uploads.
          const listed = await s3.client.send(new ListMultipartUploadsCommand({ Bucket: s3.bucket }));
          const onDisk = await readdir(join(storage.dir, s3.bucket, '._S3rver_uploads')).catch(() => [] as string[]);
          return [...(listed.Uploads ?? []).map((u) => `listed ${u.Key} ${u.UploadId}`), ...onDisk.map((d) => `on disk ${d}`)];
        },
        // s3rver keeps an object as `<bucket>/<key>._S3rver_object` beside its metadata.
        landed: async (dataset) =>
          tree(join(storage.dir, s3.bucket, dataset))
            .filter((f) => f.endsWith(S3RVER_OBJECT))
            .map((f) => f.slice(0, -S3RVER_OBJECT.length)),
      };
    }
  }
}

/** Creates an upload job through the command table (as every client does) and answers its id. */
export async function createUpload(engine: Engine, body: Record<string, unknown>): Promise<number> {
  const res = await dispatchCommand(engine, 'createUpload', body);
  if (!res.ok) throw new Error(JSON.stringify(res.error));
  return (res.value as JobView).id;
}

export const isFinished = (j: JobView): boolean => j.state === 'completed' || j.state === 'failed' || j.state === 'canceled';

/** A finished job whose log is sealed and whose runner (and any discard) is over. */
export const settled = (engine: Engine, id: number) => (j: JobView) => isFinished(j) && engine.services.jobs.isDone(id);

/** Resolves once some file of the job is part-way: its upload exists at the destination and bytes went out. */
export function partWay(engine: Engine, id: number, timeoutMs = 30_000): Promise<JobView> {
  return waitForJob(engine, id, (j) => j.state === 'running' && j.done > 0 && engine.services.items.page(id, 0, 1000).some((it) => it.state !== 'done' && it.session !== null), timeoutMs);
}

/** Files of seeded bytes (each file its own seed from `firstSeed` on, so every block differs) in a fresh folder removed by `cleanups`. */
export function seededSource(cleanups: (() => Promise<void> | void)[], files: Record<string, number>, firstSeed: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-transfer-src-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  let seed = firstSeed;
  for (const [name, size] of Object.entries(files)) writeSeededFile(join(dir, name), size, seed++);
  return dir;
}
