import fsp from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { finalTree, incomingNames, sha256, sha256OfFile, startReceiverFixture, writeRandomFile, type ReceiverFixture } from './receiverFixture';
import { create, head, patch, uploadResumable } from './tusHttp';

describe('receiver: SHA-256 verification and duplicates', () => {
  let fx: ReceiverFixture;
  beforeEach(async () => {
    fx = await startReceiverFixture();
  });
  afterEach(async () => {
    await fx.dispose();
  });

  it('refuses a checksum mismatch with 460, files nothing and discards the data', async () => {
    const data = Buffer.alloc(300_000, 7);
    const answer = await create(fx.receiver.url, {
      length: data.length,
      metadata: { relativePath: 'bad.bin', dataset: 'ds', sha256: sha256('something else') },
    });
    const url = answer.uploadUrl as string;
    expect((await patch(url, 0, data.subarray(0, 100_000))).status).toBe(204);
    const last = await patch(url, 100_000, data.subarray(100_000));
    expect(last.status).toBe(460);
    expect(last.body).toMatch(/^Checksum Mismatch: .*expected sha256 [0-9a-f]{64}, received [0-9a-f]{64}/);
    expect(last.body).toContain(sha256(data));

    expect(await finalTree(fx.storageDir)).toEqual([]);
    expect(await incomingNames(fx.storageDir)).toEqual([]);
    // Gone for good: the client must create the upload anew rather than resume the bad bytes.
    expect((await head(url)).status).toBe(404);
    expect(fx.logs.some((l) => l.startsWith('warn:') && l.includes('sha256 mismatch'))).toBe(true);

    // The honest retry goes through.
    const retry = await create(fx.receiver.url, {
      length: data.length,
      metadata: { relativePath: 'bad.bin', dataset: 'ds', sha256: sha256(data) },
      body: data,
    });
    expect(retry.status).toBe(201);
    expect(await finalTree(fx.storageDir)).toEqual(['ds/bad.bin']);
  });

  it('drops an identical re-upload and keeps a different one next to the first as "name (1).ext"', async () => {
    const first = await writeRandomFile(fx.srcDir, 'one.tif', 50_000);
    const second = await writeRandomFile(fx.srcDir, 'two.tif', 50_000);
    const meta = (sha: string) => ({ relativePath: 'run/img 001.tif', dataset: 'ds', sha256: sha });

    const a = await uploadResumable(fx.receiver.url, first.file, meta(first.sha256), { chunkSize: 20_000 });
    expect(a.last.headers['ferry-duplicate']).toBe('0');
    const again = await uploadResumable(fx.receiver.url, first.file, meta(first.sha256), { chunkSize: 20_000 });
    expect(again.last.status).toBe(204);
    expect(again.last.headers['ferry-duplicate']).toBe('1');
    expect(decodeURIComponent(String(again.last.headers['ferry-stored-as']))).toBe('ds/run/img 001.tif');

    const b = await uploadResumable(fx.receiver.url, second.file, meta(second.sha256), { chunkSize: 20_000 });
    expect(decodeURIComponent(String(b.last.headers['ferry-stored-as']))).toBe('ds/run/img 001 (1).tif');
    // The same different content again matches the suffixed copy, not a third one.
    const bAgain = await uploadResumable(fx.receiver.url, second.file, meta(second.sha256), { chunkSize: 20_000 });
    expect(bAgain.last.headers['ferry-duplicate']).toBe('1');
    expect(decodeURIComponent(String(bAgain.last.headers['ferry-stored-as']))).toBe('ds/run/img 001 (1).tif');

    expect(await finalTree(fx.storageDir)).toEqual(['ds/run/img 001 (1).tif', 'ds/run/img 001.tif']);
    expect(await sha256OfFile(path.join(fx.storageDir, 'ds/run/img 001.tif'))).toBe(first.sha256);
    expect(await sha256OfFile(path.join(fx.storageDir, 'ds/run/img 001 (1).tif'))).toBe(second.sha256);
    // Dropped duplicates leave no data behind in .incoming either.
    expect((await incomingNames(fx.storageDir)).every((n) => n.endsWith('.json'))).toBe(true);
  });

  it('keeps every file when different uploads to the same path finish at the same moment', async () => {
    const bodies = Array.from({ length: 6 }, (_, i) => Buffer.alloc(10_000 + i, i + 1));
    const created = await Promise.all(
      bodies.map((body) =>
        create(fx.receiver.url, { length: body.length, metadata: { relativePath: 'same.bin', dataset: 'ds', sha256: sha256(body) } }),
      ),
    );
    const answers = await Promise.all(created.map((c, i) => patch(c.uploadUrl as string, 0, bodies[i] as Buffer)));
    expect(answers.map((a) => a.status)).toEqual(bodies.map(() => 204));
    const tree = await finalTree(fx.storageDir);
    expect(tree).toHaveLength(bodies.length);
    const hashes = await Promise.all(tree.map((p) => sha256OfFile(path.join(fx.storageDir, p))));
    expect(new Set(hashes)).toEqual(new Set(bodies.map((b) => sha256(b))));
  });

  it('never exposes a partial file in the final tree while an upload is in progress', async () => {
    const answer = await create(fx.receiver.url, { length: 1000, metadata: { relativePath: 'p.bin', dataset: 'ds' } });
    expect((await patch(answer.uploadUrl as string, 0, Buffer.alloc(999))).status).toBe(204);
    expect(await finalTree(fx.storageDir)).toEqual([]);
    await expect(fsp.stat(path.join(fx.storageDir, 'ds'))).rejects.toThrow();
  });
});
