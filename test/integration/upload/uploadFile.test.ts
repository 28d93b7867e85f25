import { appendFile, mkdir, stat, unlink, utimes } from 'node:fs/promises';
import path from 'node:path';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect } from 'vitest';
import { FolderProtocol } from '../../../main/engine/upload/folderProtocol';
import type { SavedFolderSession } from '../../../main/engine/upload/protocol';
import { TusProtocol } from '../../../main/engine/upload/tusProtocol';
import { FakeTusServer } from './fixtures/fakeTusServer';
import { randomFile } from './fixtures/tempFiles';
import { interruptedUpload, monotonic, rejection, runUpload, test } from './fixtures/uploadHarness';

const CHUNK = 64 * 1024;
const SIZE = 6 * CHUNK + 5;

async function folderIn(tmp: string): Promise<FolderProtocol> {
  const root = path.join(tmp, 'dest');
  await mkdir(root);
  return new FolderProtocol({ root, chunkSize: CHUNK });
}

describe('uploadFile', () => {
  test('reports confirmed bytes once per ack, never backwards, ending at the size', async ({ tmp }) => {
    const src = await randomFile(tmp, 'a.bin', SIZE);
    const { result, progress } = await runUpload({ protocol: await folderIn(tmp), path: src.path, relativePath: 'a.bin' });
    // One ack when the session exists, then one per chunk.
    expect(progress).toEqual([0, CHUNK, 2 * CHUNK, 3 * CHUNK, 4 * CHUNK, 5 * CHUNK, 6 * CHUNK, SIZE]);
    expect(monotonic(progress)).toBe(true);
    expect(result).toMatchObject({ size: SIZE, sha256: src.sha256, bytesSent: SIZE, resumedFrom: 0 });
  });

  test('memory stays flat through the whole pipeline: a few chunks, whatever the file size', async ({ tmp }) => {
    // A forced collection at every ack makes the measure exact instead of GC-dependent.
    v8.setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const size = 48 * 1024 * 1024;
    const chunk = 1024 * 1024;
    const src = await randomFile(tmp, 'big.bin', size);
    const root = path.join(tmp, 'dest');
    await mkdir(root);
    gc();
    const base = process.memoryUsage().arrayBuffers;
    let peak = 0;
    await runUpload({
      protocol: new FolderProtocol({ root, chunkSize: chunk }),
      path: src.path,
      relativePath: 'big.bin',
      onAck: () => {
        gc();
        peak = Math.max(peak, process.memoryUsage().arrayBuffers - base);
      },
    });
    // The chunk just acknowledged, the one being written, the one being read ahead: 3 of 48.
    expect(peak).toBeLessThan(4 * chunk);
  });

  // The source is touched once the first chunk is acknowledged: each way fails IO, saying why.
  const touched: [what: string, touch: (file: string) => Promise<void>, error: Record<string, unknown>][] = [
    ['vanishes', (file) => unlink(file), { code: 'IO', message: expect.stringMatching(/a\.bin\): file vanished during upload/) }],
    ['grows', (file) => appendFile(file, 'more data'), { code: 'IO', message: expect.stringMatching(/file changed during upload \(size 393221 → 393230/) }],
    ['is rewritten in place (same size, new mtime)', (file) => utimes(file, new Date(), new Date(Date.now() + 5000)), { code: 'IO', details: { reason: 'changed' } }],
  ];

  test.for(touched)('a file that %s during the upload fails IO', async ([, touch, error], { tmp }) => {
    const src = await randomFile(tmp, 'a.bin', SIZE);
    const err = await rejection(
      runUpload({
        protocol: await folderIn(tmp),
        path: src.path,
        relativePath: 'a.bin',
        onAck: async (_s, confirmed) => {
          if (confirmed === CHUNK) await touch(src.path);
        },
      }),
    );
    expect(err).toMatchObject(error);
  });

  test('a file changed between two sessions is refused on resume', async ({ tmp }) => {
    const src = await randomFile(tmp, 'a.bin', SIZE);
    const protocol = await folderIn(tmp);
    const first = await interruptedUpload({ protocol, path: src.path, relativePath: 'a.bin' }, ({ confirmed }) => confirmed >= 2 * CHUNK);
    await appendFile(src.path, 'x');
    const err = await rejection(runUpload({ protocol, path: src.path, relativePath: 'a.bin', resume: first.state }));
    expect(err.code).toBe('IO');
    expect(err.message).toMatch(/file changed since the upload began/);
  });

  test('a missing source is an IO error naming it', async ({ tmp }) => {
    const err = await rejection(runUpload({ protocol: await folderIn(tmp), path: path.join(tmp, 'nope.bin'), relativePath: 'nope.bin' }));
    expect(err.code).toBe('IO');
    expect(err.message).toBe(`read(${path.join(tmp, 'nope.bin')}): no such file or directory`);
  });

  test('a declared SHA-256 that does not match stops before the last chunk goes out', async ({ tmp }) => {
    const src = await randomFile(tmp, 'a.bin', SIZE);
    let saved: SavedFolderSession | undefined;
    const err = await rejection(
      runUpload({
        protocol: await folderIn(tmp),
        path: src.path,
        relativePath: 'a.bin',
        sha256: '0'.repeat(64),
        onAck: (s) => {
          saved = s.session as SavedFolderSession;
        },
      }),
    );
    expect(err.code).toBe('IO');
    expect(err.message).toContain(`read SHA-256 ${src.sha256}, expected ${'0'.repeat(64)}`);
    expect((await stat(saved!.partialPath)).size).toBeLessThan(SIZE);
  });

  test('a declared SHA-256 that is not 64 hex digits is INVALID_INPUT', async ({ tmp }) => {
    const src = await randomFile(tmp, 'a.bin', 10);
    const err = await rejection(runUpload({ protocol: await folderIn(tmp), path: src.path, relativePath: 'a.bin', sha256: 'abc' }));
    expect(err.code).toBe('INVALID_INPUT');
  });

  test('an aborted signal ends the upload CANCELED', async ({ tmp }) => {
    const src = await randomFile(tmp, 'a.bin', SIZE);
    const controller = new AbortController();
    controller.abort();
    const err = await rejection(runUpload({ protocol: await folderIn(tmp), path: src.path, relativePath: 'a.bin', signal: controller.signal }));
    expect(err.code).toBe('CANCELED');
  });

  test('a destination that rewinds mid-upload (404 then a new upload) costs a new pass, not a failure', async ({ tmp }) => {
    const src = await randomFile(tmp, 'a.bin', SIZE);
    const fake = await new FakeTusServer({ fault: (r) => (r.method === 'PATCH' && r.nth === 4 ? { status: 404 } : undefined) }).start();
    const tus = new TusProtocol({ endpoint: fake.endpoint, chunkSize: CHUNK });
    try {
      const retries: unknown[] = [];
      const { result, progress } = await runUpload({ protocol: tus, path: src.path, relativePath: 'a.bin', onRetry: (e) => retries.push(e) });
      expect(retries).toHaveLength(1);
      expect(retries[0]).toMatchObject({ code: 'REMOTE', details: { restart: true } });
      expect(monotonic(progress)).toBe(true);
      expect(progress.at(-1)).toBe(SIZE);
      expect(result.bytesSent).toBe(SIZE + 3 * CHUNK);
    } finally {
      tus.close();
      await fake.close();
    }
  });
});
