/**
 * A dataset of many small files after a kill -9 half way: `ferry serve` runs as shipped with
 * default settings, sends to the built-in receiver, is killed once about half the files are done
 * and started again on the same data directory. What the receiver held at the kill stays as it was
 * (at most the batches in flight, one batch's worth, are sent again) and the dataset lands whole.
 */
import { readdirSync, readFileSync, statSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { JobView } from '../../shared/model';
import { startServedFerry, waitUntil, type ServedFerry } from '../helpers/servedFerry';
import { makeTmpDir, type TmpDir } from '../helpers/tmpDir';

const FILES = 3000;
/** Slow enough that the kill lands half way on any machine; lifted after the restart. */
const THROTTLE = 256 * 1024;
/** The most files one batch to the receiver carries. */
const BATCH_FILES = 512;

/** Every file below `dir` by its path there, with what changes when it is written again. */
function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string, rel: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(join(d, e.name), r);
      else {
        const s = statSync(join(d, e.name));
        out.set(r, `${s.ino}:${s.mtimeMs}`);
      }
    }
  };
  walk(dir, '');
  return out;
}

describe('a dataset of small files after kill -9 (ferry serve, default settings)', () => {
  let tmp: TmpDir;
  let running: ServedFerry | undefined;
  beforeEach(() => {
    tmp = makeTmpDir('ferry-accept-dataset-kill');
  });
  afterEach(async () => {
    await running?.kill9();
    await tmp.cleanup();
  });

  it('does not send again what landed before the kill, and lands every file', async () => {
    const src = join(tmp.dir, 'plate');
    for (let i = 0; i < FILES; i++) {
      const dir = join(src, `well-${i % 30}`);
      if (i < 30) mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, `f${i}.dat`), `${i}\n`.repeat(1 + (i % 200)));
    }
    const dataDir = join(tmp.dir, 'data');
    running = await startServedFerry(dataDir);
    await running.call('updateSettings', { bandwidthLimit: THROTTLE });
    const job = await running.call<JobView>('createUpload', { paths: [src], name: 'plate' });
    const first = running;
    await waitUntil('half the files sent', async () => {
      const j = await first.call<JobView>('getJob', { id: job.id });
      expect(j.state, `the job ended before the kill: ${j.error}`).toBe('running');
      return j.counts.processed >= FILES / 2;
    });
    await running.kill9();
    const stored = join(dataDir, 'received', 'plate');
    const atKill = snapshot(stored);
    expect(atKill.size).toBeGreaterThanOrEqual(FILES / 2);

    running = await startServedFerry(dataDir);
    await running.call('updateSettings', { bandwidthLimit: 0 });
    const second = running;
    const done = await waitUntil('the job to end', async () => {
      const j = await second.call<JobView>('getJob', { id: job.id });
      return ['completed', 'failed', 'canceled'].includes(j.state) ? j : undefined;
    });
    const log = readFileSync(join(dataDir, 'jobs', String(job.id), 'job.log'), 'utf8');
    expect(done.state, log.slice(-2000)).toBe('completed');
    expect(done.counts).toMatchObject({ processed: FILES, failed: 0 });
    const after = snapshot(stored);
    // Every file once (plus the manifest and dataset.json), none of them a second copy.
    expect(after.size).toBe(FILES + 2);
    const sentAgain = [...atKill].filter(([rel, sig]) => after.get(rel) !== sig).length;
    expect(sentAgain).toBeLessThanOrEqual(BATCH_FILES);
    expect(readFileSync(join(stored, 'well-7', 'f2977.dat'), 'utf8')).toBe('2977\n'.repeat(1 + (2977 % 200)));
    const manifest = readFileSync(join(stored, 'manifest-sha256.txt'), 'utf8').trim().split('\n');
    expect(manifest).toHaveLength(FILES);
    expect(log).toMatch(/Resuming: \d+ of 3000 files already sent/);
  }, 240_000);
});
