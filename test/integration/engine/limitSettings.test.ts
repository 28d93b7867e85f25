/**
 * Defect 13: per-kind and per-destination concurrency and per-kind timeouts are settings a user
 * can change, and health shows them, the receiver's state and each destination's reachability.
 */
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { Health } from '../../../shared/contract';
import type { JobView } from '../../../shared/model';
import { startFerryServices } from '../../helpers/servicesFixture';
import { waitForJob } from '../../helpers/engineFixture';

type Services = Awaited<ReturnType<typeof startFerryServices>>;

describe('limits as settings, and what health reports', () => {
  let services: Services | undefined;
  afterEach(async () => {
    await services?.dispose();
    services = undefined;
  });

  it('runs no more jobs of a kind than its setting allows, and health shows the limits', async () => {
    services = await startFerryServices();
    const { engine } = services;
    await engine.commands.updateSettings({ concurrency: 8, kindConcurrency: { demo: 1 }, destinationConcurrency: 2, kindTimeoutSeconds: { command: 90 } });
    const jobs: JobView[] = [];
    for (let i = 0; i < 3; i++) jobs.push(await engine.commands.createDemoJob({ items: 5, itemDelayMs: 20, failRate: 0, linesPerItem: 1, priority: 'normal' }));
    const ended: JobView[] = [];
    for (const j of jobs) ended.push(await waitForJob(engine, j.id, (v) => v.state === 'completed'));
    // One at a time: each started only after the one before it had finished.
    ended.sort((x, y) => x.startedAt! - y.startedAt!);
    for (let i = 1; i < ended.length; i++) expect(ended[i]!.startedAt!).toBeGreaterThanOrEqual(ended[i - 1]!.finishedAt!);
    const health = await engine.commands.health({ deep: false });
    expect(health.scheduler).toMatchObject({ concurrency: 8, perKind: { demo: 1 }, perDestination: 2, timeouts: { command: 90_000, upload: null } });
  });

  it('ends an attempt that runs past its kind time limit', async () => {
    services = await startFerryServices({ basePolicy: { maxAttempts: 1 } });
    const { engine } = services;
    await engine.commands.updateSettings({ kindTimeoutSeconds: { demo: 1 } });
    // 20 items of 1 s each: only the limit can end it before it completes.
    const job = await engine.commands.createDemoJob({ items: 20, itemDelayMs: 1000, failRate: 0, linesPerItem: 1, priority: 'normal' });
    const ended = await waitForJob(engine, job.id, (v) => v.state === 'failed' || v.state === 'completed', 30_000);
    expect(ended.state).toBe('failed');
    expect(ended.error).toMatch(/ran longer than its 1\.0 s limit/);
  });

  it('is not ok while the receiver failed to start, and says why', async () => {
    const squatter = net.createServer((s) => s.destroy());
    await new Promise<void>((r) => squatter.listen(0, '127.0.0.1', r));
    try {
      services = await startFerryServices();
      const { engine } = services;
      expect(await engine.commands.health({ deep: false })).toMatchObject({ ok: true, receiver: { state: 'running' } });
      await engine.commands.updateSettings({ receiverPort: (squatter.address() as net.AddressInfo).port });
      await engine.services.receiver.restart();
      const health = await engine.commands.health({ deep: false });
      expect(health.ok).toBe(false);
      expect(health.receiver).toMatchObject({ state: 'failed', url: null, error: expect.stringContaining('did not start') });
      expect(health.warnings).toContainEqual(expect.stringContaining('did not start'));
    } finally {
      await new Promise((r) => squatter.close(r));
    }
  });

  it('reports each destination reachable or not, checked in the background', async () => {
    const closed = net.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const deadPort = (closed.address() as net.AddressInfo).port;
    await new Promise((r) => closed.close(r));
    services = await startFerryServices();
    const { engine } = services;
    const dead = await engine.commands.saveDestination({ name: 'Nobody home', kind: 'tus', config: { endpoint: `http://127.0.0.1:${deadPort}/files/` } } as never);
    const first = await engine.commands.health({ deep: false });
    // The first call does not wait for the checks it starts.
    expect(first.destinations?.find((d) => d.id === dead.id)).toMatchObject({ reachable: null, checkedAt: null });
    let health: Health = first;
    while (health.destinations!.some((d) => d.reachable === null)) {
      await new Promise((r) => setImmediate(r));
      health = await engine.commands.health({ deep: false });
    }
    expect(health.destinations!.find((d) => d.id === 'builtin')).toMatchObject({ reachable: true });
    expect(health.destinations!.find((d) => d.id === dead.id)).toMatchObject({ reachable: false, message: expect.stringContaining('the connection was refused') });
    expect(health.warnings).toContainEqual(expect.stringContaining('Nobody home did not answer'));
  });
});
