import { open, readFile, rm } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { dispatchCommand } from '../../../main/engine/api/dispatch';
import type { Engine } from '../../../main/engine/engine';
import type { JobView } from '../../../shared/model';
import { startEngine, waitForJob } from '../../helpers/engineFixture';
import { startFaultProxy } from '../../helpers/faultProxy';
import { startS3Server } from '../../helpers/s3Server';
import { makeDataset } from '../../helpers/servicesFixture';
import { makeTmpDir } from '../../helpers/tmpDir';
import { FakeTusServer } from '../upload/fixtures/fakeTusServer';
import { startTusServer } from '../upload/fixtures/tusServer';

/**
 * A verify job must establish the SHA-256 of what the destination stores: here the stored bytes
 * are damaged behind Ferry's back (same size, one byte changed, in the server's own storage), and
 * verify must notice; where the server lets nothing be read back, it must say so, not pass.
 */

const MiB = 1024 * 1024;
const DATASET = 'run7';
/** Over one 5 MiB part: a multipart object on S3, several PATCHes on tus. */
const FILES = { 'cube.h5': 11 * MiB + 321, 'notes/readme.txt': 3000 };
const finished = (j: JobView) => j.state === 'completed' || j.state === 'failed';

async function ok<T>(engine: Engine, command: string, input: Record<string, unknown>): Promise<T> {
  const res = await dispatchCommand(engine, command as never, input as never);
  if (!res.ok) throw new Error(JSON.stringify(res.error));
  return res.value as T;
}

/** Inverts one byte in the middle of a stored file: same size, other bytes. */
async function damage(file: string): Promise<void> {
  const fd = await open(file, 'r+');
  try {
    const { size } = await fd.stat();
    const one = Buffer.alloc(1);
    await fd.read(one, 0, 1, Math.floor(size / 2));
    one[0] = one[0]! ^ 0xff;
    await fd.write(one, 0, 1, Math.floor(size / 2));
  } finally {
    await fd.close();
  }
}

describe('verify establishes the SHA-256 of what is stored', () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  async function uploaded(destination: Record<string, unknown>): Promise<{ engine: Engine; upload: number }> {
    const ferry = startEngine();
    cleanups.push(ferry.dispose);
    const src = makeDataset(FILES);
    cleanups.push(() => rm(src, { recursive: true, force: true }));
    const { id: destinationId } = await ok<{ id: string }>(ferry.engine, 'saveDestination', destination);
    const job = await ok<JobView>(ferry.engine, 'createUpload', { paths: [src], name: DATASET, destinationId });
    const done = await waitForJob(ferry.engine, job.id, finished, 60_000);
    expect(done.state).toBe('completed');
    return { engine: ferry.engine, upload: job.id };
  }

  async function verify(engine: Engine, upload: number): Promise<{ job: JobView; log: string }> {
    const job = await ok<JobView>(engine, 'createVerifyJob', { sourceJobId: upload });
    const done = await waitForJob(engine, job.id, finished, 60_000);
    return { job: done, log: await readFile(engine.services.logs.paths(job.id).log, 'utf8') };
  }

  it('S3 without a full-object checksum: reads the objects back, and finds one damaged byte', async () => {
    const storage = makeTmpDir('ferry-verify-s3-');
    cleanups.push(storage.cleanup);
    const s3 = await startS3Server(storage.dir);
    cleanups.push(() => s3.close());
    const config = { endpoint: s3.endpoint, bucket: s3.bucket, accessKeyId: 'S3RVER', forcePathStyle: true, partSizeMiB: 5, parallelParts: 2 };
    const { engine, upload } = await uploaded({ name: 'Bucket', kind: 's3', config, secret: { secretAccessKey: 'S3RVER' } });

    const first = await verify(engine, upload);
    expect(first.job.state, first.log).toBe('completed');
    expect(first.log).toMatch(/OK {8}cube\.h5 \(verified by read-back sha256\)/);
    expect(first.log).toMatch(/OK {8}notes\/readme\.txt \(verified by read-back sha256\)/);

    await damage(s3.objectFile(`${DATASET}/cube.h5`));
    const second = await verify(engine, upload);
    expect(second.job.state).toBe('failed');
    expect(second.job.error).toMatch(/1 of 2 files differ/);
    expect(second.log).toMatch(/MISMATCH {2}cube\.h5: sha256 [0-9a-f]{64}, expected [0-9a-f]{64} \(by read-back sha256\)/);
    expect(second.log).toMatch(/OK {8}notes\/readme\.txt/);
  });

  it('@tus/server: reads each upload back with GET, and finds one damaged byte', async () => {
    const storage = makeTmpDir('ferry-verify-tus-');
    cleanups.push(storage.cleanup);
    const tus = await startTusServer(storage.dir);
    cleanups.push(() => tus.close());
    const { engine, upload } = await uploaded({ name: 'Lab tus', kind: 'tus', config: { endpoint: tus.endpoint, chunkSizeMiB: 1 } });

    const first = await verify(engine, upload);
    expect(first.job.state, first.log).toBe('completed');
    expect(first.log.match(/\(verified by read-back sha256\)/g)).toHaveLength(2);

    const cube = engine.services.items.manifest(upload).find((f) => f.relative_path === 'cube.h5')!;
    await damage(tus.fileFor(cube.location!));
    const second = await verify(engine, upload);
    expect(second.job.state).toBe('failed');
    expect(second.log).toMatch(/MISMATCH {2}cube\.h5: sha256 .* \(by read-back sha256\)/);
  });

  it('a tus server that lets nothing be read back: "cannot be verified", never "verified"', async () => {
    const fake = await new FakeTusServer().start();
    cleanups.push(() => fake.close());
    const { engine, upload } = await uploaded({ name: 'Sink', kind: 'tus', config: { endpoint: fake.endpoint, chunkSizeMiB: 1 } });
    const { job, log } = await verify(engine, upload);
    expect(job.state).toBe('failed');
    expect(job.error).toMatch(/2 of 2 files cannot be verified on Sink/);
    expect(log).toMatch(/UNVERIFIED cube\.h5: the server answered GET with 405/);
    expect(log).not.toMatch(/^OK/m);
  });

  it('resumes after a restart at the file it was reading: files verified before are not read again', async () => {
    const storage = makeTmpDir('ferry-verify-resume-');
    cleanups.push(storage.cleanup);
    const s3 = await startS3Server(storage.dir);
    cleanups.push(() => s3.close());
    const proxy = await startFaultProxy({ target: { host: '127.0.0.1', port: Number(new URL(s3.endpoint).port) } });
    cleanups.push(() => proxy.close());
    const first = startEngine();
    cleanups.push(first.dispose);
    const src = makeDataset({ 'a.bin': 4000, 'b.bin': 3 * MiB, 'c.bin': 5000 });
    cleanups.push(() => rm(src, { recursive: true, force: true }));
    const config = { endpoint: proxy.url(), bucket: s3.bucket, accessKeyId: 'S3RVER', forcePathStyle: true, partSizeMiB: 5, parallelParts: 2 };
    const { id: destinationId } = await ok<{ id: string }>(first.engine, 'saveDestination', { name: 'Bucket', kind: 's3', config, secret: { secretAccessKey: 'S3RVER' } });
    const upload = await ok<JobView>(first.engine, 'createUpload', { paths: [src], name: DATASET, destinationId });
    expect((await waitForJob(first.engine, upload.id, finished, 60_000)).state).toBe('completed');

    // Hold the read-back of b.bin (files go in path order, so a.bin is verified by then), and stop there.
    let holding!: () => void;
    const held = new Promise<void>((resolve) => (holding = resolve));
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    proxy.setFaults({
      match: {
        pattern: `GET /${s3.bucket}/${DATASET}/b.bin`,
        decide: async () => {
          holding();
          await released;
          return 'reset' as const;
        },
      },
    });
    const job = await ok<JobView>(first.engine, 'createVerifyJob', { sourceJobId: upload.id });
    await held;
    await first.engine.stop();
    proxy.setFaults({});
    release();

    const second = startEngine({ dataDir: first.dataDir });
    cleanups.push(() => second.engine.stop());
    const done = await waitForJob(second.engine, job.id, finished, 60_000);
    const log = await readFile(second.engine.services.logs.paths(job.id).log, 'utf8');
    expect(done.state, log).toBe('completed');
    expect(log).toMatch(/Resuming at file 2 of 3/);
    expect(log.match(/OK {8}a\.bin /g)).toHaveLength(1);
    expect(log).toMatch(/OK {8}b\.bin \(verified by read-back sha256\)/);
    expect(log).toMatch(/OK {8}c\.bin \(verified by read-back sha256\)/);
  });
});
