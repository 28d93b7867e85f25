import { afterEach, describe, expect, it, vi } from 'vitest';
import { finalTree, incomingNames, sha256, startReceiverFixture, type ReceiverFixture } from './receiverFixture';
import { create, head, patch } from './tusHttp';

const DAY_MS = 24 * 60 * 60 * 1000;

describe('receiver: upload expiration and cleanup', () => {
  let fx: ReceiverFixture | undefined;
  afterEach(async () => {
    vi.useRealTimers();
    await fx?.dispose();
    fx = undefined;
  });

  it('announces Upload-Expires (7 days by default) on unfinished uploads only', async () => {
    fx = await startReceiverFixture();
    const before = Date.now();
    const open = await create(fx.receiver.url, { length: 100, metadata: { relativePath: 'e.bin', dataset: 'ds' } });
    const expires = Date.parse(String(open.headers['upload-expires']));
    // RFC 7231 dates have whole seconds.
    expect(expires).toBeGreaterThanOrEqual(before + 7 * DAY_MS - 1000);
    expect(expires).toBeLessThanOrEqual(Date.now() + 7 * DAY_MS);
    const partial = await patch(open.uploadUrl as string, 0, Buffer.alloc(10));
    expect(partial.headers['upload-expires']).toBe(open.headers['upload-expires']);
    const done = await patch(open.uploadUrl as string, 10, Buffer.alloc(90));
    expect(done.headers['upload-expires']).toBeUndefined();
  });

  it('answers 410 to an expired upload and removes it, tombstones included, on cleanup', async () => {
    // The receiver's clock is the test's: both uploads expire at the same instant, whatever the
    // machine's load put between their creations, and no sweep of the receiver's own runs between.
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() });
    fx = await startReceiverFixture({ expirationMs: 300, cleanupIntervalMs: 60 * 60 * 1000 });
    const stale = await create(fx.receiver.url, { length: 100, metadata: { relativePath: 'stale.bin', dataset: 'ds' } });
    expect((await patch(stale.uploadUrl as string, 0, Buffer.alloc(40))).status).toBe(204);
    const body = Buffer.from('filed before expiry');
    const filed = await create(fx.receiver.url, { length: body.length, metadata: { relativePath: 'kept.txt', dataset: 'ds', sha256: sha256(body) }, body });
    expect(filed.status).toBe(201);
    expect(await incomingNames(fx.storageDir)).toHaveLength(3);
    expect((await head(stale.uploadUrl as string)).status).toBe(200);
    expect(await fx.receiver.cleanupExpired()).toBe(0);

    vi.setSystemTime(Date.now() + 301);
    expect((await head(stale.uploadUrl as string)).status).toBe(410);
    expect((await patch(stale.uploadUrl as string, 40, Buffer.alloc(60))).status).toBe(410);
    expect(await fx.receiver.cleanupExpired()).toBe(2);
    expect(await incomingNames(fx.storageDir)).toEqual([]);
    // Expiry concerns the upload area only: the filed file stays.
    expect(await finalTree(fx.storageDir)).toEqual(['ds/kept.txt']);
  });

  it('sweeps expired uploads on its own timer', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() });
    fx = await startReceiverFixture({ expirationMs: 200, cleanupIntervalMs: 50 });
    await create(fx.receiver.url, { length: 100, metadata: { relativePath: 'gone.bin', dataset: 'ds' } });
    expect(await incomingNames(fx.storageDir)).toHaveLength(2);
    vi.setSystemTime(Date.now() + 201);
    // Only the timer's next turn is waited for; no event marks a sweep, so the folder is polled.
    await vi.waitFor(async () => expect(await incomingNames(fx?.storageDir as string)).toEqual([]), { timeout: 5000, interval: 50 });
  });

  it('keeps resumable uploads that have not expired', async () => {
    fx = await startReceiverFixture({ expirationMs: DAY_MS });
    const open = await create(fx.receiver.url, { length: 100, metadata: { relativePath: 'fresh.bin', dataset: 'ds' } });
    expect(await fx.receiver.cleanupExpired()).toBe(0);
    expect((await head(open.uploadUrl as string)).status).toBe(200);
  });
});
