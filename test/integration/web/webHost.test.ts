import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LogChunk } from '../../../shared/model';
import { startWebHost, type WebHost } from '../../../main/hosts/web/webHost';
import { startEngine } from '../../helpers/engineFixture';
import { TestWsClient } from '../../helpers/wsClient';

function httpGet(port: number, path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('web host over a real WebSocket', () => {
  let fixture: ReturnType<typeof startEngine>;
  let host: WebHost;
  let rendererDir: string;
  const auth = () => ({ authorization: `Bearer ${host.token}` });

  beforeAll(async () => {
    fixture = startEngine();
    rendererDir = mkdtempSync(join(tmpdir(), 'ferry-renderer-'));
    writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>Ferry</title>');
    host = await startWebHost({ engine: fixture.engine, rendererDir });
  });

  afterAll(async () => {
    await host.close();
    await fixture.dispose();
    rmSync(rendererDir, { recursive: true, force: true });
  });

  it('listens on loopback and refuses the API without the token', async () => {
    expect(host.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=/);
    const res = await fetch(`http://127.0.0.1:${host.port}/api/call/listJobs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('UNAUTHORIZED');
  });

  it('serves the app shell (nothing of the user is in it) with a CSP and no cookie', async () => {
    const res = await httpGet(host.port, `/?token=${host.token}`);
    expect(res.status).toBe(200);
    expect(res.body).toContain('<title>Ferry</title>');
    expect(res.headers['set-cookie']).toBeUndefined();
    expect(String(res.headers['content-security-policy'])).toContain("script-src 'self'");
  });

  it('refuses a foreign Host header (DNS rebinding)', async () => {
    const res = await httpGet(host.port, `/?token=${host.token}`, { host: `evil.example:${host.port}` });
    expect(res.status).toBe(421);
  });

  it('refuses a WebSocket without the token or from a foreign origin', async () => {
    await expect(TestWsClient.connect(`ws://127.0.0.1:${host.port}/ws`)).rejects.toThrow(/401/);
    await expect(TestWsClient.connect(`ws://127.0.0.1:${host.port}/ws`, { ...auth(), origin: 'http://evil.example' })).rejects.toThrow(/403/);
  });

  it('runs a demo job and streams its log to two clients, byte for byte as on disk', async () => {
    const a = await TestWsClient.connect(`ws://127.0.0.1:${host.port}/ws`, auth());
    const b = await TestWsClient.connect(`ws://127.0.0.1:${host.port}/ws`, auth());
    const created = await a.call('createDemoJob', { items: 8, failRate: 0, itemDelayMs: 20 });
    expect(created.ok).toBe(true);
    const id = (created as { value: { id: number } }).value.id;
    const follow = (client: TestWsClient) =>
      new Promise<string>((resolve, reject) => {
        let text = '';
        client.subscribe('job.log', { id, offset: 0 }, (msg) => {
          const m = msg as { payload?: LogChunk; error?: unknown };
          if (m.error) return reject(new Error(JSON.stringify(m.error)));
          text += m.payload!.text;
          if (m.payload!.eof) resolve(text);
        });
      });
    const [ta, tb] = await Promise.all([follow(a), follow(b)]);
    const onDisk = readFileSync(fixture.engine.services.logs.paths(id).log, 'utf8');
    expect(ta).toBe(onDisk);
    expect(tb).toBe(onDisk);
    expect(onDisk).toContain('"result": "success"');
    a.close();
    b.close();
  });

  it('answers typed errors for bad calls, malformed frames and unknown streams', async () => {
    const c = await TestWsClient.connect(`ws://127.0.0.1:${host.port}/ws`, auth());
    expect(await c.call('getJob', { id: -4 })).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    expect(await c.call('getJob', { id: 987654 })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(await c.call('dropTables', {})).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    const err = await new Promise((resolve) => c.subscribe('job.log', { id: 987654 }, resolve));
    expect(err).toMatchObject({ error: { code: 'NOT_FOUND' } });
    c.ws.send('{not json');
    // The engine keeps answering after all that; frames of one socket are answered in order, so
    // the answer to the malformed one has come by the time this one is answered.
    expect(await c.call('health', {})).toMatchObject({ ok: true, value: { ok: true } });
    expect(c.malformed[0]).toMatchObject({ res: { ok: false, error: { code: 'INVALID_INPUT' } } });
    c.close();
  });

  it('offers the same commands over HTTP with a bearer token', async () => {
    const res = await fetch(`http://127.0.0.1:${host.port}/api/call/listJobs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${host.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ limit: 5 }),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { ok: boolean; value: { total: number } };
    expect(body.ok).toBe(true);
    expect(body.value.total).toBeGreaterThan(0);
    const bad = await fetch(`http://127.0.0.1:${host.port}/api/call/listJobs`, { method: 'POST', body: '{}' });
    expect(bad.status).toBe(401);
  });
});
