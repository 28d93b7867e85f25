import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { dispatchCommand } from '../../main/engine/api/dispatch';
import type { ReceiverView } from '../../shared/contract';
import type { JobView } from '../../shared/model';
import { BATCH_INDEX_HEADER, BATCH_PATH } from '../../shared/receiverBatch';
import { waitForJob } from '../helpers/engineFixture';
import { makeDataset, sha256Of, startFerryServices } from '../helpers/servicesFixture';
import { finalTree, incomingNames, sha256, startReceiverFixture, type ReceiverFixture } from '../integration/receiver/receiverFixture';
import { create, encodeMetadata, request, type HttpAnswer } from '../integration/receiver/tusHttp';

/**
 * Finding 3: the built-in receiver took writes from any web page (CORS `*`, no Host check, no
 * token on loopback). Attacks as a page or a rebinding DNS name would send them; every one must be
 * refused, write nothing, and leave the receiver serving Ferry's own (non-browser) requests.
 */

const BODY = Buffer.from('written by a hostile page');
const META = { dataset: 'pwned', relativePath: 'note.txt', sha256: sha256(BODY) };

/** A batch body as shared/receiverBatch.ts defines it, for one file. */
function batchOf(bytes: Buffer): { body: Buffer; indexLength: number } {
  const index = Buffer.from(JSON.stringify({ metadata: { dataset: 'pwned' }, files: [{ relativePath: 'batch.txt', size: bytes.length, sha256: sha256(bytes) }] }));
  return { body: Buffer.concat([index, bytes]), indexLength: index.length };
}

/** Nothing was written anywhere: no file in the tree, no upload record in .incoming. */
async function expectNothingWritten(fx: ReceiverFixture): Promise<void> {
  expect(await finalTree(fx.storageDir)).toEqual([]);
  expect(await incomingNames(fx.storageDir)).toEqual([]);
}

function expectNoCors(answer: HttpAnswer): void {
  expect(answer.headers['access-control-allow-origin']).toBeUndefined();
  expect(answer.headers['access-control-allow-credentials']).toBeUndefined();
}

describe('security: the receiver takes no writes from web pages (finding 3)', () => {
  let fx: ReceiverFixture | undefined;
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    await fx?.dispose();
    fx = undefined;
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  it('refuses every request a page sends (Origin or Sec-Fetch-Site), preflights included, and never answers a CORS grant', async () => {
    fx = await startReceiverFixture();
    const url = fx.receiver.url;
    const batchUrl = new URL(BATCH_PATH, url).toString();
    const batch = batchOf(BODY);
    const origins = ['http://127.0.0.1:5173', 'http://localhost:8888', 'https://evil.example', 'null'];
    for (const origin of origins) {
      const page = { Origin: origin, 'Sec-Fetch-Site': origin.includes('evil') ? 'cross-site' : 'same-site', 'Sec-Fetch-Mode': 'cors' };
      const attempts: HttpAnswer[] = [
        // The preflight a page's fetch with tus headers needs: no grant, so the browser never sends it.
        await request(url, { method: 'OPTIONS', headers: { ...page, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'tus-resumable,upload-length,upload-metadata' } }),
        // Sent anyway (no-cors mode, or a browser that skips the preflight): refused.
        await request(url, { method: 'POST', headers: { ...page, 'Upload-Length': String(BODY.length), 'Upload-Metadata': encodeMetadata(META), 'Content-Type': 'application/offset+octet-stream' }, body: BODY }),
        await request(batchUrl, { method: 'POST', headers: { ...page, [BATCH_INDEX_HEADER]: String(batch.indexLength), 'Content-Type': 'application/octet-stream' }, body: batch.body }),
        // A form post: multipart/form-data and no custom header at all.
        await request(batchUrl, { method: 'POST', headers: { ...page, 'Sec-Fetch-Mode': 'navigate', 'Content-Type': 'multipart/form-data; boundary=x' }, body: batch.body }),
      ];
      for (const answer of attempts) {
        expect(answer.status, `${origin}: ${answer.body}`).toBe(403);
        expect(answer.body).toContain('no requests from web pages');
        expectNoCors(answer);
      }
    }
    // Sec-Fetch-Site alone (a browser that leaves Origin off a same-site GET-like request) is enough.
    const marked = await request(url, { method: 'POST', headers: { 'Sec-Fetch-Site': 'same-site', 'Upload-Length': '0', 'Upload-Metadata': encodeMetadata(META) } });
    expect(marked.status).toBe(403);
    await expectNothingWritten(fx);

    // Ferry's own requests carry neither and still work; the answer grants no origin either.
    const own = await create(url, { length: BODY.length, metadata: META, body: BODY });
    expect(own.status).toBe(201);
    expectNoCors(own);
    expect(await finalTree(fx.storageDir)).toEqual(['pwned/note.txt']);
  });

  it('refuses the bodies a page may send without a preflight (form and plain-text content types) even without Origin', async () => {
    fx = await startReceiverFixture();
    const batch = batchOf(BODY);
    const batchUrl = new URL(BATCH_PATH, fx.receiver.url).toString();
    for (const type of ['text/plain', 'text/plain;charset=UTF-8', 'multipart/form-data; boundary=----x', 'application/x-www-form-urlencoded']) {
      const asBatch = await request(batchUrl, { method: 'POST', headers: { [BATCH_INDEX_HEADER]: String(batch.indexLength), 'Content-Type': type }, body: batch.body });
      expect(asBatch.status, type).toBe(415);
      expect(asBatch.body).toMatch(/^Unsupported Media Type: /);
      const asCreation = await request(fx.receiver.url, { method: 'POST', headers: { 'Upload-Length': String(BODY.length), 'Upload-Metadata': encodeMetadata(META), 'Content-Type': type }, body: BODY });
      expect(asCreation.status, type).toBe(415);
    }
    await expectNothingWritten(fx);
  });

  it('on loopback, refuses a Host that does not name this computer (DNS rebinding); shared on the network, any Host with the token', async () => {
    fx = await startReceiverFixture();
    const { port } = fx.receiver;
    const batch = batchOf(BODY);
    const batchUrl = new URL(BATCH_PATH, fx.receiver.url).toString();
    for (const host of [`rebind.evil.example:${port}`, `localhost.evil.example:${port}`, `192.168.1.20:${port}`, `[fe80::1]:${port}`, 'evil.example']) {
      const created = await request(fx.receiver.url, { method: 'POST', headers: { Host: host, 'Upload-Length': String(BODY.length), 'Upload-Metadata': encodeMetadata(META) } });
      expect(created.status, host).toBe(421);
      expect(created.body).toContain('does not name this computer');
      const batched = await request(batchUrl, { method: 'POST', headers: { Host: host, [BATCH_INDEX_HEADER]: String(batch.indexLength), 'Content-Type': 'application/octet-stream' }, body: batch.body });
      expect(batched.status, host).toBe(421);
      expect((await request(fx.receiver.url, { method: 'OPTIONS', headers: { Host: host } })).status).toBe(421);
    }
    await expectNothingWritten(fx);
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `LOCALHOST:${port}`, `[::1]:${port}`]) {
      expect((await request(fx.receiver.url, { method: 'OPTIONS', headers: { Host: host } })).status, host).toBe(204);
    }

    const shared = await fx.restart({ host: '0.0.0.0', token: 'lan-token-0123456789' });
    const lan = { Host: `192.168.1.20:${shared.port}` };
    expect((await request(shared.url, { method: 'OPTIONS', headers: lan })).status).toBe(401);
    expect((await request(shared.url, { method: 'OPTIONS', headers: lan, token: 'lan-token-0123456789' })).status).toBe(204);
  });

  it('the Location of a new upload never echoes the Host the client sent', async () => {
    fx = await startReceiverFixture({ host: '0.0.0.0', token: 'tok-0123456789' });
    const answer = await request(fx.receiver.url, {
      method: 'POST',
      headers: { Host: 'attacker.example:80', 'Upload-Length': String(BODY.length), 'Upload-Metadata': encodeMetadata(META) },
      token: 'tok-0123456789',
    });
    expect(answer.status).toBe(201);
    const location = answer.headers.location as string;
    expect(location).not.toContain('attacker');
    // Resolved against the address the client used, it is this receiver's upload.
    const upload = new URL(location, fx.receiver.url);
    expect(upload.host).toBe(new URL(fx.receiver.url).host);
    expect((await request(upload.toString(), { method: 'HEAD', token: 'tok-0123456789' })).headers['upload-length']).toBe(String(BODY.length));
  });

  it('with "ask for the token on this computer too", loopback requests need it and Ferry\'s own uploads send it', async () => {
    const ferry = await startFerryServices();
    cleanups.push(ferry.dispose);
    const call = async <T>(name: string, input: unknown = {}) => (await dispatchCommand(ferry.engine, name as never, input as never)) as { ok: boolean; value: T; error: { code: string; message: string } };
    const optionsOf = async (authorization?: string) => {
      const url = (await call<ReceiverView>('getReceiver')).value.url!;
      return (await fetch(url, { method: 'OPTIONS', headers: { 'Tus-Resumable': '1.0.0', ...(authorization ? { Authorization: authorization } : {}) } })).status;
    };
    const TOKEN = 'loopback-token-0123456789';

    expect(await call('updateSettings', { receiverRequireToken: true })).toMatchObject({ ok: false, error: { code: 'CONFLICT', message: expect.stringMatching(/access token/) } });
    expect(await optionsOf()).toBe(204);
    await call('setReceiverToken', { token: TOKEN });
    // A token alone changes nothing on loopback until the user asks for it.
    expect(await optionsOf()).toBe(204);
    expect(await call('updateSettings', { receiverRequireToken: true })).toMatchObject({ ok: true });
    expect((await call<ReceiverView>('getReceiver')).value).toMatchObject({ running: true, onLan: false });
    expect(await optionsOf()).toBe(401);
    expect(await optionsOf(`Bearer ${TOKEN}`)).toBe(204);

    const src = makeDataset({ 'small.txt': 100, 'big.bin': 2 * 1024 * 1024 });
    cleanups.push(() => rmSync(src, { recursive: true, force: true }));
    const job = (await call<JobView>('createUpload', { paths: [src], name: 'guarded' })).value;
    const done = await waitForJob(ferry.engine, job.id, (j) => j.state === 'completed' || j.state === 'failed', 30_000);
    expect(done.state).toBe('completed');
    for (const name of ['small.txt', 'big.bin']) expect(sha256Of(join(ferry.dataDir, 'received', 'guarded', name))).toBe(sha256Of(join(src, name)));

    expect(await call('updateSettings', { receiverRequireToken: false })).toMatchObject({ ok: true });
    expect(await optionsOf()).toBe(204);
  });
});
