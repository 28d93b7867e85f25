import { randomBytes } from 'node:crypto';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startReceiver } from '../../main/receiver/receiver';
import { BATCH_INDEX_HEADER, BATCH_PATH } from '../../shared/receiverBatch';
import { makeTmpDir, type TmpDir } from '../helpers/tmpDir';
import { finalTree, incomingNames, sha256, startReceiverFixture, type ReceiverFixture } from '../integration/receiver/receiverFixture';
import { create, request } from '../integration/receiver/tusHttp';

/**
 * Finding 5: a symbolic link inside the storage folder was followed (an upload landed outside it),
 * and `.Incoming` passed the exact, case-sensitive `.incoming` check. Both are refused, and nothing
 * is written outside the storage folder.
 */

/** Every file under `dir`, relative and sorted. */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await fsp.readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort();
}

function batchRequest(dataset: string, relativePath: string, bytes: Buffer): { headers: Record<string, string>; body: Buffer } {
  const index = Buffer.from(JSON.stringify({ metadata: { dataset }, files: [{ relativePath, size: bytes.length, sha256: sha256(bytes) }] }));
  return { headers: { 'Content-Type': 'application/octet-stream', [BATCH_INDEX_HEADER]: String(index.length) }, body: Buffer.concat([index, bytes]) };
}

describe('security: nothing is filed outside the storage folder (finding 5)', () => {
  let fx: ReceiverFixture | undefined;
  const dirs: TmpDir[] = [];
  afterEach(async () => {
    await fx?.dispose();
    fx = undefined;
    for (const d of dirs.splice(0)) await d.cleanup();
  });
  const outsideDir = async () => {
    const d = makeTmpDir('ferry-outside-');
    dirs.push(d);
    return d.dir;
  };

  it('refuses to file through a symbolic link at any folder level, by tus and by batch (422), and files nothing outside', async () => {
    fx = await startReceiverFixture();
    const outside = await outsideDir();
    await fsp.symlink(outside, path.join(fx.storageDir, 'linked'));
    await fsp.mkdir(path.join(fx.storageDir, 'real'));
    await fsp.symlink(outside, path.join(fx.storageDir, 'real', 'deeper'));
    const batchUrl = new URL(BATCH_PATH, fx.receiver.url).toString();

    for (const [dataset, relativePath, shown] of [
      ['linked', 'x.bin', 'linked'],
      ['real', 'deeper/x.bin', 'real/deeper'],
      ['linked/sub', 'x.bin', 'linked'],
    ] as const) {
      const bytes = randomBytes(2048);
      const viaTus = await create(fx.receiver.url, { length: bytes.length, metadata: { dataset, relativePath, sha256: sha256(bytes) }, body: bytes });
      expect(viaTus.status, `${dataset}/${relativePath}`).toBe(422);
      expect(viaTus.body).toContain(`${shown} is a symbolic link in the storage folder`);

      const batch = batchRequest(dataset, relativePath, randomBytes(1500));
      const viaBatch = await request(batchUrl, { method: 'POST', ...batch });
      expect(viaBatch.status, `batch ${dataset}/${relativePath}`).toBe(422);
      expect(viaBatch.body).toContain(`${shown} is a symbolic link in the storage folder`);
    }
    expect(await filesUnder(outside)).toEqual([]);
    // Batch files never filed are not left behind either.
    expect((await incomingNames(fx.storageDir)).filter((n) => n.startsWith('batch-'))).toEqual([]);

    // Real folders still work.
    const ok = randomBytes(100);
    expect((await create(fx.receiver.url, { length: ok.length, metadata: { dataset: 'real', relativePath: 'ok.bin', sha256: sha256(ok) }, body: ok })).status).toBe(201);
    expect(await finalTree(fx.storageDir)).toEqual(['real/ok.bin']);
  });

  it('never writes through a symbolic link standing at the file name: the upload gets a free name beside it', async () => {
    fx = await startReceiverFixture();
    const outside = await outsideDir();
    const victim = path.join(outside, 'victim.txt');
    await fsp.writeFile(victim, 'untouched');
    await fsp.mkdir(path.join(fx.storageDir, 'ds'));
    await fsp.symlink(victim, path.join(fx.storageDir, 'ds', 'x.txt'));
    const bytes = Buffer.from('the upload');
    const answer = await create(fx.receiver.url, { length: bytes.length, metadata: { dataset: 'ds', relativePath: 'x.txt', sha256: sha256(bytes) }, body: bytes });
    expect(answer.status).toBe(201);
    expect(decodeURIComponent(answer.headers['ferry-stored-as'] as string)).toBe('ds/x (1).txt');
    expect(await fsp.readFile(victim, 'utf8')).toBe('untouched');
    expect(await fsp.readFile(path.join(fx.storageDir, 'ds', 'x (1).txt'), 'utf8')).toBe('the upload');
  });

  it('refuses to start when its partial-upload folder is a symbolic link (typed IO)', async () => {
    const storage = await outsideDir();
    const elsewhere = await outsideDir();
    await fsp.symlink(elsewhere, path.join(storage, '.incoming'));
    await expect(startReceiver({ storageDir: storage, logger: { info: () => undefined, warn: () => undefined, error: () => undefined } })).rejects.toMatchObject({
      code: 'IO',
      message: expect.stringContaining('is a symbolic link'),
    });
  });

  it('refuses the partial-upload folder in any letter case, as a dataset or a first path segment, by tus and by batch', async () => {
    fx = await startReceiverFixture();
    const batchUrl = new URL(BATCH_PATH, fx.receiver.url).toString();
    const cases: [Record<string, string>, string][] = [
      [{ dataset: '.Incoming', relativePath: 'x.bin' }, '.Incoming'],
      [{ dataset: '.INCOMING', relativePath: 'x.bin' }, '.INCOMING'],
      [{ dataset: '.ıncoming', relativePath: 'x.bin' }, '.ıncoming'],
      [{ relativePath: '.InComing/x.bin' }, '.InComing'],
    ];
    for (const [metadata, shown] of cases) {
      const bytes = randomBytes(64);
      const viaTus = await create(fx.receiver.url, { length: bytes.length, metadata: { ...metadata, sha256: sha256(bytes) }, body: bytes });
      expect(viaTus.status, shown).toBe(400);
      expect(viaTus.body).toContain(`"${shown}" is reserved for partial uploads`);
      if (metadata.dataset) {
        const viaBatch = await request(batchUrl, { method: 'POST', ...batchRequest(metadata.dataset, metadata.relativePath!, bytes) });
        expect(viaBatch.status, `batch ${shown}`).toBe(400);
        expect(viaBatch.body).toContain('is reserved for partial uploads');
      }
    }
    expect(await finalTree(fx.storageDir)).toEqual([]);
    expect(await incomingNames(fx.storageDir)).toEqual([]);
  });
});
