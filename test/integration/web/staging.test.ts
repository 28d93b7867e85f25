import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebStaging, webHostServices } from '../../../main/hosts/web/staging';
import { startWebHost, type WebHost } from '../../../main/hosts/web/webHost';
import { waitForJob } from '../../helpers/engineFixture';
import { sha256Of, startFerryServices } from '../../helpers/servicesFixture';

describe('web host: files dropped in a browser are streamed to the engine, then uploaded', () => {
  let ferry: Awaited<ReturnType<typeof startFerryServices>>;
  let host: WebHost;
  let rendererDir: string;
  const call = async (name: string, input: unknown) => {
    const res = await fetch(`http://127.0.0.1:${host.port}/api/call/${name}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${host.token}`, 'content-type': 'application/json' },
      body: JSON.stringify(input),
    });
    return (await res.json()) as { ok: boolean; value?: never; error?: { code: string } };
  };
  const put = (path: string, body: Buffer | string) =>
    fetch(`http://127.0.0.1:${host.port}${path}`, { method: 'PUT', headers: { authorization: `Bearer ${host.token}` }, body });

  let dataDir: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'ferry-staging-'));
    const staging = new WebStaging(dataDir);
    ferry = await startFerryServices({ dataDir, host: webHostServices(staging) });
    rendererDir = mkdtempSync(join(tmpdir(), 'ferry-renderer-'));
    writeFileSync(join(rendererDir, 'index.html'), '<!doctype html>');
    host = await startWebHost({ engine: ferry.engine, staging, rendererDir });
  });
  afterAll(async () => {
    await host.close();
    await ferry.dispose();
    rmSync(rendererDir, { recursive: true, force: true });
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('stages files under their relative paths and uploads them as a dataset', async () => {
    const staging = await call('beginStaging', {});
    expect(staging.ok).toBe(true);
    const { uploadUrl, path } = staging.value! as { uploadUrl: string; path: string };
    const a = randomBytes(300_000);
    expect((await put(`${uploadUrl}run%207/a.bin`, a)).status).toBe(200);
    expect((await put(`${uploadUrl}run%207/sub/b.txt`, 'hello')).status).toBe(200);
    const job = await call('createUpload', { paths: [join(path, 'run 7')], name: 'run 7' });
    expect(job.ok).toBe(true);
    const id = (job.value! as { id: number }).id;
    await waitForJob(ferry.engine, id, (j) => j.state === 'completed', 30_000);
    const landed = join(ferry.dataDir, 'received', 'run 7');
    expect(readFileSync(join(landed, 'sub/b.txt'), 'utf8')).toBe('hello');
    expect(sha256Of(join(landed, 'a.bin'))).toBe(sha256Of(join(path, 'run 7', 'a.bin')));
  });

  it('refuses unsafe paths, unknown staging areas and missing tokens', async () => {
    const staging = await call('beginStaging', {});
    const { uploadUrl } = staging.value! as { uploadUrl: string };
    expect((await put(`${uploadUrl}..%2F..%2Fescape.txt`, 'x')).status).toBe(400);
    expect((await put('/api/stage/00000000-0000-0000-0000-000000000000/a.txt', 'x')).status).toBe(404);
    expect((await put('/api/stage/not-an-id/a.txt', 'x')).status).toBe(400);
    const anon = await fetch(`http://127.0.0.1:${host.port}${uploadUrl}a.txt`, { method: 'PUT', body: 'x' });
    expect(anon.status).toBe(401);
  });
});
