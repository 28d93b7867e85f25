import { openSync, readSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTmpDir, type TmpDir } from '../helpers/tmpDir';
import { KiB, makeDataset, MiB, SEED } from './support/dataset';
import { addDestination, compareLanded, type Destination, type Kind } from './support/destinations';
import { Instance } from './support/instance';

/**
 * The README's promise "verifies every byte": a verify job establishes the SHA-256 of what the
 * destination stores. A byte damaged at the destination after the upload (same size) must make
 * it fail, on every destination kind; an intact dataset verifies.
 */

const KINDS: Kind[] = ['receiver', 'tus', 's3', 'folder'];

/** Inverts one byte of a stored file in place: the size stays, the content does not. */
function damage(file: string, at: number): void {
  const fd = openSync(file, 'r+');
  try {
    const byte = Buffer.alloc(1);
    readSync(fd, byte, 0, 1, at);
    byte[0] = byte[0]! ^ 0xff;
    writeSync(fd, byte, 0, 1, at);
  } finally {
    closeSync(fd);
  }
}

let tmp: TmpDir;
let instance: Instance;
const destinations = new Map<Kind, Destination>();

beforeAll(async () => {
  tmp = makeTmpDir('ferry-acc-verify');
  instance = new Instance(join(tmp.dir, 'data'));
  await instance.start();
  for (const kind of KINDS) destinations.set(kind, await addDestination(instance, kind, tmp.dir));
});
afterAll(async () => {
  await instance?.stop();
  for (const d of destinations.values()) await d.close();
  await tmp?.cleanup();
});

describe.each(KINDS)('verify on %s', (kind) => {
  it('an intact dataset verifies; one byte damaged at the destination fails the verify job', async () => {
    const dest = destinations.get(kind)!;
    const name = `verify-${kind}`;
    // Larger than one S3 part, so a multipart object is verified too.
    const source = makeDataset(join(tmp.dir, 'src'), name, [12 * MiB + 9, 100 * KiB], SEED + 40 + KINDS.indexOf(kind));
    const upload = await instance.call('createUpload', { paths: [source.dir], destinationId: dest.id, name });
    expect((await instance.waitForJob(upload.id)).state).toBe('completed');
    expect(compareLanded(source.files, await dest.landed(name))).toEqual([]);

    const intact = await instance.call('createVerifyJob', { sourceJobId: upload.id });
    const verified = await instance.waitForJob(intact.id);
    expect(verified.state, `${kind}: verify of an intact dataset: ${verified.error}`).toBe('completed');

    const stored = dest.storedFile(name, 'file-0.bin');
    expect(stored, `${kind}: where file-0.bin is stored`).not.toBeNull();
    damage(stored!, 7 * MiB + 3);
    const damaged = await instance.call('createVerifyJob', { sourceJobId: upload.id });
    const ended = await instance.waitForJob(damaged.id);
    expect(ended.state, `${kind}: verify after one byte of file-0.bin was damaged at the destination`).toBe('failed');
    expect(ended.error ?? '').toMatch(/file-0\.bin|1 of 2/);
  });
});
