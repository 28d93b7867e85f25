import { execFileSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeTmpDir, type TmpDir } from '../helpers/tmpDir';
import { KiB, makeDataset, MiB, SEED, sha256 } from './support/dataset';
import { addDestination, compareLanded, storedContents, type Destination, type Kind } from './support/destinations';
import { CallError, finished, Instance, SERVE } from './support/instance';

/**
 * The defects of the "every byte, on every path" issue that a user meets from outside, each
 * driven through `ferry serve`, its API and its CLI (restarts, faults and cancel have files of
 * their own). Numbers refer to the issue; README.md in this folder maps them all.
 */

const refusal = (p: Promise<unknown>) =>
  p.then(
    () => 'accepted',
    (err: unknown) => (err instanceof CallError ? err.code : `not a typed error: ${String(err)}`),
  );

describe('defects seen from outside', () => {
  let tmp: TmpDir;
  const cleanups: Array<() => Promise<unknown>> = [];
  const fresh = async (args: string[] = []) => {
    tmp = makeTmpDir('ferry-acc-defects');
    const instance = new Instance(join(tmp.dir, 'data'), args);
    cleanups.push(() => tmp.cleanup());
    cleanups.push(() => instance.stop());
    await instance.start();
    return instance;
  };
  const destination = async (instance: Instance, kind: Kind) => {
    const dest = await addDestination(instance, kind, tmp.dir);
    cleanups.push(() => dest.close());
    return dest;
  };
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  for (const how of ['kill -9', 'a plain quit (SIGTERM)'] as const) {
    it(`3, 10: an upload to the default destination resumes after ${how}, showing its saved bytes at once`, async () => {
      const instance = await fresh();
      const dest = await destination(instance, 'receiver');
      const source = makeDataset(join(tmp.dir, 'src'), 'resume', [24 * MiB + 3, 50 * KiB], SEED + 31);
      await instance.call('updateSettings', { bandwidthLimit: 3 * MiB });
      const before = await instance.call('getReceiver', {});
      const job = await instance.call('createUpload', { paths: [source.dir], name: 'resume' });
      await instance.waitForJob(job.id, (j) => j.done >= 6 * MiB);
      if (how === 'kill -9') await instance.kill9();
      else expect(await instance.stop()).toBe(0);
      await instance.start();
      // Defect 10: the saved bytes show before the destination has answered anything.
      const first = await instance.call('getJob', { id: job.id });
      expect(first.done, 'progress right after the restart').toBeGreaterThan(0);
      expect.soft((await instance.call('getReceiver', {})).port, 'the receiver keeps its port').toBe(before.port);
      await instance.call('updateSettings', { bandwidthLimit: 0 });
      // Progress never falls below what was saved, not even before the destination answers.
      let lowest = first.done;
      const done = await instance.waitForJob(job.id, (j) => {
        lowest = Math.min(lowest, j.done);
        return finished(j);
      });
      expect(lowest, 'the least progress shown after the restart').toBe(first.done);
      expect(done, `seed ${SEED}`).toMatchObject({ state: 'completed', result: 'success' });
      expect(compareLanded(source.files, await dest.landed('resume'))).toEqual([]);
      expect(await dest.leftovers('resume')).toEqual([]);
    });
  }

  it('5: stop after current finishes what is in flight and starts nothing new, small-file batches included', async () => {
    const instance = await fresh();
    const dest = await destination(instance, 'folder');
    const count = 1000;
    const source = makeDataset(join(tmp.dir, 'src'), 'many', Array.from({ length: count }, (_, i) => 2 * KiB + i), SEED + 5);
    await instance.call('updateSettings', { bandwidthLimit: 256 * KiB });
    const job = await instance.call('createUpload', { paths: [source.dir], destinationId: dest.id, name: 'many' });
    await instance.waitForJob(job.id, (j) => j.done >= j.total / 4 && j.total > 0);
    await instance.call('stopAfterCurrent', { id: job.id });
    const stopped = await instance.waitForJob(job.id, (j) => !['running', 'queued'].includes(j.state));
    expect(stopped.state).toBe('paused');
    const landed = [...(await dest.landed('many')).keys()];
    expect(landed.length, 'files sent after "stop after current"').toBeLessThan(count * 0.9);
  });

  it('6: a second ferry serve on the same data directory refuses, naming the running instance', async () => {
    const first = await fresh();
    const second = new Instance(first.dataDir);
    const started = await second.start().then(
      () => 'started',
      (err: Error) => err.message,
    );
    if (started === 'started') await second.kill9();
    expect(started).toMatch(/exited with [1-9]/);
    expect(second.output).toContain(String(first.pid));
  });

  it('7: an upload in which every file failed ends failed, and the CLI exits 1', async () => {
    const instance = await fresh();
    const dest = await destination(instance, 'folder');
    const source = makeDataset(join(tmp.dir, 'src'), 'vanished', [12 * MiB, 10 * MiB + 1, 9 * MiB + 2], SEED + 7);
    await instance.call('updateSettings', { bandwidthLimit: 1 * MiB });
    const job = await instance.call('createUpload', { paths: [source.dir], destinationId: dest.id, name: 'vanished' });
    // Once the job has listed its files, they all disappear (a disk unplugged, a folder cleaned up).
    await instance.waitForJob(job.id, (j) => j.total > 0 && j.state === 'running');
    await instance.call('pauseJob', { id: job.id });
    await instance.waitForJob(job.id, (j) => j.state === 'paused');
    for (const rel of source.files.keys()) rmSync(join(source.dir, rel));
    await instance.call('updateSettings', { bandwidthLimit: 0 });
    await instance.call('resumeJob', { id: job.id });
    const follow = await instance.cli(['logs', '-f', String(job.id)]);
    const ended = await instance.call('getJob', { id: job.id });
    expect(ended.state).toBe('failed');
    expect(follow.code, 'ferry logs -f exit code').toBe(1);
    expect(storedContents(dest, 'vanished', 'manifest-sha256.txt'), 'no manifest of nothing').toBeNull();
  });

  it('7: a partly failed upload makes ferry upload --wait exit 1', async () => {
    const instance = await fresh();
    const dest = await destination(instance, 'folder');
    const source = makeDataset(join(tmp.dir, 'src'), 'partial', [10 * KiB, 20 * KiB], SEED + 8);
    // A name the folder refuses on some systems fails that file alone (defect 9).
    writeFileSync(join(source.dir, 'back\\slash.bin'), 'x');
    const run = await instance.cli(['upload', source.dir, '--to', dest.id!, '--name', 'partial', '--wait']);
    const [job] = (await instance.call('listJobs', { text: 'partial', textScope: 'names' })).jobs;
    expect(job?.result).toBe('partial');
    expect(run.code, run.stderr).toBe(1);
  });

  it('8: a folder destination on a pseudo-filesystem is refused when saved, and the app stays responsive', async () => {
    const instance = await fresh();
    for (const path of ['/proc/self', '/sys/kernel']) {
      expect(await refusal(instance.call('saveDestination', { name: 'proc', kind: 'folder', config: { path } })), path).toBe('INVALID_INPUT');
    }
    expect((await instance.call('health', {})).database).toBe('ok');
  });

  it('9: a missing path and a reserved dataset name are refused by createUpload before any job exists', async () => {
    const instance = await fresh();
    const source = makeDataset(join(tmp.dir, 'src'), 'ok', [10], SEED + 9);
    const before = (await instance.call('listJobs', {})).total;
    expect(await refusal(instance.call('createUpload', { paths: [join(tmp.dir, 'no-such-folder')] }))).toMatch(/^(INVALID_INPUT|NOT_FOUND)$/);
    expect(await refusal(instance.call('createUpload', { paths: [source.dir], name: '.incoming' }))).toBe('INVALID_INPUT');
    expect((await instance.call('listJobs', {})).total, 'jobs created by refused uploads').toBe(before);
  });

  it('9: a name with a backslash fails that file alone on a folder destination', async () => {
    const instance = await fresh();
    const dest = await destination(instance, 'folder');
    const source = makeDataset(join(tmp.dir, 'src'), 'bs', [10 * KiB, 30 * KiB, 5], SEED + 19);
    writeFileSync(join(source.dir, 'odd\\name.bin'), 'y');
    const job = await instance.call('createUpload', { paths: [source.dir], destinationId: dest.id, name: 'bs' });
    const ended = await instance.waitForJob(job.id);
    expect(ended.result).toBe('partial');
    expect(ended.counts.failed).toBe(1);
    const landed = await dest.landed('bs');
    for (const [rel, sha] of source.files) expect(landed.get(rel), rel).toEqual([sha]);
  });

  for (const kind of ['receiver', 'tus', 's3', 'folder'] as const) {
    it(`11: dataset.json lands beside the data on ${kind}, with seed 001's sensor types`, async () => {
      const instance = await fresh();
      const dest = await destination(instance, kind);
      const source = makeDataset(join(tmp.dir, 'src'), `meta-${kind}`, [3 * MiB, 4 * KiB], SEED + 11);
      const job = await instance.call('createUpload', {
        paths: [source.dir],
        destinationId: dest.id,
        name: `meta-${kind}`,
        metadata: { sensorType: 'TIFF', description: 'acceptance' } as never,
      });
      expect((await instance.waitForJob(job.id)).state).toBe('completed');
      const manifest = storedContents(dest, `meta-${kind}`, 'manifest-sha256.txt');
      const described = storedContents(dest, `meta-${kind}`, 'dataset.json');
      expect(manifest).not.toBeNull();
      expect(described, 'dataset.json at the destination').not.toBeNull();
      const text = JSON.stringify(JSON.parse(described!.toString('utf8')));
      expect(text).toContain(`meta-${kind}`);
      expect(text).toContain('TIFF');
      expect(text).toContain(sha256(manifest!));
      expect(text).toContain(String(source.bytes));
    });
  }

  it('12: the built-in receiver offers per-request SHA-256 checksums, and one bad byte costs one chunk', async () => {
    const instance = await fresh();
    const receiver = await instance.call('getReceiver', {});
    const options = await fetch(receiver.url!, { method: 'OPTIONS', headers: { 'Tus-Resumable': '1.0.0' } });
    expect(options.headers.get('tus-extension') ?? '').toMatch(/(^|,)\s*checksum\s*(,|$)/);
    expect(options.headers.get('tus-checksum-algorithm') ?? '').toMatch(/sha256/);

    const dest: Destination = await destination(instance, 'receiver-proxied');
    const size = 16 * MiB;
    const source = makeDataset(join(tmp.dir, 'src'), 'flip', [size], SEED + 12);
    // One byte inverted well inside the file: only its 1 MiB request should be sent again.
    dest.tcp!.setFaults({ flipByteAt: 9 * MiB + 12345 } as never);
    const job = await instance.call('createUpload', { paths: [source.dir], destinationId: dest.id, name: 'flip' });
    const ended = await instance.waitForJob(job.id);
    const sentUp = dest.tcp!.stats().bytesUp;
    expect(ended.state).toBe('completed');
    expect(compareLanded(source.files, await dest.landed('flip'))).toEqual([]);
    expect((dest.tcp!.stats() as { flipped?: number }).flipped, 'the byte was flipped').toBe(1);
    expect(sentUp, 'bytes sent for a 16 MiB file with one bad byte').toBeLessThan(size + 3 * MiB);
  });

  it('13: limits are ferry serve options, and health reports the receiver and each destination', async () => {
    const help = execFileSync(process.execPath, [SERVE, '--help'], { encoding: 'utf8' });
    expect(help).toMatch(/timeout/i);
    expect(help).toMatch(/per.?destination|destination-concurrency/i);
    const instance = await fresh();
    const dest = await destination(instance, 'folder');
    const health = (await instance.call('health', {})) as unknown as Record<string, unknown>;
    const text = JSON.stringify(health);
    expect(health).toHaveProperty('receiver');
    expect(text).toContain(dest.id!);
    expect(text).toMatch(/timeout/i);
  });
});
