import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TusProtocol } from '../../../main/engine/upload/tusProtocol';
import { uploadFile, type UploadState } from '../../../main/engine/upload/uploadFile';
import { Throttle } from '../../../main/engine/upload/throttle';
import { startReceiverFixture, type ReceiverFixture } from '../receiver/receiverFixture';

const MiB = 1024 * 1024;
const FOUR_GIB = 4 * 1024 * MiB;
/** Just past 2^32, so every offset header, saved state and progress figure crosses 32 bits. */
const SIZE = FOUR_GIB + 3 * MiB + 17;

async function sha256OfFile(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file, { highWaterMark: 4 * MiB })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

describe('a sparse file over 4 GiB to the built-in receiver', () => {
  let fx: ReceiverFixture;
  let file: string;
  let expected: string;
  beforeAll(async () => {
    fx = await startReceiverFixture();
    file = path.join(fx.srcDir, 'volume.raw');
    // Mostly holes, with marks on both sides of 2^32 so a wrap-around would change the hash.
    const fd = await fsp.open(file, 'w');
    await fd.truncate(SIZE);
    for (const at of [0, 2 * 1024 * MiB, FOUR_GIB - 5, FOUR_GIB + 1, SIZE - 4]) await fd.write(Buffer.from(`${at % 9973}`.padStart(4, '#').slice(-4)), 0, 4, at);
    await fd.close();
    expected = await sha256OfFile(file);
  }, 120_000);
  afterAll(async () => {
    await fx.dispose();
  });

  it('stops past 4 GiB, resumes from the receiver offset beyond 2^32, and lands byte for byte', async () => {
    const protocol = new TusProtocol({ endpoint: fx.receiver.url, chunkSize: 1024 * MiB });
    const throttle = new Throttle(0);
    const stop = new AbortController();
    let saved: UploadState | undefined;
    const first = await uploadFile({
      protocol,
      path: file,
      relativePath: 'scan/volume.raw',
      metadata: { dataset: 'big' },
      signal: stop.signal,
      throttle,
      onAck: (state) => void (saved = state),
      onSent: (at) => at > FOUR_GIB && stop.abort(),
    }).catch((err: unknown) => err);
    expect((first as { code?: string }).code).toBe('CANCELED');
    expect(saved?.session.protocol).toBe('tus');

    const second = await uploadFile({
      protocol,
      path: file,
      relativePath: 'scan/volume.raw',
      metadata: { dataset: 'big' },
      signal: new AbortController().signal,
      throttle,
      resume: saved,
    });
    protocol.close();
    expect(second.resumedFrom).toBeGreaterThanOrEqual(FOUR_GIB);
    expect(second.bytesSent).toBeLessThan(SIZE - FOUR_GIB);
    expect(second.size).toBe(SIZE);
    expect(second.sha256).toBe(expected);
    expect(second.verified).toBe('checksum');
    const landed = path.join(fx.storageDir, 'big/scan/volume.raw');
    expect((await fsp.stat(landed)).size).toBe(SIZE);
    expect(await sha256OfFile(landed)).toBe(expected);
  }, 300_000);
});
