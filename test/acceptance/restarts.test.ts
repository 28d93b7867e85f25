import { afterEach, describe, expect, it } from 'vitest';
import { seededRandom } from '../helpers/seededRandom';
import { makeTmpDir, type TmpDir } from '../helpers/tmpDir';
import { FULL, MiB, SEED } from './support/dataset';
import { finished } from './support/instance';
import { dataDirProblems, queueProblems, startMixedQueue, workDone, type MixedQueue } from './support/mixedQueue';
import type { JobView } from '../../shared/model';

/**
 * The README's promise: uploads resume after crashes and `kill -9`. A queue of every job kind is
 * interrupted at random points (seeded: FERRY_SEED replays a run) and restarted on the same data
 * directory each time; at the end every job has completed exactly once. After kill -9 an upload
 * created just before the kill may be orphaned at the destination (its id never saved), so
 * unfinished uploads are counted after graceful restarts only.
 */

const KILLS = FULL ? 12 : 3;
const RESTARTS = FULL ? 6 : 2;
const TIMEOUT = FULL ? 1_800_000 : 300_000;

/** Everything the queue still has to do, in the unit of `workDone`. */
const workLeft = (jobs: JobView[], expected: number) =>
  jobs.reduce((sum, j) => sum + (j.unit === 'bytes' ? j.total - j.done : 0), 0) + (expected - jobs.filter((j) => j.state === 'completed').length) * MiB;

/** The queue is through: every job finished, the verify steps included (unless an upload failed). */
const through = (expected: number) => (jobs: JobView[]) => jobs.every(finished) && (jobs.length >= expected || jobs.some((j) => j.state === 'failed'));

/**
 * Runs the queue, interrupting it `times` times with `interrupt` once it has done a random share
 * (5–35 %) of what is left; then lets it finish and checks everything a user would.
 */
async function interruptedRun(queue: MixedQueue, times: number, interrupt: () => Promise<void>, opts: { leftovers: boolean }): Promise<void> {
  const random = seededRandom(SEED);
  const { instance } = queue;
  let interruptions = 0;
  while (interruptions < times) {
    const jobs = await instance.jobs();
    if (through(queue.expectedJobs)(jobs)) break;
    const target = workDone(jobs) + (0.05 + 0.3 * random()) * workLeft(jobs, queue.expectedJobs);
    const at = await instance.waitForAll((now) => workDone(now) >= target || through(queue.expectedJobs)(now), TIMEOUT);
    if (through(queue.expectedJobs)(at)) break;
    await interrupt();
    interruptions++;
  }
  const where = `seed ${SEED}, ${interruptions} interruptions, ${instance.starts} starts`;
  expect(interruptions, `${where}: the queue finished before it could be interrupted`).toBeGreaterThan(0);
  const jobs = await instance.waitForAll(through(queue.expectedJobs), TIMEOUT);
  expect(jobs.length, where).toBeGreaterThanOrEqual(20);
  expect(await queueProblems(queue, jobs, opts), where).toEqual([]);
  expect(await instance.stop(), `${where}: exit code of the last graceful stop`).toBe(0);
  expect(dataDirProblems(instance.dataDir, jobs), where).toEqual([]);
}

describe('restarts across a mixed queue (uploads to every destination kind, downloads, verify and command jobs)', () => {
  let tmp: TmpDir | undefined;
  let queue: MixedQueue | undefined;
  afterEach(async () => {
    await queue?.close();
    await tmp?.cleanup();
  });

  it(
    'kill -9 at random points: every job completes once, one copy of each file, a sound database, one footer per attempt',
    async () => {
      tmp = makeTmpDir('ferry-acc-kill9');
      queue = await startMixedQueue(tmp.dir, SEED);
      const q = queue;
      await interruptedRun(q, KILLS, async () => {
        await q.instance.kill9();
        await q.instance.start();
      }, { leftovers: false });
    },
    TIMEOUT,
  );

  it(
    'graceful restarts (SIGTERM) at random points: the same',
    async () => {
      tmp = makeTmpDir('ferry-acc-sigterm');
      queue = await startMixedQueue(tmp.dir, SEED + 1);
      const q = queue;
      await interruptedRun(q, RESTARTS, async () => {
        expect(await q.instance.stop(), `seed ${SEED}: exit code after SIGTERM\n${q.instance.output.slice(-2000)}`).toBe(0);
        await q.instance.start();
      }, { leftovers: true });
    },
    TIMEOUT,
  );
});
