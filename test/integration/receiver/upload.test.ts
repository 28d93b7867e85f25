import fsp from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { finalTree, incomingNames, sha256, sha256OfFile, startReceiverFixture, writeRandomFile, type ReceiverFixture } from './receiverFixture';
import { create, head, patch, request, uploadResumable } from './tusHttp';

describe('receiver: tus uploads land verified in <dataset>/<relativePath>', () => {
  let fx: ReceiverFixture;
  beforeEach(async () => {
    fx = await startReceiverFixture();
  });
  afterEach(async () => {
    await fx.dispose();
  });

  it('answers OPTIONS with tus 1.0 and the store extensions, expiration included', async () => {
    const answer = await request(fx.receiver.url, { method: 'OPTIONS' });
    expect(answer.status).toBe(204);
    expect(answer.headers['tus-version']).toBe('1.0.0');
    const extensions = String(answer.headers['tus-extension']).split(',');
    expect(extensions).toEqual(expect.arrayContaining(['creation', 'creation-with-upload', 'termination', 'expiration']));
    expect(fx.receiver.url).toBe(`http://127.0.0.1:${fx.receiver.port}/files/`);
  });

  it('creates, PATCHes in chunks and files the verified file; HEAD then reports it complete', async () => {
    const src = await writeRandomFile(fx.srcDir, 'a.bin', 3 * 1024 * 1024 + 17);
    const meta = { filename: 'a.bin', relativePath: 'run1/a.bin', dataset: 'ds1', sha256: src.sha256 };
    const progress: number[] = [];
    const result = await uploadResumable(fx.receiver.url, src.file, meta, {
      chunkSize: 1024 * 1024,
      onProgress: (o) => progress.push(o),
    });
    expect(progress).toEqual([1, 2, 3].map((n) => n * 1024 * 1024).concat(3 * 1024 * 1024 + 17));
    expect(result.last.status).toBe(204);
    expect(result.last.headers['ferry-sha256']).toBe(src.sha256);
    expect(decodeURIComponent(String(result.last.headers['ferry-stored-as']))).toBe('ds1/run1/a.bin');
    expect(await finalTree(fx.storageDir)).toEqual(['ds1/run1/a.bin']);
    expect(await sha256OfFile(path.join(fx.storageDir, 'ds1/run1/a.bin'))).toBe(src.sha256);

    // The data left .incoming; only the record stays, as a tombstone that HEAD reads.
    const id = result.uploadUrl.split('/').pop() as string;
    expect(await incomingNames(fx.storageDir)).toEqual([`${id}.json`]);
    const after = await head(result.uploadUrl);
    expect(after.status).toBe(200);
    expect(after.headers['upload-offset']).toBe(String(3 * 1024 * 1024 + 17));
    expect(after.headers['upload-length']).toBe(String(3 * 1024 * 1024 + 17));
    // Termination of a filed upload is refused, and the filed file stays.
    const del = await request(result.uploadUrl, { method: 'DELETE' });
    expect(del.status).toBe(400);
    expect(await finalTree(fx.storageDir)).toEqual(['ds1/run1/a.bin']);
  });

  it('files a 0-byte file at creation', async () => {
    const answer = await create(fx.receiver.url, {
      length: 0,
      metadata: { relativePath: 'empty.dat', dataset: 'ds', sha256: sha256('') },
    });
    expect(answer.status).toBe(201);
    const stat = await fsp.stat(path.join(fx.storageDir, 'ds/empty.dat'));
    expect(stat.size).toBe(0);
    expect((await head(answer.uploadUrl as string)).headers['upload-offset']).toBe('0');
  });

  it('accepts creation-with-upload (the whole small file in the POST)', async () => {
    const body = Buffer.from('hello, ferry\n');
    const answer = await create(fx.receiver.url, {
      length: body.length,
      metadata: { relativePath: 'small.txt', dataset: 'ds', sha256: sha256(body) },
      body,
    });
    expect(answer.status).toBe(201);
    expect(answer.headers['upload-offset']).toBe(String(body.length));
    expect(await fsp.readFile(path.join(fx.storageDir, 'ds/small.txt'), 'utf8')).toBe('hello, ferry\n');
  });

  it('keeps unicode and spaces in dataset and file names', async () => {
    const src = await writeRandomFile(fx.srcDir, 'x.tif', 4096);
    const relativePath = 'Prüfung 2024/img 001 – 東京 ✓.tif';
    const dataset = 'Δ dataset (β)';
    await uploadResumable(fx.receiver.url, src.file, { relativePath, dataset, sha256: src.sha256 }, { chunkSize: 1000 });
    expect(await finalTree(fx.storageDir)).toEqual([`${dataset}/${relativePath}`]);
    expect(await sha256OfFile(path.join(fx.storageDir, dataset, relativePath))).toBe(src.sha256);
  });

  it('files without a sha256 (plain tus clients) and with only `filename`', async () => {
    const body = Buffer.from('no checksum');
    const answer = await create(fx.receiver.url, { length: body.length, metadata: { filename: 'plain.txt' } });
    expect(answer.status).toBe(201);
    expect((await patch(answer.uploadUrl as string, 0, body)).status).toBe(204);
    expect(await finalTree(fx.storageDir)).toEqual(['plain.txt']);
  });

  it('answers 409 to a PATCH at the wrong offset without touching the data', async () => {
    const answer = await create(fx.receiver.url, { length: 10, metadata: { relativePath: 'o.bin', dataset: 'ds' } });
    const url = answer.uploadUrl as string;
    expect((await patch(url, 0, Buffer.from('12345'))).status).toBe(204);
    expect((await patch(url, 2, Buffer.from('xxxxx'))).status).toBe(409);
    expect((await head(url)).headers['upload-offset']).toBe('5');
    expect((await patch(url, 5, Buffer.from('67890'))).status).toBe(204);
    expect(await fsp.readFile(path.join(fx.storageDir, 'ds/o.bin'), 'utf8')).toBe('1234567890');
  });

  it('keeps the receiver to its endpoint: other paths 404, GET 405', async () => {
    expect((await request(`http://127.0.0.1:${fx.receiver.port}/other`, { method: 'OPTIONS' })).status).toBe(404);
    const answer = await create(fx.receiver.url, { length: 3, metadata: { relativePath: 'g.bin', dataset: 'ds' } });
    expect((await request(answer.uploadUrl as string, { method: 'GET' })).status).toBe(405);
  });
});
