import { createHash } from 'node:crypto';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TusProtocol } from '../../../main/engine/upload/tusProtocol';
import { uploadFile } from '../../../main/engine/upload/uploadFile';
import { detailsOf } from '../../../main/engine/upload/transferErrors';
import { startFaultProxy, type FaultProxy } from '../../helpers/faultProxy';
import { CountingThrottle } from '../upload/fixtures/countingThrottle';
import { finalTree, sha256OfFile, startReceiverFixture, writeRandomFile, type ReceiverFixture } from './receiverFixture';
import { create, head, request } from './tusHttp';

const MiB = 1024 * 1024;
const b64 = (bytes: Buffer, algorithm = 'sha256') => createHash(algorithm).update(bytes).digest('base64');

function patchWith(uploadUrl: string, offset: number, body: Buffer, checksum: string) {
  return request(uploadUrl, {
    method: 'PATCH',
    headers: { 'Upload-Offset': String(offset), 'Content-Type': 'application/offset+octet-stream', 'Upload-Checksum': checksum },
    body,
  });
}

describe('receiver: tus checksum extension (sha256, per PATCH)', () => {
  let fx: ReceiverFixture;
  beforeEach(async () => {
    fx = await startReceiverFixture();
  });
  afterEach(async () => {
    await fx.dispose();
  });

  it('announces checksum with sha256 in OPTIONS', async () => {
    const answer = await request(fx.receiver.url, { method: 'OPTIONS' });
    expect(String(answer.headers['tus-extension']).split(',')).toContain('checksum');
    expect(answer.headers['tus-checksum-algorithm']).toBe('sha256');
  });

  it('appends a body that matches its Upload-Checksum; a mismatch is 460 and appends nothing', async () => {
    const src = await writeRandomFile(fx.srcDir, 'a.bin', 300_000);
    const data = await fsp.readFile(src.file);
    const created = await create(fx.receiver.url, { length: data.length, metadata: { dataset: 'ds', relativePath: 'a.bin' } });
    const url = created.uploadUrl!;
    const first = data.subarray(0, 100_000);
    expect((await patchWith(url, 0, first, `sha256 ${b64(first)}`)).status).toBe(204);

    const second = data.subarray(100_000, 200_000);
    const damaged = Buffer.from(second);
    damaged[5_000] = damaged[5_000]! ^ 0x01;
    const refused = await patchWith(url, 100_000, damaged, `sha256 ${b64(second)}`);
    expect(refused.status).toBe(460);
    expect((await head(url)).headers['upload-offset']).toBe('100000');
    expect((await fsp.stat(path.join(fx.storageDir, '.incoming', url.split('/').pop()!))).size).toBe(100_000);

    expect((await patchWith(url, 100_000, second, `sha256 ${b64(second)}`)).status).toBe(204);
    const rest = data.subarray(200_000);
    const last = await patchWith(url, 200_000, rest, `sha256 ${b64(rest)}`);
    expect(last.status).toBe(204);
    expect(last.headers['ferry-sha256']).toBe(src.sha256);
    expect(await sha256OfFile(path.join(fx.storageDir, 'ds/a.bin'))).toBe(src.sha256);
  });

  it.each([
    ['an algorithm it does not offer', (body: Buffer) => `md5 ${b64(body, 'md5')}`],
    ['a malformed header', () => 'sha256'],
    ['a digest of the wrong length', () => `sha256 ${Buffer.alloc(20).toString('base64')}`],
  ])('refuses %s with 400 and appends nothing', async (_what, checksum) => {
    const body = Buffer.from('0123456789abcdef'.repeat(64));
    const created = await create(fx.receiver.url, { length: body.length, metadata: { dataset: 'ds', relativePath: 'b.bin' } });
    const answer = await patchWith(created.uploadUrl!, 0, body, checksum(body));
    expect(answer.status).toBe(400);
    expect(answer.body).toMatch(/Upload-Checksum|checksum algorithm|sha256 Upload-Checksum/);
    expect((await head(created.uploadUrl!)).headers['upload-offset']).toBe('0');
  });
});

describe("Ferry's tus client on the receiver: a flipped byte is caught before the file is filed", () => {
  let fx: ReceiverFixture;
  let proxy: FaultProxy;
  beforeEach(async () => {
    fx = await startReceiverFixture();
    proxy = await startFaultProxy({ target: { host: '127.0.0.1', port: fx.receiver.port } });
  });
  afterEach(async () => {
    await proxy.close();
    await fx.dispose();
  });

  it('the request that ends the file carries its SHA-256: the receiver answers 460, discards the upload, and the file is sent anew and lands whole', async () => {
    const size = 4 * MiB + 4321;
    const src = await writeRandomFile(fx.srcDir, 'cube.h5', size);
    const protocol = new TusProtocol({ endpoint: proxy.url('/files/'), chunkSize: MiB, ferryReceiver: true });
    const throttle = new CountingThrottle(0);
    const retries: unknown[] = [];
    // Half-way into the second PATCH's body (the requests before it carry a few hundred bytes of headers).
    proxy.setFaults({ flipByteAt: MiB + MiB / 2 });
    try {
      const result = await uploadFile({
        protocol,
        path: src.file,
        relativePath: 'cube.h5',
        metadata: { dataset: 'ds' },
        signal: new AbortController().signal,
        throttle,
        retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 4 },
        onRetry: (err) => retries.push(err),
      });
      expect(proxy.stats().flipped).toBe(1);
      expect(retries.map((e) => detailsOf(e)?.status)).toEqual([460]);
      // One hash of every byte on each side (no Upload-Checksum per request), so the damage is
      // found once the file is complete: every byte went twice, and the damaged copy was never filed.
      expect(throttle.granted).toBe(2 * size);
      expect(result).toMatchObject({ sha256: src.sha256, verified: 'checksum' });
    } finally {
      protocol.close();
    }
    expect(await finalTree(fx.storageDir)).toEqual(['ds/cube.h5']);
    expect(await sha256OfFile(path.join(fx.storageDir, 'ds/cube.h5'))).toBe(src.sha256);
  });

  it('a malformed Ferry-File-Sha256 is refused with 400 before any byte is appended', async () => {
    const body = Buffer.from('0123456789abcdef'.repeat(64));
    const created = await create(fx.receiver.url, { length: body.length, metadata: { dataset: 'ds', relativePath: 'm.bin' } });
    const answer = await request(created.uploadUrl!, {
      method: 'PATCH',
      headers: { 'Tus-Resumable': '1.0.0', 'Upload-Offset': '0', 'Content-Type': 'application/offset+octet-stream', 'Ferry-File-Sha256': 'not-a-digest' },
      body,
    });
    expect(answer.status).toBe(400);
    expect(answer.body).toMatch(/Ferry-File-Sha256 must be 64 hexadecimal digits/);
    expect((await head(created.uploadUrl!)).headers['upload-offset']).toBe('0');
  });

  it('a Ferry-File-Sha256 that differs from the bytes stored answers 460 and files nothing', async () => {
    const body = Buffer.from('0123456789abcdef'.repeat(64));
    const created = await create(fx.receiver.url, { length: body.length, metadata: { dataset: 'ds', relativePath: 'w.bin' } });
    const answer = await request(created.uploadUrl!, {
      method: 'PATCH',
      headers: { 'Tus-Resumable': '1.0.0', 'Upload-Offset': '0', 'Content-Type': 'application/offset+octet-stream', 'Ferry-File-Sha256': 'ab'.repeat(32) },
      body,
    });
    expect(answer.status).toBe(460);
    expect(answer.body).toMatch(/expected sha256 abab/);
    expect(await finalTree(fx.storageDir)).toEqual([]);
    expect((await head(created.uploadUrl!)).status).toBe(404);
  });
});
