/**
 * Files dropped in a browser are staged on the engine's side; the staged copy goes once its
 * upload no longer needs it (completed, canceled, deleted), areas nobody needs go at the next
 * start after a day, and health says what staging holds. A real web host, real HTTP PUTs.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { WebStaging, webHostServices } from '../../../main/hosts/web/staging';
import { startWebHost, type WebHost } from '../../../main/hosts/web/webHost';
import { globalThrottle } from '../../../main/engine/upload/throttle';
import type { Health } from '../../../shared/contract';
import { waitForJob } from '../../helpers/engineFixture';
import { startFerryServices } from '../../helpers/servicesFixture';

const DAY = 24 * 60 * 60 * 1000;

describe('web host: staged copies of dropped files are removed once their upload is done', () => {
  const cleanups: (() => unknown)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  async function start(dataDir = mkdtempSync(join(tmpdir(), 'ferry-staging-clean-'))) {
    const staging = new WebStaging(dataDir);
    const ferry = await startFerryServices({ dataDir, host: webHostServices(staging) });
    const detach = await staging.attach(ferry.engine);
    const rendererDir = mkdtempSync(join(tmpdir(), 'ferry-renderer-'));
    writeFileSync(join(rendererDir, 'index.html'), '<!doctype html>');
    const host: WebHost = await startWebHost({ engine: ferry.engine, staging, rendererDir });
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }), () => rmSync(rendererDir, { recursive: true, force: true }), () => ferry.dispose(), () => host.close(), detach);
    const call = async <T>(name: string, input: unknown): Promise<T> => {
      const res = await fetch(`http://127.0.0.1:${host.port}/api/call/${name}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${host.token}`, 'content-type': 'application/json' },
        body: JSON.stringify(input),
      });
      const body = (await res.json()) as { ok: boolean; value: T; error?: unknown };
      if (!body.ok) throw new Error(`${name}: ${JSON.stringify(body.error)}`);
      return body.value;
    };
    /** Drops files as the page does: an area, then one PUT per file. */
    const drop = async (files: Record<string, Buffer | string>) => {
      const area = await call<{ uploadUrl: string; path: string; stagingId: string }>('beginStaging', {});
      for (const [name, body] of Object.entries(files)) {
        const res = await fetch(`http://127.0.0.1:${host.port}${area.uploadUrl}${name.split('/').map(encodeURIComponent).join('/')}`, { method: 'PUT', headers: { authorization: `Bearer ${host.token}` }, body });
        expect(res.status).toBe(200);
      }
      return area;
    };
    return { ferry, call, drop, dataDir };
  }

  it('an upload that completes takes its staged copy with it, and health counts staged bytes until then', async () => {
    const { ferry, call, drop } = await start();
    const area = await drop({ 'run 7/a.bin': randomBytes(300_000), 'run 7/sub/b.txt': 'hello' });
    const staged = await call<Health>('health', {});
    expect(staged.staging).toEqual({ areas: 1, bytes: 300_005 });
    const job = await call<{ id: number }>('createUpload', { paths: [join(area.path, 'run 7')], name: 'run 7' });
    await waitForJob(ferry.engine, job.id, (j) => j.state === 'completed', 30_000);
    await expect.poll(() => existsSync(area.path)).toBe(false);
    expect(existsSync(`${area.path}.job`)).toBe(false);
    expect((await call<Health>('health', {})).staging).toEqual({ areas: 0, bytes: 0 });
  });

  it('a canceled upload takes its staged copy with it; a paused one keeps it, as it may be resumed', async () => {
    const { ferry, call, drop } = await start();
    cleanups.push(() => globalThrottle.setRate(0));
    // Slow enough to act on while it runs.
    await call('updateSettings', { bandwidthLimit: 256 * 1024 });
    const area = await drop({ 'scan/big.bin': randomBytes(4 * 1024 * 1024) });
    const job = await call<{ id: number }>('createUpload', { paths: [join(area.path, 'scan')], name: 'scan' });
    await waitForJob(ferry.engine, job.id, (j) => j.state === 'running', 30_000);
    await call('cancelJob', { id: job.id });
    await waitForJob(ferry.engine, job.id, (j) => j.state === 'canceled', 30_000);
    await expect.poll(() => existsSync(area.path)).toBe(false);

    // Paused, it may still be resumed: the copy stays. Canceled after all, it goes.
    const kept = await drop({ 'plate/plate-1.bin': randomBytes(4 * 1024 * 1024) });
    const paused = await call<{ id: number }>('createUpload', { paths: [join(kept.path, 'plate')], name: 'plate' });
    await waitForJob(ferry.engine, paused.id, (j) => j.state === 'running', 30_000);
    await call('pauseJob', { id: paused.id });
    await waitForJob(ferry.engine, paused.id, (j) => j.state === 'paused', 30_000);
    expect(existsSync(join(kept.path, 'plate', 'plate-1.bin'))).toBe(true);
    await call('cancelJob', { id: paused.id });
    await expect.poll(() => existsSync(kept.path)).toBe(false);
  });

  it('at start, areas nobody needs go once they are a day old; a recent drop stays', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'ferry-staging-sweep-'));
    const old = join(dataDir, 'staging', '11111111-2222-4333-8444-555555555555');
    const recent = join(dataDir, 'staging', '66666666-7777-4888-9999-aaaaaaaaaaaa');
    for (const dir of [old, recent]) {
      mkdirSync(join(dir, 'run'), { recursive: true });
      writeFileSync(join(dir, 'run', 'frame.raw'), randomBytes(1000));
    }
    const twoDaysAgo = new Date(Date.now() - 2 * DAY);
    utimesSync(old, twoDaysAgo, twoDaysAgo);
    const { call } = await start(dataDir);
    expect(existsSync(old)).toBe(false);
    expect(existsSync(recent)).toBe(true);
    expect((await call<Health>('health', {})).staging).toEqual({ areas: 1, bytes: 1000 });
  });
});
