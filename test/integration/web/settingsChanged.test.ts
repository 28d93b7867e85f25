import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Connection } from '../../../main/cli/connection';
import type { Instance } from '../../../main/cli/instance';
import { startWebHost, type WebHost } from '../../../main/hosts/web/webHost';
import { DEFAULT_SETTINGS, type Settings } from '../../../shared/settings';
import { startEngine } from '../../helpers/engineFixture';
import { TestWsClient } from '../../helpers/wsClient';

type Message = { payload?: Settings; error?: { code: string } };

/** A `settings.changed` subscription on its own socket, with what it has received so far. */
class SettingsFollower {
  readonly messages: Message[] = [];
  private waiters: Array<() => void> = [];

  private constructor(readonly client: TestWsClient) {}

  static async open(host: WebHost): Promise<SettingsFollower> {
    const client = await TestWsClient.connect(`ws://127.0.0.1:${host.port}/ws`, { authorization: `Bearer ${host.token}` });
    const follower = new SettingsFollower(client);
    client.subscribe('settings.changed', {}, (msg) => {
      follower.messages.push(msg as Message);
      for (const wake of follower.waiters.splice(0)) wake();
    });
    // The host handles one socket's frames in order: once this answers, the subscription is open.
    await client.call('getSettings', {});
    return follower;
  }

  /** Resolves once `count` messages have arrived in all. */
  async received(count: number, timeoutMs = 5000): Promise<Message[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.messages.length < count) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`expected ${count} settings.changed message(s), got ${this.messages.length}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.messages;
  }

  close(): void {
    this.client.close();
  }
}

describe('settings.changed over the web host', () => {
  let fixture: ReturnType<typeof startEngine>;
  let host: WebHost;
  let rendererDir: string;
  const open: SettingsFollower[] = [];

  const follower = async () => {
    const f = await SettingsFollower.open(host);
    open.push(f);
    return f;
  };
  const update = async (client: TestWsClient, patch: Partial<Settings>): Promise<Settings> => {
    const res = await client.call('updateSettings', patch);
    if (!res.ok) throw new Error(`updateSettings: ${res.error.code} ${res.error.message}`);
    return res.value as Settings;
  };

  beforeAll(async () => {
    fixture = startEngine();
    rendererDir = mkdtempSync(join(tmpdir(), 'ferry-renderer-'));
    writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>Ferry</title>');
    host = await startWebHost({ engine: fixture.engine, rendererDir });
  });

  afterEach(() => {
    for (const f of open.splice(0)) f.close();
    // Each test starts from the defaults (a change no later follower sees).
    fixture.engine.services.settings.update(DEFAULT_SETTINGS);
  });

  afterAll(async () => {
    await host.close();
    await fixture.dispose();
    rmSync(rendererDir, { recursive: true, force: true });
  });

  it('a change made in one client reaches the other once, with the full effective settings', async () => {
    const a = await follower();
    const b = await follower();
    expect(b.messages).toEqual([]);

    const answered = await update(a.client, { theme: 'dark', bandwidthLimit: 5_000_000 });
    expect(answered).toMatchObject({ theme: 'dark', bandwidthLimit: 5_000_000, concurrency: DEFAULT_SETTINGS.concurrency });
    const [first] = await b.received(1);
    expect(first).toEqual({ payload: answered });
    expect(Object.keys(first!.payload!).sort()).toEqual(Object.keys(DEFAULT_SETTINGS).sort());
    // The client that saved hears it too (another of its windows may be open).
    expect((await a.received(1))[0]).toEqual({ payload: answered });

    // A second change is a fence: a duplicate of the first would have arrived before it.
    const second = await update(a.client, { concurrency: 9 });
    expect(await b.received(2)).toEqual([{ payload: answered }, { payload: second }]);
    expect(second).toMatchObject({ theme: 'dark', bandwidthLimit: 5_000_000, concurrency: 9 });
    // And the engine acts on it: the scheduler runs 9 at once now.
    const health = await b.client.call('health', {});
    expect(health).toMatchObject({ ok: true, value: { scheduler: { concurrency: 9 } } });
  });

  it('a patch that changes nothing, or that is refused, emits nothing', async () => {
    const a = await follower();
    const b = await follower();
    const current = await update(a.client, { theme: 'light' });
    await b.received(1);

    expect(await update(a.client, { theme: 'light' })).toEqual(current);
    expect(await update(a.client, {})).toEqual(current);
    expect(await update(a.client, current)).toEqual(current);
    expect(await a.client.call('updateSettings', { concurrency: 0 })).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    expect(await a.client.call('updateSettings', { themes: 'dark' })).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });

    const fence = await update(a.client, { retentionDays: 7 });
    expect(await b.received(2)).toEqual([{ payload: current }, { payload: fence }]);
  });

  it('a change made by the CLI (HTTP with the bearer token) reaches a WebSocket client', async () => {
    const b = await follower();
    const instance = { origin: `http://127.0.0.1:${host.port}`, token: host.token, pid: process.pid, file: 'instance.json' } as Instance;
    const answered = await new Connection(instance).call('updateSettings', { notifyOnFailure: false, parallelFiles: 2 });
    expect(await b.received(1)).toEqual([{ payload: answered }]);
    expect(answered).toMatchObject({ notifyOnFailure: false, parallelFiles: 2 });
  });

  it('refuses parameters, and a closed subscription hears nothing more', async () => {
    const c = await TestWsClient.connect(`ws://127.0.0.1:${host.port}/ws`, { authorization: `Bearer ${host.token}` });
    const refused = await new Promise((resolve) => c.subscribe('settings.changed', { since: 3 }, resolve));
    expect(refused).toMatchObject({ error: { code: 'INVALID_INPUT' } });
    c.close();

    const a = await follower();
    const b = await follower();
    const heard: unknown[] = [];
    const stop = b.client.subscribe('settings.changed', {}, (msg) => heard.push(msg));
    stop();
    await b.client.call('getSettings', {});
    await update(a.client, { theme: 'dark' });
    await b.received(1);
    expect(heard).toEqual([]);
  });
});

describe('SettingsService listeners', () => {
  it('a listener that throws neither fails the update nor keeps the others from hearing it', async () => {
    const { engine, dispose } = startEngine();
    try {
      const heard: Settings[] = [];
      engine.services.settings.subscribe(() => {
        throw new Error('listener broke');
      });
      const stop = engine.services.settings.subscribe((s) => heard.push(s));
      expect(heard).toEqual([]);
      const saved = engine.services.settings.update({ chunkSizeMiB: 32 });
      expect(saved.chunkSizeMiB).toBe(32);
      expect(heard).toEqual([saved]);
      stop();
      engine.services.settings.update({ chunkSizeMiB: 64 });
      expect(heard).toHaveLength(1);
      expect(engine.services.settings.get().chunkSizeMiB).toBe(64);
    } finally {
      await dispose();
    }
  });
});
