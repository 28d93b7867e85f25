/**
 * Finding 1, at the HTTP level: the web host acts only on requests that prove the token themselves
 * (a header, never a cookie every local port receives), come from its own origin, and name it in
 * the Host header. Each refusal is checked against what the engine did: nothing.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebStaging, webHostServices } from '../../main/hosts/web/staging';
import { startWebHost, type WebHost } from '../../main/hosts/web/webHost';
import { WS_CLOSE_UNAUTHORIZED, WS_PROTOCOL, WS_TOKEN_PREFIX } from '../../shared/wire';
import { Instance } from '../acceptance/support/instance';
import { startEngine } from '../helpers/engineFixture';
import { TestWsClient } from '../helpers/wsClient';

interface Answer {
  status: number;
  body: string;
  headers: Record<string, string | string[] | undefined>;
}

/** A raw request, so any Host, Origin or Cookie header goes out exactly as an attacker sends it. */
function send(port: number, method: string, path: string, headers: Record<string, string>, body = ''): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text, headers: res.headers }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Opens a socket; resolves with how it ended: refused at the upgrade, or closed (with its code), or open. */
function tryWebSocket(url: string, options: { headers?: Record<string, string>; protocols?: string[] }): Promise<{ outcome: 'refused'; status: number } | { outcome: 'closed'; code: number } | { outcome: 'open' }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, options.protocols ?? [], { headers: options.headers ?? {} });
    ws.once('unexpected-response', (_req, res) => resolve({ outcome: 'refused', status: res.statusCode ?? 0 }));
    ws.once('close', (code) => resolve({ outcome: 'closed', code }));
    ws.once('open', () => {
      // An accepted socket is asked something: an answer means it is usable (a hole), a close means refused.
      ws.send(JSON.stringify({ t: 'call', id: 1, name: 'health', input: {} }));
      ws.once('message', () => {
        resolve({ outcome: 'open' });
        ws.close();
      });
    });
    ws.once('error', () => undefined);
  });
}

describe('web host: only the token holder, from its own origin, may act', () => {
  let fixture: ReturnType<typeof startEngine>;
  let host: WebHost;
  let rendererDir: string;
  const jobCount = () => fixture.engine.services.repo.idsByState(['queued', 'running', 'paused', 'completed', 'failed', 'canceled']).length;
  const call = (name: string, headers: Record<string, string>, body = '{"items":1,"itemDelayMs":0,"failRate":0}') => send(host.port, 'POST', `/api/call/${name}`, headers, body);
  const bearer = () => ({ authorization: `Bearer ${host.token}` });
  const own = () => `http://127.0.0.1:${host.port}`;

  let dataDir: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'ferry-sec-web-'));
    const staging = new WebStaging(dataDir);
    fixture = startEngine({ dataDir, host: webHostServices(staging) });
    rendererDir = mkdtempSync(join(tmpdir(), 'ferry-renderer-'));
    writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>Ferry</title>');
    host = await startWebHost({ engine: fixture.engine, staging, rendererDir });
  });

  afterAll(async () => {
    await host.close();
    await fixture.dispose();
    rmSync(rendererDir, { recursive: true, force: true });
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('sets no cookie when the page is opened with its token', async () => {
    const page = await send(host.port, 'GET', `/?token=${host.token}`, {});
    expect(page.status).toBe(200);
    expect(page.headers['set-cookie']).toBeUndefined();
  });

  it('refuses a state-changing call that carries the token only in a cookie or the URL', async () => {
    const before = jobCount();
    const cookie = await call('createDemoJob', { cookie: `ferry_token=${host.token}`, 'content-type': 'application/json' });
    expect(cookie.status).toBe(401);
    expect(JSON.parse(cookie.body)).toMatchObject({ ok: false, error: { code: 'UNAUTHORIZED' } });
    const query = await send(host.port, 'POST', `/api/call/createDemoJob?token=${host.token}`, { 'content-type': 'application/json' }, '{"items":1}');
    expect(query.status).toBe(401);
    expect(jobCount()).toBe(before);
  });

  it('refuses bodies a page can send without a preflight (form posts, text/plain), even with the token', async () => {
    const before = jobCount();
    for (const type of ['text/plain', 'text/plain;charset=UTF-8', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
      const res = await call('createDemoJob', { ...bearer(), 'content-type': type });
      expect(res.status, type).toBe(415);
      expect(JSON.parse(res.body)).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    }
    expect(jobCount()).toBe(before);
  });

  it('refuses a call from another origin or site, even with the token', async () => {
    const before = jobCount();
    const json = { ...bearer(), 'content-type': 'application/json' };
    for (const origin of [`http://127.0.0.1:${host.port + 1}`, `http://localhost:${host.port + 1}`, 'http://evil.example', 'null']) {
      expect((await call('createDemoJob', { ...json, origin })).status, origin).toBe(403);
    }
    expect((await call('createDemoJob', { ...json, 'sec-fetch-site': 'same-site' })).status).toBe(403);
    expect((await call('createDemoJob', { ...json, 'sec-fetch-site': 'cross-site' })).status).toBe(403);
    expect(jobCount()).toBe(before);
    // The host's own page, with the token in the header, is served.
    const ok = await call('createDemoJob', { ...json, origin: own(), 'sec-fetch-site': 'same-origin' });
    expect(ok.status).toBe(200);
    expect(jobCount()).toBe(before + 1);
  });

  it('refuses staging uploads without the token header or from another origin', async () => {
    const area = JSON.parse((await call('beginStaging', { ...bearer(), 'content-type': 'application/json' }, '{}')).body) as { value: { uploadUrl: string; path: string } };
    const path = `${area.value.uploadUrl}stolen.txt`;
    expect((await send(host.port, 'PUT', path, { cookie: `ferry_token=${host.token}` }, 'x')).status).toBe(401);
    expect((await send(host.port, 'PUT', path, { ...bearer(), origin: 'http://evil.example' }, 'x')).status).toBe(403);
    expect(() => readFileSync(join(area.value.path, 'stolen.txt'))).toThrow();
  });

  it('refuses a DNS-rebinding Host header on pages, calls and the WebSocket', async () => {
    const evil = { host: `rebind.evil.example:${host.port}` };
    expect((await send(host.port, 'GET', '/', evil)).status).toBe(421);
    expect((await call('createDemoJob', { ...evil, ...bearer(), 'content-type': 'application/json' })).status).toBe(421);
    const ws = await tryWebSocket(`ws://127.0.0.1:${host.port}/ws`, { headers: { ...evil, ...bearer() } });
    expect(ws).toMatchObject({ outcome: 'refused' });
  });

  it("opens the WebSocket only with the token (header or subprotocol) and only from the host's own origin", async () => {
    const url = `ws://127.0.0.1:${host.port}/ws`;
    const tokenProtocols = [WS_PROTOCOL, WS_TOKEN_PREFIX + host.token];
    // A page elsewhere, whatever it sends (the cookie it could ride on, even the token): refused.
    for (const origin of [`http://127.0.0.1:${host.port + 1}`, `http://localhost:${host.port + 1}`]) {
      expect(await tryWebSocket(url, { headers: { origin, cookie: `ferry_token=${host.token}` } })).toMatchObject({ outcome: 'refused', status: 403 });
      expect(await tryWebSocket(url, { headers: { origin }, protocols: tokenProtocols })).toMatchObject({ outcome: 'refused', status: 403 });
    }
    // The host's own page with a cookie or the token in the URL only: closed as unauthorised.
    expect(await tryWebSocket(url, { headers: { origin: own(), cookie: `ferry_token=${host.token}` }, protocols: [WS_PROTOCOL] })).toEqual({ outcome: 'closed', code: WS_CLOSE_UNAUTHORIZED });
    expect(await tryWebSocket(`${url}?token=${host.token}`, { headers: { origin: own() }, protocols: [WS_PROTOCOL] })).toEqual({ outcome: 'closed', code: WS_CLOSE_UNAUTHORIZED });
    // The renderer's way (subprotocol) and a script's (Bearer header) work.
    const viaProtocol = await new Promise<WebSocket>((resolve, reject) => {
      const ws = new WebSocket(url, tokenProtocols, { headers: { origin: own() } });
      ws.once('open', () => resolve(ws));
      ws.once('error', reject);
    });
    expect(viaProtocol.protocol).toBe(WS_PROTOCOL);
    viaProtocol.close();
    const script = await TestWsClient.connect(url, bearer());
    expect(await script.call('health', {})).toMatchObject({ ok: true });
    script.close();
  });
});

describe('ferry serve (the shipped bundle): the token rotates unless pinned', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });
  const tokenOf = (dataDir: string) => (JSON.parse(readFileSync(join(dataDir, 'instance.json'), 'utf8')) as { token: string }).token;

  it('makes a new token at each start; --pin-token keeps one; the old token stops working', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'ferry-sec-token-'));
    dirs.push(dataDir);
    const ferry = new Instance(dataDir);
    await ferry.start();
    const first = tokenOf(dataDir);
    await ferry.restart();
    const second = tokenOf(dataDir);
    expect(second).not.toBe(first);
    const port = (JSON.parse(readFileSync(join(dataDir, 'instance.json'), 'utf8')) as { port: number }).port;
    const stale = await send(port, 'POST', '/api/call/health', { authorization: `Bearer ${first}`, 'content-type': 'application/json' }, '{}');
    expect(stale.status).toBe(401);
    // The CLI reads the current token from instance.json and keeps working.
    expect(await ferry.cli(['status'])).toMatchObject({ code: 0 });
    await ferry.stop();

    const pinned = new Instance(dataDir, ['--pin-token']);
    await pinned.start();
    const a = tokenOf(dataDir);
    await pinned.restart();
    expect(tokenOf(dataDir)).toBe(a);
    await pinned.stop();
  });
});
