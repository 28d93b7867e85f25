import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CompleteMultipartUploadCommand, CreateMultipartUploadCommand, PutObjectCommand, UploadPartCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobItemView } from '../../shared/contract';
import { makeTmpDir, type TmpDir } from '../helpers/tmpDir';
import { FULL, makeDataset, MiB, KiB, SEED, seededBytes, sha256, type SourceDataset } from './support/dataset';
import { addDestination, walk, type Destination } from './support/destinations';
import { CallError, finished, Instance } from './support/instance';

/**
 * S3 as a source: a prefix of a saved S3 destination (s3rver behind the TCP and HTTP fault
 * proxies) downloaded by the built `ferry serve` to a local folder, through connections cut
 * mid-answer, 5xx answers and a kill -9; what lands is compared byte for byte with the original
 * files and with the bytes s3rver stores.
 */

const SIZES = FULL ? [64 * MiB + 7, 24 * MiB, 300 * KiB, 2 * MiB + 17, 5, 64 * KiB] : [18 * MiB + 123, 9 * MiB, 300 * KiB, 2 * MiB + 17, 5, 64 * KiB];
const hashFile = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

/** Every file under `dir` with its SHA-256 (what a user would find there). */
function local(dir: string): Map<string, string> {
  return new Map(walk(dir).map((rel) => [rel, hashFile(join(dir, rel))]));
}

/** Differences between what was expected and what landed in a folder, in words. */
function differences(expected: Map<string, string>, got: Map<string, string>): string[] {
  const out: string[] = [];
  for (const [rel, sha] of expected) {
    if (!got.has(rel)) out.push(`${rel}: missing`);
    else if (got.get(rel) !== sha) out.push(`${rel}: SHA-256 ${got.get(rel)} differs from ${sha}`);
  }
  for (const rel of got.keys()) if (!expected.has(rel)) out.push(`${rel}: not expected`);
  return out;
}

async function items(instance: Instance, id: number): Promise<JobItemView[]> {
  return (await instance.call('listJobItems', { id, limit: 1000 })).items;
}

describe('S3 as a source: a prefix downloaded to a local folder', () => {
  let tmp: TmpDir;
  let instance: Instance;
  let dest: Destination;
  let source: SourceDataset;
  let uploadId: number;
  const dataset = 'survey';

  beforeAll(async () => {
    tmp = makeTmpDir('ferry-acc-s3download');
    instance = new Instance(join(tmp.dir, 'data'));
    await instance.start();
    dest = await addDestination(instance, 's3', tmp.dir);
    source = makeDataset(join(tmp.dir, 'src'), dataset, SIZES, SEED);
    const up = await instance.call('createUpload', { paths: [source.dir], destinationId: dest.id, name: dataset });
    const done = await instance.waitForJob(up.id, finished, 240_000);
    expect(done.state, JSON.stringify(done.error)).toBe('completed');
    uploadId = up.id;
  }, 300_000);
  afterAll(async () => {
    await instance?.stop();
    await dest?.close();
    await tmp?.cleanup();
  });

  it('"download this dataset back" survives connections cut mid-answer and a kill -9, and lands byte for byte, checked by the manifest', async () => {
    const target = join(tmp.dir, 'back');
    const before = dest.tcp!.stats().resets;
    // Every connection is cut after ~3 MiB of answer: each large object needs several ranged GETs.
    dest.tcp!.setFaults({ truncateResponseAfterBytes: 3 * MiB + (SEED % 65_536) });
    const created = await instance.call('createBucketDownload', { sourceJobId: uploadId, dest: target });
    expect(created.kind).toBe('s3download');
    const total = source.bytes;
    // Killed once a good part of the bytes is on disk, before the end.
    await instance.waitForJob(created.id, (j) => finished(j) || j.done >= total * 0.4, 240_000);
    const killedAt = (await instance.call('readLog', { id: created.id, maxBytes: 4 * 1024 * 1024 })).nextOffset;
    await instance.kill9();
    const partial = walk(target).filter((f) => f.endsWith('.ferry-part'));
    await instance.start();
    const job = await instance.waitForJob(created.id, finished, 240_000);
    dest.tcp!.setFaults({});
    const afterKill = (await instance.call('readLog', { id: created.id, offset: killedAt, maxBytes: 4 * 1024 * 1024 })).text;
    const where = `seed ${SEED}: ${JSON.stringify({ state: job.state, error: job.error, partial })}`;
    expect(dest.tcp!.stats().resets - before, `${where}: no connection was cut`).toBeGreaterThan(0);
    expect(job.state, where).toBe('completed');
    expect(job.result, where).toBe('success');
    // The original files, byte for byte; the manifest and dataset.json as s3rver stores them.
    const landed = local(target);
    const stored = await dest.landed(dataset);
    const expected = new Map([...source.files]);
    for (const side of ['manifest-sha256.txt', 'dataset.json']) expected.set(side, stored.get(side)![0]!);
    expect(differences(expected, landed), where).toEqual([]);
    for (const [rel, copies] of stored) expect(landed.get(rel), `${rel} against s3rver's copy`).toBe(copies[0]);
    // Each data file was checked against the dataset's manifest, and says so.
    const rows = await items(instance, created.id);
    for (const row of rows.filter((r) => source.files.has(r.relativePath))) expect(row.verified, row.relativePath).toBe('manifest sha256');
    expect(rows.every((r) => r.state === 'done')).toBe(true);
    // After the kill the files carried on from the bytes on disk.
    expect(partial.length, `${where}: no partial file when killed`).toBeGreaterThan(0);
    expect(afterKill, where).toMatch(/Resuming .* at byte [1-9]/);
  }, 600_000);

  it('ferry download s3://<destination>/<prefix> --to DIR --wait: objects without a manifest are checked by their ETag through 5xx answers, and say so', async () => {
    const plain = new Map<string, Buffer>([
      ['loose/a.bin', seededBytes(3 * MiB + 5, SEED + 11)],
      ['loose/sub/b.dat', seededBytes(70 * KiB, SEED + 12)],
      ['loose/empty.txt', Buffer.alloc(0)],
    ]);
    for (const [key, body] of plain) await dest.s3!.client.send(new PutObjectCommand({ Bucket: dest.s3!.bucket, Key: key, Body: body }));
    // One object sent in two parts (s3rver gives it the MD5 of the whole as its ETag, unlike S3).
    const multi = Buffer.concat([seededBytes(5 * MiB, SEED + 13), seededBytes(1 * MiB + 3, SEED + 14)]);
    const mp = await dest.s3!.client.send(new CreateMultipartUploadCommand({ Bucket: dest.s3!.bucket, Key: 'loose/multi.bin' }));
    const parts = [];
    for (const [i, body] of [multi.subarray(0, 5 * MiB), multi.subarray(5 * MiB)].entries()) {
      const p = await dest.s3!.client.send(new UploadPartCommand({ Bucket: dest.s3!.bucket, Key: 'loose/multi.bin', UploadId: mp.UploadId, PartNumber: i + 1, Body: body }));
      parts.push({ PartNumber: i + 1, ETag: p.ETag });
    }
    await dest.s3!.client.send(new CompleteMultipartUploadCommand({ Bucket: dest.s3!.bucket, Key: 'loose/multi.bin', UploadId: mp.UploadId, MultipartUpload: { Parts: parts } }));
    plain.set('loose/multi.bin', multi);

    const firedBefore = [...dest.http!.fired().values()].reduce((a, b) => a + b, 0);
    dest.http!.setFaults([
      { match: ({ method }) => method === 'GET', times: 3, action: { status: 503 } },
      { match: ({ method, url }) => method === 'GET' && url.includes('a.bin'), times: 2, action: { status: 500 } },
    ]);
    const target = join(tmp.dir, 'loose-copy');
    const run = await instance.cli(['download', 's3://s3rver/loose', '--to', target, '--wait']);
    dest.http!.setFaults([]);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect([...dest.http!.fired().values()].reduce((a, b) => a + b, 0) - firedBefore).toBeGreaterThanOrEqual(3);
    const expected = new Map([...plain].map(([k, v]) => [k.slice('loose/'.length), sha256(v)]));
    expect(differences(expected, local(target))).toEqual([]);
    const id = Number(/Job (\d+)/.exec(run.stdout)![1]);
    const checks = Object.fromEntries((await items(instance, id)).map((r) => [r.relativePath, r.verified]));
    expect(checks).toEqual({ 'a.bin': 'etag md5', 'sub/b.dat': 'etag md5', 'empty.txt': 'etag md5', 'multi.bin': expect.stringMatching(/^(etag md5|size only)$/) });
  }, 300_000);

  it('keys that would land outside the folder or carry control characters are refused with a typed error; the other files land', async () => {
    const good = seededBytes(40 * KiB, SEED + 21);
    await dest.s3!.client.send(new PutObjectCommand({ Bucket: dest.s3!.bucket, Key: 'odd/ok.bin', Body: good }));
    await dest.s3!.client.send(new PutObjectCommand({ Bucket: dest.s3!.bucket, Key: 'odd/line\nbreak.bin', Body: Buffer.from('x') }));
    await dest.s3!.client.send(new PutObjectCommand({ Bucket: dest.s3!.bucket, Key: 'odd/back\\..\\..\\slash.bin', Body: Buffer.from('y') }));
    const target = join(tmp.dir, 'odd-copy');
    const created = await instance.call('createBucketDownload', { destinationId: dest.id!, prefix: 'odd/', dest: target });
    const job = await instance.waitForJob(created.id, finished, 120_000);
    expect(job.state).toBe('completed');
    expect(job.result).toBe('partial');
    expect(local(target)).toEqual(new Map([['ok.bin', sha256(good)]]));
    const failed = (await items(instance, created.id)).filter((r) => r.state === 'failed');
    expect(failed.map((r) => r.relativePath).sort()).toEqual(['back\\..\\..\\slash.bin', 'line\nbreak.bin']);
    for (const r of failed) expect(r.error).toMatch(/^INVALID_INPUT: the key .* cannot be written under /);
  }, 120_000);

  it('pause and resume carry on from the bytes written; cancel removes the partial files', async () => {
    // Slow answers, so the job is caught mid-file.
    dest.tcp!.setFaults({ stallMs: 20 });
    const target = join(tmp.dir, 'paused');
    const created = await instance.call('createBucketDownload', { sourceJobId: uploadId, dest: target, name: 'paused download' });
    await instance.waitForJob(created.id, (j) => j.done > 1 * MiB, 120_000);
    await instance.call('pauseJob', { id: created.id });
    const paused = await instance.waitForJob(created.id, (j) => j.state === 'paused');
    const heldAt = paused.done;
    dest.tcp!.setFaults({});
    await instance.call('resumeJob', { id: created.id });
    const job = await instance.waitForJob(created.id, finished, 240_000);
    expect(job.state).toBe('completed');
    // Resumed, not started over: the job's GETs after the pause asked for ranges from where it stood.
    const log = await logText(instance, created.id);
    expect(log, `held at ${heldAt}`).toMatch(/Resuming .* at byte [1-9]/);
    expect(log, `held at ${heldAt}`).not.toMatch(/Starting .* over/);
    expect(differences(source.files, new Map([...local(target)].filter(([rel]) => source.files.has(rel))))).toEqual([]);

    dest.tcp!.setFaults({ stallMs: 20 });
    const second = join(tmp.dir, 'canceled');
    const again = await instance.call('createBucketDownload', { sourceJobId: uploadId, dest: second });
    await instance.waitForJob(again.id, (j) => j.done > 1 * MiB, 120_000);
    expect(walk(second).some((f) => f.endsWith('.ferry-part'))).toBe(true);
    await instance.call('cancelJob', { id: again.id });
    await instance.waitForJob(again.id, (j) => j.state === 'canceled');
    dest.tcp!.setFaults({});
    // The discard runs once the attempt is over: wait for its line in the event stream.
    await waitFor(async () => /Removed \d+ partial/.test(await logText(instance, again.id)));
    expect(walk(second).filter((f) => f.endsWith('.ferry-part'))).toEqual([]);
  }, 300_000);

  it('refuses a folder that holds files, a destination that is not S3, and an upload that is not to S3, with typed errors', async () => {
    const full = join(tmp.dir, 'full');
    mkdirSync(full, { recursive: true });
    writeFileSync(join(full, 'keep.txt'), 'mine');
    const code = async (input: Parameters<Instance['call']>[1]) =>
      instance.call('createBucketDownload', input as never).then(
        () => 'created',
        (err: unknown) => (err instanceof CallError ? err.code : String(err)),
      );
    expect(await code({ sourceJobId: uploadId, dest: full })).toBe('CONFLICT');
    expect(readFileSync(join(full, 'keep.txt'), 'utf8')).toBe('mine');
    const receiver = (await instance.call('listDestinations', {})).find((d) => d.kind === 'receiver')!;
    expect(await code({ destinationId: receiver.id, prefix: 'x', dest: join(tmp.dir, 'r') })).toBe('INVALID_INPUT');
    expect(await code({ destinationId: dest.id!, prefix: 'x', dest: 'relative/dir' })).toBe('INVALID_INPUT');
    expect(await code({ destinationId: 'nope', prefix: 'x', dest: join(tmp.dir, 'n') })).toBe('NOT_FOUND');
    expect(await code({ sourceJobId: 999_999, dest: join(tmp.dir, 'n') })).toBe('NOT_FOUND');
  });
});

async function waitFor(check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('the awaited condition did not come true');
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function logText(instance: Instance, id: number): Promise<string> {
  return (await instance.call('readLog', { id, maxBytes: 4 * 1024 * 1024 })).text;
}
