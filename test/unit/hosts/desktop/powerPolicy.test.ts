import { afterEach, describe, expect, it, vi } from 'vitest';
import { PowerPolicy } from '../../../../main/hosts/desktop/powerPolicy';
import { startEngine, waitForJob } from '../../../helpers/engineFixture';
import { runningDemo, stateOf } from './demoJobs';

/** Electron's powerSaveBlocker as the policy sees it: which blocks are held now. */
function sleepBlocker() {
  let next = 1;
  const held = new Set<number>();
  return { held, start: () => (held.add(next), next++), stop: (id: number) => void held.delete(id) };
}

describe('sleep, wake and the network', () => {
  let dispose: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await dispose?.();
    dispose = undefined;
  });

  it('pauses running transfers on suspend and resumes on wake only those Ferry paused', async () => {
    const f = startEngine();
    dispose = f.dispose;
    const policy = new PowerPolicy(f.engine, true, sleepBlocker());
    const ours = await runningDemo(f.engine, 'runs into the night');
    const users = await runningDemo(f.engine, 'paused by the user');
    f.engine.services.jobs.pause(users);

    policy.suspend();
    expect([stateOf(f.engine, ours), stateOf(f.engine, users)]).toEqual(['paused', 'paused']);
    policy.wake(true);
    await waitForJob(f.engine, ours, (j) => j.state === 'running');
    expect(stateOf(f.engine, users)).toBe('paused');
    // Once resumed, a second wake has nothing of Ferry's to resume.
    policy.wake(true);
    expect(stateOf(f.engine, users)).toBe('paused');
  });

  it('waking up offline waits for the network; losing the network pauses, its return resumes', async () => {
    const f = startEngine();
    dispose = f.dispose;
    const policy = new PowerPolicy(f.engine, true, sleepBlocker());
    const id = await runningDemo(f.engine, 'needs the network');

    policy.suspend();
    policy.wake(false);
    expect(stateOf(f.engine, id)).toBe('paused');
    policy.network(false);
    expect(stateOf(f.engine, id)).toBe('paused');
    policy.network(true);
    await waitForJob(f.engine, id, (j) => j.state === 'running');

    policy.network(false);
    expect(stateOf(f.engine, id)).toBe('paused');
    policy.network(false);
    policy.network(true);
    await waitForJob(f.engine, id, (j) => j.state === 'running');
  });

  it('a job the user resumed or canceled meanwhile is left as the user left it', async () => {
    const f = startEngine();
    dispose = f.dispose;
    const policy = new PowerPolicy(f.engine, true, sleepBlocker());
    const id = await runningDemo(f.engine, 'canceled while asleep');
    policy.suspend();
    f.engine.services.jobs.cancel(id);
    await waitForJob(f.engine, id, (j) => j.state === 'canceled');
    policy.wake(true);
    expect(stateOf(f.engine, id)).toBe('canceled');
  });

  it('keeps the computer awake while something runs, and lets it sleep when idle or quitting', async () => {
    const f = startEngine();
    dispose = f.dispose;
    const blocker = sleepBlocker();
    const policy = new PowerPolicy(f.engine, true, blocker);
    policy.update(f.engine.stats());
    expect(blocker.held.size).toBe(0);
    const id = await runningDemo(f.engine, 'keeps awake');
    policy.update(f.engine.stats());
    policy.update(f.engine.stats());
    expect(blocker.held.size).toBe(1);
    f.engine.services.jobs.pause(id);
    await vi.waitFor(() => expect(f.engine.stats().running).toBe(0), { timeout: 10_000 });
    policy.update(f.engine.stats());
    expect(blocker.held.size).toBe(0);
    f.engine.services.jobs.resume(id);
    await waitForJob(f.engine, id, (j) => j.state === 'running');
    policy.update(f.engine.stats());
    expect(blocker.held.size).toBe(1);
    policy.dispose();
    expect(blocker.held.size).toBe(0);
  });
});
