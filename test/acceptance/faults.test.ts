import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RequestFault } from '../helpers/httpFaultProxy';
import { makeTmpDir, type TmpDir } from '../helpers/tmpDir';
import { FULL, KiB, makeDataset, MiB, SEED } from './support/dataset';
import { addDestination, compareLanded, NETWORK_KINDS, type Destination } from './support/destinations';
import { finished, Instance } from './support/instance';

/**
 * Network faults between `ferry serve` (default settings) and each network destination; what
 * landed is read back from the server's own storage and must be the source, byte for byte.
 */

/** A file of several S3 parts (5 MiB) or tus chunks (1 MiB), and small files sent in batches. */
const SIZES = FULL ? [96 * MiB, 40 * MiB, 300 * KiB, 2 * MiB + 17, 5, 64 * KiB] : [26 * MiB + 123, 7 * MiB, 300 * KiB, 2 * MiB + 17, 5, 64 * KiB];

/** Requests that carry file bytes: tus creation and PATCH, S3 UploadPart and PutObject. */
const writes = ({ method }: { method: string; url: string }) => method === 'PATCH' || method === 'PUT' || method === 'POST';
const dataWrites = ({ method, url }: { method: string; url: string }) => method === 'PATCH' || (method === 'PUT' && /[?&]partNumber=/.test(url));

const totalFired = (dest: Destination) => [...dest.http!.fired().values()].reduce((a, b) => a + b, 0);

describe.each(NETWORK_KINDS)('faults between Ferry and %s', (kind) => {
  let tmp: TmpDir;
  let instance: Instance;
  let dest: Destination;
  let n = 0;

  beforeAll(async () => {
    tmp = makeTmpDir(`ferry-acc-faults-${kind}`);
    instance = new Instance(`${tmp.dir}/data`);
    await instance.start();
    dest = await addDestination(instance, kind, tmp.dir);
  });
  afterAll(async () => {
    await instance?.stop();
    await dest?.close();
    await tmp?.cleanup();
  });

  /** Uploads a fresh seeded dataset with the faults in force; answers the job and the problems with what landed. */
  async function uploadThrough(setFaults: () => void, whilePolling?: () => void) {
    const name = `ds-${kind}-${++n}`;
    const source = makeDataset(`${tmp.dir}/src`, name, SIZES, SEED + n);
    const mismatchesBefore = dest.s3?.checksumMismatches().length ?? 0;
    setFaults();
    const created = await instance.call('createUpload', { paths: [source.dir], destinationId: dest.id, name });
    const job = await instance.waitForJob(created.id, (j) => {
      whilePolling?.();
      return finished(j);
    }, FULL ? 900_000 : 240_000);
    dest.tcp!.setFaults({});
    dest.http!.setFaults([]);
    const where = `${kind}, seed ${SEED}: ${JSON.stringify({ state: job.state, error: job.error })}`;
    return {
      job,
      where,
      problems: compareLanded(source.files, await dest.landed(name)),
      leftovers: await dest.leftovers(name),
      // Parts whose bytes did not match the checksum they were sent with (refused by the shim).
      badParts: dest.s3?.checksumMismatches().slice(mismatchesBefore) ?? [],
    };
  }

  it('the same part or chunk failing three and more times in a row still lands byte for byte', async () => {
    // Three different parts each reset mid-body several times in a row, while the others go on.
    const faults: RequestFault[] = [3, 4, 3].map((times) => ({ match: dataWrites, times, action: { resetAfterBodyBytes: 100 * KiB } }));
    const { job, where, problems, leftovers, badParts } = await uploadThrough(() => dest.http!.setFaults(faults));
    const repeated = [...dest.http!.fired().values()].filter((count) => count >= 3);
    expect(repeated.length, `${where}: faults fired ${JSON.stringify([...dest.http!.fired()])}`).toBeGreaterThanOrEqual(1);
    expect(job.state, where).toBe('completed');
    expect(problems, where).toEqual([]);
    expect(leftovers, where).toEqual([]);
    expect(badParts, where).toEqual([]);
  });

  it('connections reset at random offsets, with stalls on the way, still land byte for byte', async () => {
    // A reset every ~2 MiB on average, until four happened (so there are resets whatever the
    // traffic, and not so many that the retries run out); stalls on every chunk throughout.
    const before = dest.tcp!.stats().resets;
    const { job, where, problems, leftovers, badParts } = await uploadThrough(
      () => dest.tcp!.setFaults({ resetProbability: 0.03, stallMs: 5 }),
      () => {
        if (dest.tcp!.stats().resets - before >= 4) dest.tcp!.setFaults({ stallMs: 5 });
      },
    );
    expect(dest.tcp!.stats().resets - before, `${where}: no connection was reset`).toBeGreaterThan(0);
    expect(job.state, where).toBe('completed');
    expect(problems, where).toEqual([]);
    expect(leftovers, where).toEqual([]);
    expect(badParts, where).toEqual([]);
  });

  it('a server answering 5xx for a while still gets every byte', async () => {
    const faults: RequestFault[] = [
      { match: writes, times: 3, action: { status: 503 } },
      { match: writes, times: 3, action: { status: 500 } },
      { match: dataWrites, times: 4, action: { status: 502 } },
    ];
    const firedBefore = totalFired(dest);
    const { job, where, problems, leftovers, badParts } = await uploadThrough(() => dest.http!.setFaults(faults));
    expect(totalFired(dest) - firedBefore, where).toBeGreaterThanOrEqual(6);
    expect(job.state, where).toBe('completed');
    expect(problems, where).toEqual([]);
    expect(leftovers, where).toEqual([]);
    expect(badParts, where).toEqual([]);
  });
});
