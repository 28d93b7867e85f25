import { rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { dispatchCommand } from '../../../main/engine/api/dispatch';
import type { ReceiverView } from '../../../shared/contract';
import type { JobView } from '../../../shared/model';
import { waitForJob } from '../../helpers/engineFixture';
import { makeDataset, sha256Of, startFerryServices } from '../../helpers/servicesFixture';
import { makeTmpDir } from '../../helpers/tmpDir';

/**
 * The built-in receiver's port and its sharing on the network are settings; sharing needs the
 * access token (write-only), which other computers send and Ferry's own uploads send too.
 */

const TOKEN = 'lab-receiver-token-0123456789';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const options = (url: string, authorization?: string) =>
  fetch(url, { method: 'OPTIONS', headers: { 'Tus-Resumable': '1.0.0', ...(authorization ? { Authorization: authorization } : {}) } });

describe('the built-in receiver: port, sharing on the network, access token', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  it('listens on loopback by default; shares only with a token, which its own uploads send; stops sharing on request; keeps it across a restart', async () => {
    const data = makeTmpDir('ferry-sharing-');
    cleanups.push(data.cleanup);
    let ferry = await startFerryServices({ dataDir: data.dir });
    cleanups.push(() => ferry.dispose());
    const call = async <T>(name: string, input: unknown = {}) => (await dispatchCommand(ferry.engine, name as never, input as never)) as { ok: boolean; value: T; error: { code: string; message: string } };

    const initial = (await call<ReceiverView>('getReceiver')).value;
    expect(initial).toMatchObject({ running: true, onLan: false, tokenSet: false, lanUrls: [], error: null });
    expect(initial.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/files\/$/);

    // No sharing without a token, and no token that is easy to guess.
    expect(await call('updateSettings', { receiverOnLan: true })).toMatchObject({ ok: false, error: { code: 'CONFLICT', message: expect.stringMatching(/access token/) } });
    expect((await call<{ receiverOnLan: boolean }>('getSettings')).value.receiverOnLan).toBe(false);
    expect(await call('setReceiverToken', { token: 'short' })).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    expect((await call<ReceiverView>('setReceiverToken', { token: TOKEN })).value).toMatchObject({ tokenSet: true, onLan: false });

    const port = await freePort();
    expect(await call('updateSettings', { receiverPort: port, receiverOnLan: true })).toMatchObject({ ok: true });
    const shared = (await call<ReceiverView>('getReceiver')).value;
    expect(shared).toMatchObject({ running: true, onLan: true, port, url: `http://127.0.0.1:${port}/files/`, error: null });
    for (const u of shared.lanUrls) expect(u).toMatch(new RegExp(`^http://\\d+\\.\\d+\\.\\d+\\.\\d+:${port}/files/$`));
    expect(JSON.stringify(shared) + JSON.stringify((await call('getSettings')).value)).not.toContain(TOKEN);

    expect((await options(shared.url!)).status).toBe(401);
    expect((await options(shared.url!, 'Bearer wrong-token-0000000000')).status).toBe(401);
    expect((await options(shared.url!, `Bearer ${TOKEN}`)).status).toBe(204);

    // Ferry's own uploads (a batch of small files and a tus upload) carry the token.
    const src = makeDataset({ 'a.txt': 10, 'b/c.bin': 3 * 1024 * 1024 });
    cleanups.push(() => rmSync(src, { recursive: true, force: true }));
    const job = (await call<JobView>('createUpload', { paths: [src], name: 'shared' })).value;
    const done = await waitForJob(ferry.engine, job.id, (j) => j.state === 'completed' || j.state === 'failed', 30_000);
    expect(done.state).toBe('completed');
    expect(sha256Of(join(data.dir, 'received', 'shared', 'b', 'c.bin'))).toBe(sha256Of(join(src, 'b', 'c.bin')));
    expect((await call<{ ok: boolean }>('testDestination', { id: 'builtin' })).value).toMatchObject({ ok: true });

    // A restart keeps the port and the sharing.
    await ferry.dispose();
    ferry = await startFerryServices({ dataDir: data.dir });
    expect((await call<ReceiverView>('getReceiver')).value).toMatchObject({ onLan: true, port, tokenSet: true });
    expect((await options(`http://127.0.0.1:${port}/files/`)).status).toBe(401);

    // A new token replaces the old one at once.
    await call('setReceiverToken', { token: `${TOKEN}-2` });
    expect((await options(`http://127.0.0.1:${port}/files/`, `Bearer ${TOKEN}`)).status).toBe(401);
    expect((await options(`http://127.0.0.1:${port}/files/`, `Bearer ${TOKEN}-2`)).status).toBe(204);

    // Not shared any more: loopback, no token asked.
    expect(await call('updateSettings', { receiverOnLan: false })).toMatchObject({ ok: true });
    expect((await call<ReceiverView>('getReceiver')).value).toMatchObject({ onLan: false, port, lanUrls: [] });
    expect((await options(`http://127.0.0.1:${port}/files/`)).status).toBe(204);
  });

  it('a port already taken is reported, and a free one brings it back', async () => {
    const ferry = await startFerryServices();
    cleanups.push(ferry.dispose);
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => blocker.close(() => resolve())));
    const taken = (blocker.address() as AddressInfo).port;
    expect(await dispatchCommand(ferry.engine, 'updateSettings', { receiverPort: taken })).toMatchObject({ ok: true });
    const down = await dispatchCommand(ferry.engine, 'getReceiver', {});
    expect(down).toMatchObject({ ok: true, value: { running: false, error: expect.stringMatching(new RegExp(`did not start: .*${taken}`)) } });
    const listed = await dispatchCommand(ferry.engine, 'listDestinations', {});
    expect(JSON.stringify(listed)).toContain('Built-in receiver (not running)');
    expect(await dispatchCommand(ferry.engine, 'updateSettings', { receiverPort: 0 })).toMatchObject({ ok: true });
    expect(await dispatchCommand(ferry.engine, 'getReceiver', {})).toMatchObject({ ok: true, value: { running: true, error: null } });
  });
});
