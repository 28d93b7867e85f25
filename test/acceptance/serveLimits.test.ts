/** Defect 13 from outside: `ferry serve`'s limit flags reach the scheduler, and health shows them. */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Health } from '../../shared/contract';
import { ServeExited, startServedFerry, type ServedFerry } from '../helpers/servedFerry';
import { makeTmpDir, type TmpDir } from '../helpers/tmpDir';

describe('ferry serve limit flags', () => {
  let tmp: TmpDir | undefined;
  let running: ServedFerry | undefined;
  afterEach(async () => {
    await running?.kill9();
    await tmp?.cleanup();
  });

  it('shows the limits it was started with in health, with the receiver running', async () => {
    tmp = makeTmpDir('ferry-accept-limits');
    running = await startServedFerry(join(tmp.dir, 'data'), ['--kind-concurrency', 'upload=2,verify=1', '--destination-concurrency', '3', '--kind-timeout', 'command=60']);
    const health = await running.call<Health>('health');
    expect(health).toMatchObject({ ok: true, receiver: { state: 'running' } });
    expect(health.scheduler).toMatchObject({ perKind: { upload: 2, verify: 1 }, perDestination: 3, timeouts: { command: 60_000, upload: null } });
    await running.kill9();
    running = undefined;
    const bad = await startServedFerry(join(tmp.dir, 'data'), ['--kind-timeout', 'command=soon']).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(ServeExited);
    expect((bad as ServeExited).output).toContain('ferry serve: --kind-timeout command=soon');
  }, 60_000);
});
