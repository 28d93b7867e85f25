/**
 * Defect 6: one instance per data directory. Two real `ferry serve` processes on one data
 * directory; the second is refused and names the first. A kill -9 leaves no lock behind.
 */
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ServeExited, startServedFerry, type ServedFerry } from '../helpers/servedFerry';
import { makeTmpDir, type TmpDir } from '../helpers/tmpDir';

describe('two instances on one data directory', () => {
  let tmp: TmpDir;
  const started: ServedFerry[] = [];
  beforeEach(() => {
    tmp = makeTmpDir('ferry-accept-lock');
  });
  afterEach(async () => {
    for (const s of started.splice(0)) await s.kill9();
    await tmp.cleanup();
  });

  const refusal = async (dataDir: string): Promise<ServeExited> => {
    const err = await startServedFerry(dataDir).then(
      (s) => {
        started.push(s);
        return undefined;
      },
      (e: unknown) => e,
    );
    expect(err, 'a second instance started on the same data directory').toBeInstanceOf(ServeExited);
    return err as ServeExited;
  };

  it('refuses a second ferry serve with the running one named, and the first carries on', async () => {
    const dataDir = join(tmp.dir, 'data');
    const first = await startServedFerry(dataDir);
    started.push(first);
    const refused = await refusal(dataDir);
    expect(refused.code).toBe(1);
    expect(refused.output).toContain(`Another Ferry instance is using ${dataDir}`);
    expect(refused.output).toContain(`pid ${first.process.pid}`);
    expect(refused.output).toContain(new URL(first.url).origin);
    // The refused one touched nothing: the first still answers with a sound database.
    expect(await first.call<{ database: string }>('health', { deep: true })).toMatchObject({ database: 'ok' });
  }, 90_000);

  it('starts after the holder was killed with SIGKILL (a stale lock does not block)', async () => {
    const dataDir = join(tmp.dir, 'data');
    const first = await startServedFerry(dataDir);
    await first.kill9();
    const second = await startServedFerry(dataDir);
    started.push(second);
    expect(await second.call<{ database: string }>('health')).toMatchObject({ database: 'ok' });
    // And it holds the directory in turn.
    expect((await refusal(dataDir)).output).toContain(`pid ${second.process.pid}`);
  }, 90_000);
});
