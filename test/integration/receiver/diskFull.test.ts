import { randomBytes } from 'node:crypto';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { canMountTmpfs, mountTmpfs, type MountedTmpfs } from '../../helpers/tmpfs';
import { finalTree, incomingNames, sha256, startReceiverFixture, type ReceiverFixture } from './receiverFixture';
import { create, head, patch, request } from './tusHttp';

/**
 * Real write failures, not mocks. Root ignores chmod, so: /dev/full (the kernel answers every
 * write with ENOSPC) behind the upload's data file, a 1 MiB tmpfs where mounting is allowed, and a
 * regular file squatting on the dataset directory for failures while filing.
 */


describe('receiver: full disk and failed writes answer 5xx and file nothing', () => {
  let fx: ReceiverFixture | undefined;
  let disk: MountedTmpfs | undefined;
  afterEach(async () => {
    await fx?.dispose();
    fx = undefined;
    disk?.release();
    disk = undefined;
  });

  it.skipIf(process.platform !== 'linux')('answers 507 when the disk reports ENOSPC (/dev/full), and recovers', async () => {
    fx = await startReceiverFixture();
    const data = Buffer.alloc(500_000, 3);
    const answer = await create(fx.receiver.url, { length: data.length, metadata: { relativePath: 'full.bin', dataset: 'ds', sha256: sha256(data) } });
    const url = answer.uploadUrl as string;
    const dataFile = path.join(fx.storageDir, '.incoming', url.split('/').pop() as string);
    await fsp.rm(dataFile);
    await fsp.symlink('/dev/full', dataFile);

    const full = await patch(url, 0, data);
    expect(full.status).toBe(507);
    expect(full.body).toMatch(/^Insufficient Storage: write\(upload \w+ from offset 0\): receiver disk is full \(ENOSPC\)/);
    expect(fx.logs.some((l) => l.startsWith('error:') && l.includes('507'))).toBe(true);
    // Still serving, and nothing reached the final tree.
    expect((await request(fx.receiver.url, { method: 'OPTIONS' })).status).toBe(204);
    expect(await finalTree(fx.storageDir)).toEqual([]);

    // Space "freed": the same upload resumes from what HEAD reports and completes.
    await fsp.rm(dataFile);
    await fsp.writeFile(dataFile, '');
    expect((await head(url)).headers['upload-offset']).toBe('0');
    expect((await patch(url, 0, data)).status).toBe(204);
    expect(await finalTree(fx.storageDir)).toEqual(['ds/full.bin']);
  });

  it.skipIf(!canMountTmpfs)('answers 507 when a real (tmpfs) disk fills up mid-upload (another program writing), and recovers', async () => {
    disk = mountTmpfs(1024 * 1024);
    // The storage folder is one folder of the disk; another program's file shares the rest.
    const root = path.join(disk.dir, 'storage');
    fx = await startReceiverFixture({ storageDir: root, freeSpaceMarginBytes: 0 });
    const data = randomBytes(700 * 1024);
    const answer = await create(fx.receiver.url, { length: data.length, metadata: { relativePath: 'huge.bin', dataset: 'ds', sha256: sha256(data) } });
    expect(answer.status).toBe(201);
    const url = answer.uploadUrl as string;
    // After the upload was admitted, something else takes most of what was free.
    await fsp.writeFile(path.join(disk.dir, 'other-program.bin'), randomBytes(600 * 1024)).catch(() => undefined);

    const statuses: number[] = [];
    let offset = 0;
    let failure = '';
    while (offset < data.length) {
      const chunk = await patch(url, offset, data.subarray(offset, offset + 128 * 1024));
      statuses.push(chunk.status);
      if (chunk.status !== 204) {
        failure = chunk.body;
        break;
      }
      offset = Number(chunk.headers['upload-offset']);
    }
    expect(statuses.at(-1)).toBe(507);
    expect(failure).toContain('receiver disk is full (ENOSPC)');
    const stored = Number((await head(url)).headers['upload-offset']);
    expect(stored).toBeGreaterThanOrEqual(offset);
    expect(stored).toBeLessThan(1024 * 1024);
    expect(await finalTree(root)).toEqual([]);

    // Terminating the stuck upload frees the space; the receiver takes new uploads again.
    expect((await request(url, { method: 'DELETE' })).status).toBe(204);
    const small = Buffer.from('fits now');
    const after = await create(fx.receiver.url, { length: small.length, metadata: { relativePath: 'small.txt', dataset: 'ds', sha256: sha256(small) }, body: small });
    expect(after.status).toBe(201);
    expect(await finalTree(root)).toEqual(['ds/small.txt']);
  });

  it('answers 500 naming the cause when filing fails, keeps the data, and files it on a later HEAD', async () => {
    fx = await startReceiverFixture();
    // A regular file where the dataset directory must go: mkdir fails, even for root.
    await fsp.writeFile(path.join(fx.storageDir, 'ds'), 'in the way');
    const data = Buffer.from('payload that cannot be filed yet');
    const answer = await create(fx.receiver.url, { length: data.length, metadata: { relativePath: 'sub/x.bin', dataset: 'ds', sha256: sha256(data) } });
    const url = answer.uploadUrl as string;
    const id = url.split('/').pop() as string;

    const failed = await patch(url, 0, data);
    expect(failed.status).toBe(500);
    expect(failed.body).toMatch(/^file\(upload \w+ \(ds\/sub\/x\.bin\)\): .*(EEXIST|ENOTDIR)/);
    expect(await finalTree(fx.storageDir)).toEqual(['ds']);
    expect(await incomingNames(fx.storageDir)).toEqual([id, `${id}.json`]);
    // While the cause persists, HEAD does not claim the upload is done.
    expect((await head(url)).status).toBe(500);

    await fsp.rm(path.join(fx.storageDir, 'ds'));
    const healed = await head(url);
    expect(healed.status).toBe(200);
    expect(healed.headers['upload-offset']).toBe(String(data.length));
    expect(await fsp.readFile(path.join(fx.storageDir, 'ds/sub/x.bin'), 'utf8')).toBe(data.toString());
    expect(await incomingNames(fx.storageDir)).toEqual([`${id}.json`]);
  });
});
