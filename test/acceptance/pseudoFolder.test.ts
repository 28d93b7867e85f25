/**
 * Defect 8: a folder destination on a pseudo-filesystem (/proc/self) held the whole app at
 * 100 % CPU, and again at every start. Such places are refused when saved, and a destination
 * saved earlier fails its job with a clear error while the instance keeps answering.
 */
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DestinationView } from '../../shared/destinations';
import type { JobView } from '../../shared/model';
import { startServedFerry, waitUntil, type ServedFerry } from '../helpers/servedFerry';
import { makeTmpDir, type TmpDir } from '../helpers/tmpDir';

const refusal = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (err: Error & { code?: string }) => ({ code: err.code, message: err.message }),
  );

describe('folder destinations on a pseudo-filesystem', () => {
  let tmp: TmpDir;
  let running: ServedFerry | undefined;
  beforeEach(() => {
    tmp = makeTmpDir('ferry-accept-pseudo');
    mkdirSync(join(tmp.dir, 'src'));
    writeFileSync(join(tmp.dir, 'src', 'a.txt'), 'first file\n');
    writeFileSync(join(tmp.dir, 'src', 'b.txt'), 'second file\n');
  });
  afterEach(async () => {
    await running?.kill9();
    await tmp.cleanup();
  });

  it.runIf(process.platform === 'linux')('refuses /proc, /sys, /dev and a link into them when the destination is saved', async () => {
    running = await startServedFerry(join(tmp.dir, 'data'));
    const save = (path: string) => running!.call<DestinationView>('saveDestination', { name: `at ${path}`, kind: 'folder', config: { path } });
    symlinkSync('/proc/self', join(tmp.dir, 'link-to-proc'));
    for (const path of ['/proc/self', '/proc/self/new-folder', '/sys/kernel', '/dev', join(tmp.dir, 'link-to-proc'), join(tmp.dir, 'link-to-proc', 'fd')]) {
      const err = await refusal(save(path));
      expect(err, path).toMatchObject({ code: 'INVALID_INPUT' });
      expect(err!.message, path).toMatch(/where the system shows itself as files; nothing can be stored there/);
    }
    // An ordinary folder, even one that does not exist yet, is accepted; nothing refused was saved.
    await save(join(tmp.dir, 'not-yet', 'there'));
    const saved = await running.call<DestinationView[]>('listDestinations');
    expect(new Set(saved.map((d) => d.name))).toEqual(new Set([`at ${join(tmp.dir, 'not-yet', 'there')}`, 'This computer (built-in receiver)']));
  }, 60_000);

  it.runIf(process.platform === 'linux')('fails the job of a destination saved earlier with the reason, and the app keeps answering', async () => {
    const dataDir = join(tmp.dir, 'data');
    running = await startServedFerry(dataDir);
    expect(await running.stop()).toBe(0);
    // As an older Ferry saved it, before such paths were refused.
    const db = new Database(join(dataDir, 'ferry.db'));
    db.prepare(`INSERT INTO destinations (id, name, kind, config, created_at, updated_at) VALUES ('old-proc', 'Old proc folder', 'folder', ?, 0, 0)`).run(
      JSON.stringify({ path: '/proc/self' }),
    );
    db.close();

    running = await startServedFerry(dataDir);
    const served = running;
    const job = await served.call<JobView>('createUpload', { paths: [join(tmp.dir, 'src')], destinationId: 'old-proc', name: 'set' });
    const ended = await waitUntil(
      'the job to end',
      async () => {
        const j = await served.call<JobView>('getJob', { id: job.id });
        return j.state === 'failed' || j.state === 'completed' ? j : undefined;
      },
      30_000,
    );
    expect(ended).toMatchObject({ state: 'failed', attempts: 1 });
    expect(ended.error).toMatch(/Old proc folder: \/proc\/self is inside \/proc/);
    expect(await served.call<{ database: string }>('health')).toMatchObject({ database: 'ok' });
    // The test connection says the same instead of writing into /proc.
    expect(await served.call('testDestination', { id: 'old-proc' })).toMatchObject({ ok: false, message: expect.stringContaining('is inside /proc') });
  }, 60_000);
});
