import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { HeadObjectCommand, ListMultipartUploadsCommand } from '@aws-sdk/client-s3';
import { afterEach, describe, expect } from 'vitest';
import { statSource } from '../../../main/engine/upload/fileSource';
import type { OutgoingChunk, SavedS3Session, UploadProtocol } from '../../../main/engine/upload/protocol';
import { S3Protocol } from '../../../main/engine/upload/s3Protocol';
import { s3ProtocolOptions, startS3Server, type S3ServerHandle } from './fixtures/s3Server';
import { randomFile } from './fixtures/tempFiles';
import { interruptedUpload, monotonic, rejection, runUpload, test as base } from './fixtures/uploadHarness';

const MiB = 1024 * 1024;
const PART = 5 * MiB;
/** Four parts: three full, one short. */
const SIZE = 3 * PART + 123_457;

const test = base.extend<{ s3: S3ServerHandle; plainS3: S3ServerHandle }>({
  s3: async ({ tmp }, use) => {
    const server = await startS3Server(path.join(tmp, 's3'));
    await use(server);
    await server.close();
  },
  plainS3: async ({ tmp }, use) => {
    const server = await startS3Server(path.join(tmp, 's3-plain'), { shim: false });
    await use(server);
    await server.close();
  },
});

const opened: S3Protocol[] = [];
afterEach(() => {
  opened.splice(0).forEach((p) => p.close());
});

function protocolFor(server: S3ServerHandle, maxParallel = 4): S3Protocol {
  const protocol = new S3Protocol({ ...s3ProtocolOptions(server), prefix: 'in/', partSize: PART, maxParallel });
  opened.push(protocol);
  return protocol;
}

const signal = () => new AbortController().signal;

/** The same protocol, noting the offset of every chunk its sessions are asked to send. */
function recordingSends(protocol: S3Protocol, offsets: number[]): UploadProtocol {
  return {
    kind: protocol.kind,
    begin: async (file, saved, sig) => {
      const session = await protocol.begin(file, saved, sig);
      const send = session.sendChunk.bind(session);
      session.sendChunk = (chunk, s) => {
        offsets.push(chunk.offset);
        return send(chunk, s);
      };
      return session;
    },
    discard: (saved, sig) => protocol.discard(saved, sig),
    // The protocol itself is closed with the others after the test.
    close: () => undefined,
  };
}

/** An outgoing chunk for driving a session by hand. */
function chunkOf(bytes: Buffer, offset: number): OutgoingChunk {
  return {
    offset,
    bytes,
    sha256: () => createHash('sha256').update(bytes).digest(),
    body: async function* (_signal, from = 0) {
      yield bytes.subarray(from);
    },
  };
}

const uploadsLeft = async (server: S3ServerHandle) =>
  (await server.client.send(new ListMultipartUploadsCommand({ Bucket: server.bucket }))).Uploads ?? [];

describe('S3 multipart into s3rver', () => {
  test('parts go in parallel, each with its SHA-256, and the object matches the source', async ({ tmp, s3 }) => {
    const src = await randomFile(tmp, 'cube.h5', SIZE);
    const { result, progress, states } = await runUpload({ protocol: protocolFor(s3), path: src.path, relativePath: 'run/cube.h5' });
    expect(result.location).toBe(`s3://${s3.bucket}/in/run/cube.h5`);
    expect(await s3.objectSha256('in/run/cube.h5')).toBe(src.sha256);
    expect(s3.maxConcurrentParts).toBeGreaterThan(1);
    expect(s3.partRequests.map((p) => p.partNumber).sort()).toEqual([1, 2, 3, 4]);
    expect(s3.partRequests.every((p) => p.checksum)).toBe(true);
    expect(s3.checksumMismatches()).toEqual([]);
    expect(monotonic(progress)).toBe(true);
    expect(progress.at(-1)).toBe(SIZE);
    const saved = states.at(-1)!.session as SavedS3Session;
    expect(saved.parts.map((p) => p.Size)).toEqual([PART, PART, PART, 123_457]);
    // s3rver neither echoes nor checks checksums: only sizes are confirmed there.
    expect(result.verified).toBe('size');
    expect(await uploadsLeft(s3)).toEqual([]);
  });

  test('a file of one part goes as a single PutObject carrying its SHA-256', async ({ tmp, s3 }) => {
    const src = await randomFile(tmp, 'small.txt', 1000);
    await runUpload({ protocol: protocolFor(s3), path: src.path, relativePath: 'small.txt', metadata: { dataset: 'd1' } });
    expect(s3.partRequests).toEqual([]);
    expect(await s3.objectSha256('in/small.txt')).toBe(src.sha256);
    const head = await s3.client.send(new HeadObjectCommand({ Bucket: s3.bucket, Key: 'in/small.txt' }));
    expect(head.Metadata).toMatchObject({ sha256: src.sha256, dataset: 'd1' });
  });

  test('a 0-byte file lands as an empty object', async ({ tmp, s3 }) => {
    const src = await randomFile(tmp, 'empty', 0);
    await runUpload({ protocol: protocolFor(s3), path: src.path, relativePath: 'empty' });
    expect(await s3.objectSha256('in/empty')).toBe(src.sha256);
  });

  test('resume from a saved UploadId lists the parts (paginated) and sends only the missing ones', async ({ tmp, s3 }) => {
    const src = await randomFile(tmp, 'cube.h5', SIZE);
    const protocol = protocolFor(s3, 2);
    const first = await interruptedUpload({ protocol, path: src.path, relativePath: 'cube.h5' }, ({ confirmed }) => confirmed >= 2 * PART);
    const saved = first.state.session as SavedS3Session;
    expect(saved.uploadId).toBeTruthy();
    expect(first.confirmed).toBeGreaterThanOrEqual(2 * PART);

    // Forget the parts we saved: ListParts alone must tell what the server holds. Pages hold one
    // part here, so the listing has to follow NextPartNumberMarker.
    const resume = { ...first.state, session: { ...saved, parts: [] } };
    const sentAt: number[] = [];
    const second = await runUpload({ protocol: recordingSends(protocol, sentAt), path: src.path, relativePath: 'cube.h5', resume });
    expect(s3.listPartsRequests).toBeGreaterThanOrEqual(2);
    // No acknowledged part goes again, whatever order the parallel parts finished in. Counted at
    // the client: requests cut off in the first run may still reach s3rver late. (A part whose
    // request fails on a busy machine is sent again; that is a retry, not a re-send.)
    const acknowledged = saved.parts.map((p) => (p.PartNumber - 1) * PART);
    expect(acknowledged.length).toBeGreaterThanOrEqual(2);
    expect(sentAt.filter((offset) => acknowledged.includes(offset))).toEqual([]);
    expect(second.result.bytesSent).toBeLessThanOrEqual(SIZE - first.confirmed);
    expect(second.progress[0]).toBeGreaterThanOrEqual(second.result.resumedFrom);
    expect(await s3.objectSha256('in/cube.h5')).toBe(src.sha256);
    expect(await uploadsLeft(s3)).toEqual([]);
  });

  test('parts already there beyond a gap (out-of-order parallel acks) are skipped, the gaps filled', async ({ tmp, s3 }) => {
    const src = await randomFile(tmp, 'cube.h5', SIZE);
    const protocol = protocolFor(s3);
    const file = { size: SIZE, name: 'cube.h5', relativePath: 'cube.h5', metadata: {} };
    const session = await protocol.begin(file, undefined, signal());
    expect(await session.resumeOffset(signal())).toBe(0);
    const bytes = await readFile(src.path);
    for (const part of [2, 4]) {
      const offset = (part - 1) * PART;
      await session.sendChunk(chunkOf(bytes.subarray(offset, Math.min(SIZE, offset + PART)), offset), signal());
    }
    const before = s3.partRequests.length;
    const resume = { source: await statSource(src.path), session: { ...(session.saved() as SavedS3Session), parts: [] } };
    const { result, progress } = await runUpload({ protocol, path: src.path, relativePath: 'cube.h5', resume });
    expect(result.resumedFrom).toBe(0);
    expect(s3.partRequests.slice(before).map((p) => p.partNumber).sort()).toEqual([1, 3]);
    expect(result.bytesSent).toBe(2 * PART);
    expect(monotonic(progress)).toBe(true);
    expect(progress.at(-1)).toBe(SIZE);
    expect(await s3.objectSha256('in/cube.h5')).toBe(src.sha256);
  });

  test('cancel: discarding the saved upload leaves no multipart upload behind', async ({ tmp, s3 }) => {
    const src = await randomFile(tmp, 'cube.h5', SIZE);
    const protocol = protocolFor(s3);
    const first = await interruptedUpload({ protocol, path: src.path, relativePath: 'cube.h5' }, ({ granted }) => granted >= PART);
    expect(await uploadsLeft(s3)).toHaveLength(1);
    await protocol.discard(first.state.session, signal());
    expect(await uploadsLeft(s3)).toEqual([]);
  });

  test('an UploadId the server no longer knows: a new multipart upload is made', async ({ tmp, s3 }) => {
    const src = await randomFile(tmp, 'cube.h5', SIZE);
    const protocol = protocolFor(s3);
    const first = await interruptedUpload({ protocol, path: src.path, relativePath: 'cube.h5' }, ({ granted }) => granted >= PART);
    await protocol.discard(first.state.session, signal());
    const second = await runUpload({ protocol, path: src.path, relativePath: 'cube.h5', resume: first.state });
    expect(second.result.resumedFrom).toBe(0);
    expect((second.result.state.session as SavedS3Session).uploadId).not.toBe((first.state.session as SavedS3Session).uploadId);
    expect(await s3.objectSha256('in/cube.h5')).toBe(src.sha256);
  });
});

describe('S3 against plain s3rver (no ListParts, no AbortMultipartUpload)', () => {
  test('resume degrades to the saved parts and still completes the right object', async ({ tmp, plainS3 }) => {
    const src = await randomFile(tmp, 'cube.h5', SIZE);
    const protocol = protocolFor(plainS3, 1);
    const first = await interruptedUpload({ protocol, path: src.path, relativePath: 'cube.h5' }, ({ granted }) => granted >= 2.5 * PART);
    const saved = first.state.session as SavedS3Session;
    expect(saved.parts.length).toBe(2);
    const second = await runUpload({ protocol, path: src.path, relativePath: 'cube.h5', resume: first.state });
    expect(second.result.resumedFrom).toBe(2 * PART);
    expect(await plainS3.objectSha256('in/cube.h5')).toBe(src.sha256);
  });

  test('discard reports that the server cannot abort a multipart upload', async ({ tmp, plainS3 }) => {
    const src = await randomFile(tmp, 'cube.h5', SIZE);
    const protocol = protocolFor(plainS3);
    const first = await interruptedUpload({ protocol, path: src.path, relativePath: 'cube.h5' }, ({ granted }) => granted >= PART);
    const err = await rejection(protocol.discard(first.state.session, signal()));
    expect(err.code).toBe('REMOTE');
    expect(err.message).toMatch(/AbortMultipartUpload.*not supported/);
  });
});
