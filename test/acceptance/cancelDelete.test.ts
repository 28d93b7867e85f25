import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTmpDir, type TmpDir } from '../helpers/tmpDir';
import { KiB, makeDataset, MiB, SEED } from './support/dataset';
import { addDestination, type Destination, type Kind } from './support/destinations';
import { CallError, Instance } from './support/instance';

/**
 * Cancel and delete, as a user does them (API and CLI): a canceled upload leaves no partial upload
 * at its destination, and `ferry delete <id> --files` leaves nothing of the dataset there.
 */

const KINDS: Kind[] = ['receiver', 'tus', 's3', 'folder'];
/** Slow enough that a large file is still in flight when it is canceled. */
const BANDWIDTH = 4 * MiB;

/** Polls an observation of the destination until it holds (discarding runs after the cancel). */
async function until<T>(what: string, observe: () => Promise<T>, holds: (value: T) => boolean, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await observe();
    if (holds(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(value)} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

let tmp: TmpDir;
let instance: Instance;
const destinations = new Map<Kind, Destination>();

beforeAll(async () => {
  tmp = makeTmpDir('ferry-acc-cancel');
  instance = new Instance(`${tmp.dir}/data`);
  await instance.start();
  for (const kind of KINDS) destinations.set(kind, await addDestination(instance, kind, tmp.dir));
});
afterAll(async () => {
  await instance?.stop();
  for (const d of destinations.values()) await d.close();
  await tmp?.cleanup();
});

describe.each(KINDS)('cancel and delete on %s', (kind) => {
  it('cancel mid-upload leaves no partial upload at the destination', async () => {
    const dest = destinations.get(kind)!;
    const name = `cancel-${kind}`;
    const source = makeDataset(`${tmp.dir}/src`, name, [48 * MiB + 5, 200 * KiB, 9], SEED + KINDS.indexOf(kind));
    await instance.call('updateSettings', { bandwidthLimit: BANDWIDTH });
    try {
      const job = await instance.call('createUpload', { paths: [source.dir], destinationId: dest.id, name });
      await instance.waitForJob(job.id, (j) => j.done >= 2 * MiB || (j.state !== 'running' && j.state !== 'queued'));
      // The large file is in flight: its partial upload exists at the destination.
      await until(`${kind}: a partial upload while the job runs`, () => dest.leftovers(name), (l) => l.length > 0);
      const canceled = await instance.call('cancelJob', { id: job.id });
      expect(['canceled', 'running']).toContain(canceled.state);
      await instance.waitForJob(job.id, (j) => j.state === 'canceled');
      await until(`${kind}: partial uploads after the cancel`, () => dest.leftovers(name), (l) => l.length === 0);
    } finally {
      await instance.call('updateSettings', { bandwidthLimit: 0 });
    }
  });

  it('ferry delete <id> --files leaves nothing of the dataset at the destination', async () => {
    const dest = destinations.get(kind)!;
    const name = `delete-${kind}`;
    const source = makeDataset(`${tmp.dir}/src`, name, [6 * MiB + 1, 300 * KiB, 20 * KiB, 3], SEED + 10 + KINDS.indexOf(kind));
    const job = await instance.call('createUpload', { paths: [source.dir], destinationId: dest.id, name });
    expect((await instance.waitForJob(job.id)).state).toBe('completed');
    expect((await dest.landed(name)).size, `${kind}: the dataset landed before the delete`).toBeGreaterThan(source.files.size);

    const run = await instance.cli(['delete', String(job.id), '--files']);
    expect(run, `${kind}: ferry delete --files`).toMatchObject({ code: 0 });
    const gone = await instance.call('getJob', { id: job.id }).then(
      () => 'still there',
      (err: unknown) => (err instanceof CallError ? err.code : String(err)),
    );
    expect(gone).toBe('NOT_FOUND');
    await until(`${kind}: files of the deleted dataset`, async () => [...(await dest.landed(name)).keys()], (files) => files.length === 0);
    expect(await dest.leftovers(name)).toEqual([]);
  });
});
