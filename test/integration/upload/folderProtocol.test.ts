import { mkdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect } from 'vitest';
import { FolderProtocol } from '../../../main/engine/upload/folderProtocol';
import type { SavedFolderSession } from '../../../main/engine/upload/protocol';
import { randomFile, sha256Of } from './fixtures/tempFiles';
import { interruptedUpload, rejection, runUpload, test } from './fixtures/uploadHarness';

const CHUNK = 64 * 1024;
const signal = () => new AbortController().signal;
const exists = (p: string) => stat(p).then(() => true, () => false);

async function setup(tmp: string, options: { overwrite?: boolean } = {}) {
  const dest = path.join(tmp, 'nas');
  await mkdir(dest);
  return { dest, folder: new FolderProtocol({ root: dest, chunkSize: CHUNK, ...options }) };
}

describe('folder copy', () => {
  test('copies through a .ferry-part file that becomes the target only when complete', async ({ tmp }) => {
    const { dest, folder } = await setup(tmp);
    const src = await randomFile(tmp, 'scan.tif', 5 * CHUNK + 7);
    const target = path.join(dest, 'day 1', 'scan.tif');
    const seen: Array<{ partial: boolean; target: boolean }> = [];
    const { result } = await runUpload({
      protocol: folder,
      path: src.path,
      relativePath: 'day 1/scan.tif',
      onAck: async () => {
        seen.push({ partial: await exists(`${target}.ferry-part`), target: await exists(target) });
      },
    });
    expect(seen.length).toBeGreaterThan(1);
    expect(seen.every((s) => s.partial && !s.target)).toBe(true);
    expect(result).toMatchObject({ location: target, verified: 'local' });
    expect(await sha256Of(target)).toBe(src.sha256);
    expect(await exists(`${target}.ferry-part`)).toBe(false);
  });

  test('a run that died after its rename, before recording it, finishes on restart (same bytes), and refuses other bytes', async ({ tmp }) => {
    const { dest, folder } = await setup(tmp);
    const src = await randomFile(tmp, 'cube.h5', 4 * CHUNK + 3);
    const target = path.join(dest, 'run', 'cube.h5');
    const first = await runUpload({ protocol: folder, path: src.path, relativePath: 'run/cube.h5' });
    // The last state the runner saved still names the partial: it died before marking the file done.
    const lastSaved = first.states[first.states.length - 1]!;
    const again = await runUpload({ protocol: folder, path: src.path, relativePath: 'run/cube.h5', resume: lastSaved });
    expect(again.result).toMatchObject({ location: target, verified: 'local', resumedFrom: 4 * CHUNK + 3 });
    expect(again.throttle.granted).toBe(0);
    expect(await sha256Of(target)).toBe(src.sha256);
    // Someone replaced the file meanwhile: that is still a name taken by other bytes.
    await writeFile(target, 'not the same');
    expect(await rejection(runUpload({ protocol: folder, path: src.path, relativePath: 'run/cube.h5', resume: lastSaved }))).toMatchObject({
      code: 'CONFLICT',
      message: expect.stringMatching(/already exists with other bytes/),
    });
  });

  test('0-byte file', async ({ tmp }) => {
    const { dest, folder } = await setup(tmp);
    const src = await randomFile(tmp, 'empty', 0);
    await runUpload({ protocol: folder, path: src.path, relativePath: 'empty' });
    expect((await stat(path.join(dest, 'empty'))).size).toBe(0);
  });

  test('resume continues at the partial file size and renames atomically at the end', async ({ tmp }) => {
    const { dest, folder } = await setup(tmp);
    const size = 10 * CHUNK + 1;
    const src = await randomFile(tmp, 'big.bin', size);
    const first = await interruptedUpload({ protocol: folder, path: src.path, relativePath: 'big.bin' }, ({ confirmed }) => confirmed >= 3 * CHUNK);
    const saved = first.state.session as SavedFolderSession;
    expect((await stat(saved.partialPath)).size).toBe(first.confirmed);
    expect(await exists(path.join(dest, 'big.bin'))).toBe(false);

    const second = await runUpload({ protocol: folder, path: src.path, relativePath: 'big.bin', resume: first.state });
    expect(second.result.resumedFrom).toBe(first.confirmed);
    expect(first.granted + second.throttle.granted - size).toBeLessThanOrEqual(CHUNK);
    expect(await sha256Of(path.join(dest, 'big.bin'))).toBe(src.sha256);
    expect(await exists(saved.partialPath)).toBe(false);
  });

  test('a leftover partial without saved state is not trusted', async ({ tmp }) => {
    const { dest, folder } = await setup(tmp);
    const src = await randomFile(tmp, 'a.bin', 3 * CHUNK);
    await writeFile(path.join(dest, 'a.bin.ferry-part'), Buffer.alloc(2 * CHUNK, 0x55));
    const { result } = await runUpload({ protocol: folder, path: src.path, relativePath: 'a.bin' });
    expect(result.resumedFrom).toBe(0);
    expect(await sha256Of(path.join(dest, 'a.bin'))).toBe(src.sha256);
  });

  for (const bad of ['../escape.bin', '/etc/passwd', 'a/../../b', 'nul\0byte', 'C:/win', 'a\\b', 'a//b', './a', '']) {
    test(`refuses the unsafe relative path ${JSON.stringify(bad)}`, async ({ tmp }) => {
      const { folder } = await setup(tmp);
      const err = await rejection(folder.begin({ size: 1, name: 'x', relativePath: bad, metadata: {} }, undefined, signal()));
      expect(err.code).toBe('INVALID_INPUT');
      expect(err.message).toMatch(/unsafe relative path/);
    });
  }

  test('an existing target is a CONFLICT unless overwrite is on', async ({ tmp }) => {
    const { dest, folder } = await setup(tmp);
    const src = await randomFile(tmp, 'a.bin', 100);
    await writeFile(path.join(dest, 'a.bin'), 'old');
    const err = await rejection(runUpload({ protocol: folder, path: src.path, relativePath: 'a.bin' }));
    expect(err.code).toBe('CONFLICT');
    const replacing = new FolderProtocol({ root: dest, chunkSize: CHUNK, overwrite: true });
    await runUpload({ protocol: replacing, path: src.path, relativePath: 'a.bin' });
    expect(await sha256Of(path.join(dest, 'a.bin'))).toBe(src.sha256);
  });

  test('a missing destination folder (unmounted NAS) is an IO error, not created', async ({ tmp }) => {
    const folder = new FolderProtocol({ root: path.join(tmp, 'not-mounted') });
    const src = await randomFile(tmp, 'a.bin', 100);
    const err = await rejection(runUpload({ protocol: folder, path: src.path, relativePath: 'a.bin' }));
    expect(err.code).toBe('IO');
    expect(err.message).toMatch(/not-mounted/);
    expect(await exists(path.join(tmp, 'not-mounted'))).toBe(false);
  });

  test('discard removes the partial and refuses paths that are not our partials', async ({ tmp }) => {
    const { folder } = await setup(tmp);
    const src = await randomFile(tmp, 'a.bin', 4 * CHUNK);
    const first = await interruptedUpload({ protocol: folder, path: src.path, relativePath: 'a.bin' }, ({ confirmed }) => confirmed >= CHUNK);
    const saved = first.state.session as SavedFolderSession;
    await folder.discard(saved, signal());
    expect(await exists(saved.partialPath)).toBe(false);
    const err = await rejection(folder.discard({ ...saved, partialPath: src.path }, signal()));
    expect(err.code).toBe('INVALID_INPUT');
    expect(await exists(src.path)).toBe(true);
  });
});
