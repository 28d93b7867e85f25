import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sha256, startReceiverFixture, type ReceiverFixture } from './receiverFixture';
import { create, head } from './tusHttp';

describe('receiver: HEAD after the last bytes', () => {
  let fx: ReceiverFixture;
  beforeEach(async () => {
    fx = await startReceiverFixture();
  });
  afterEach(async () => {
    await fx.dispose();
  });

  it('a HEAD on a filed upload carries the verified SHA-256, as the finishing PATCH did', async () => {
    const data = randomBytes(70_000);
    const answer = await create(fx.receiver.url, { length: data.length, metadata: { relativePath: 'h.bin', dataset: 'ds' }, body: data });
    expect(answer.headers['ferry-sha256']).toBe(sha256(data));
    const again = await head(answer.uploadUrl!);
    expect(again.headers['upload-offset']).toBe(String(data.length));
    expect(again.headers['ferry-sha256']).toBe(sha256(data));
  });

  it('a final PATCH cut right after its last byte: the next HEAD answers the whole length only once the upload is verified and filed', async () => {
    const data = randomBytes(3 * 1024 * 1024);
    const answer = await create(fx.receiver.url, { length: data.length, metadata: { relativePath: 'cut.bin', dataset: 'ds', sha256: sha256(data) } });
    const url = new URL(answer.uploadUrl!);
    // A raw PATCH whose connection is dropped as soon as the body is out, before any answer.
    await new Promise<void>((resolve, reject) => {
      const socket = net.connect(Number(url.port), url.hostname, () => {
        socket.write(
          `PATCH ${url.pathname} HTTP/1.1\r\nHost: ${url.host}\r\nTus-Resumable: 1.0.0\r\nUpload-Offset: 0\r\n` +
            `Content-Type: application/offset+octet-stream\r\nContent-Length: ${data.length}\r\n\r\n`,
        );
        socket.write(data, () => {
          socket.destroy();
          resolve();
        });
      });
      socket.on('error', reject);
    });
    for (let i = 0; i < 50; i++) {
      const h = await head(url.href);
      expect(h.status).toBe(200);
      const offset = Number(h.headers['upload-offset']);
      if (offset === data.length) {
        expect(h.headers['ferry-sha256']).toBe(sha256(data));
        return;
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error('the receiver never reported the whole upload');
  });
});
