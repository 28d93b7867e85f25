import os from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { FerryError } from '../../../shared/errors';
import { isLoopbackHost, startReceiver, type Receiver } from '../../../main/receiver/receiver';
import { makeTmpDir, type TmpDir } from '../../helpers/tmpDir';
import { finalTree, sha256 } from './receiverFixture';
import { create, request } from './tusHttp';

const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };

describe('receiver: binding and bearer token', () => {
  const opened: Receiver[] = [];
  const dirs: TmpDir[] = [];
  const start = async (opts: { host?: string; token?: string }) => {
    const tmp = makeTmpDir('ferry-receiver-auth-');
    dirs.push(tmp);
    const receiver = await startReceiver({ storageDir: tmp.dir, logger: silent, ...opts });
    opened.push(receiver);
    return receiver;
  };
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((r) => r.close()));
    await Promise.all(dirs.splice(0).map((d) => d.cleanup()));
  });

  it('answers 401 to every request without the right token, and works with it', async () => {
    const receiver = await start({ token: 's3cret-token' });
    const body = Buffer.from('authorised');
    const metadata = { relativePath: 'a.txt', dataset: 'ds', sha256: sha256(body) };

    const anonymous = await create(receiver.url, { length: body.length, metadata, body });
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers['www-authenticate']).toContain('Bearer');
    expect((await create(receiver.url, { length: body.length, metadata, body, token: 'wrong' })).status).toBe(401);
    expect((await request(receiver.url, { method: 'OPTIONS' })).status).toBe(401);
    // A prefix of the token is not the token.
    expect((await request(receiver.url, { method: 'OPTIONS', token: 's3cret' })).status).toBe(401);
    expect(await finalTree(receiver.storageDir)).toEqual([]);

    const allowed = await create(receiver.url, { length: body.length, metadata, body, token: 's3cret-token' });
    expect(allowed.status).toBe(201);
    expect((await request(allowed.uploadUrl as string, { method: 'HEAD' })).status).toBe(401);
    expect((await request(allowed.uploadUrl as string, { method: 'HEAD', token: 's3cret-token' })).status).toBe(200);
    expect(await finalTree(receiver.storageDir)).toEqual(['ds/a.txt']);
  });

  it('refuses to bind beyond loopback without a token (typed INVALID_INPUT)', async () => {
    const tmp = makeTmpDir('ferry-receiver-auth-');
    dirs.push(tmp);
    for (const host of ['0.0.0.0', '::', '192.168.1.10', 'example.org']) {
      const attempt = startReceiver({ storageDir: tmp.dir, host, logger: silent });
      await expect(attempt).rejects.toBeInstanceOf(FerryError);
      await expect(attempt).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining('requires a token') });
    }
    await expect(startReceiver({ storageDir: tmp.dir, token: '', logger: silent })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });

  it('binds beyond loopback when a token is set, and still demands it', async () => {
    const receiver = await start({ host: '0.0.0.0', token: 'tok' });
    expect(receiver.url).toBe(`http://127.0.0.1:${receiver.port}/files/`);
    expect((await request(receiver.url, { method: 'OPTIONS' })).status).toBe(401);
    expect((await request(receiver.url, { method: 'OPTIONS', token: 'tok' })).status).toBe(204);
  });

  it('accepts loopback names without a token', async () => {
    const v4 = await start({ host: '127.0.0.1' });
    expect((await request(v4.url, { method: 'OPTIONS' })).status).toBe(204);
    const hasV6Loopback = Object.values(os.networkInterfaces()).some((list) => list?.some((i) => i.address === '::1'));
    if (hasV6Loopback) {
      const v6 = await start({ host: '::1' });
      expect(v6.url).toBe(`http://[::1]:${v6.port}/files/`);
      expect((await request(v6.url, { method: 'OPTIONS' })).status).toBe(204);
    }
    expect(['localhost', '127.0.0.1', '127.1.2.3', '::1', '[::1]', '::ffff:127.0.0.1'].every(isLoopbackHost)).toBe(true);
    expect(['0.0.0.0', '::', '10.0.0.1', '::ffff:10.0.0.1', 'localhost.example.org'].some(isLoopbackHost)).toBe(false);
  });

  it('fails with a typed IO error when the port is taken', async () => {
    const first = await start({});
    const tmp = makeTmpDir('ferry-receiver-auth-');
    dirs.push(tmp);
    await expect(startReceiver({ storageDir: tmp.dir, port: first.port, logger: silent })).rejects.toMatchObject({ code: 'IO' });
  });
});
