import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import type { SavedTusSession } from '../../../main/engine/upload/protocol';
import { TusProtocol } from '../../../main/engine/upload/tusProtocol';
import { dispatchCommand } from '../../../main/engine/api/dispatch';
import { startEngine, waitForJob } from '../../helpers/engineFixture';
import { makeDataset, sha256Of } from '../../helpers/servicesFixture';
import { FakeTusServer, type FakeTusOptions } from './fixtures/fakeTusServer';
import { randomFile, sha256Hex } from './fixtures/tempFiles';
import { FAST_RETRY, interruptedUpload, rejection, runUpload, test } from './fixtures/uploadHarness';

/**
 * tus concatenation (`Tus-Extension: concatenation`): a file larger than a chunk goes as partial
 * uploads sent in parallel, joined by a final upload. @tus/server does not offer the extension,
 * so these run against the scripted server on 127.0.0.1, which joins parts as the spec says.
 */

const CHUNK = 64 * 1024;
const SIZE = 6 * CHUNK + 99;
const CONCAT = ['creation', 'creation-with-upload', 'termination', 'concatenation'];

async function withFake(options: FakeTusOptions, run: (fake: FakeTusServer, tus: TusProtocol) => Promise<void>, parallelParts?: number): Promise<void> {
  const fake = await new FakeTusServer(options).start();
  const tus = new TusProtocol({ endpoint: fake.endpoint, chunkSize: CHUNK, headers: { Authorization: 'Bearer t0k3n' }, ...(parallelParts ? { parallelParts } : {}) });
  try {
    await run(fake, tus);
  } finally {
    tus.close();
    await fake.close();
  }
}

const finals = (fake: FakeTusServer) => [...fake.uploads.values()].filter((u) => u.concat === 'final');
const partials = (fake: FakeTusServer) => [...fake.uploads.values()].filter((u) => u.concat === 'partial');

describe('tus concatenation', () => {
  test('sends parts in parallel and joins them in order; the metadata and SHA-256 go on the final upload', async ({ tmp }) => {
    const src = await randomFile(tmp, 'stack.tif', SIZE);
    await withFake({ extensions: CONCAT, holdUntilInFlight: 2 }, async (fake, tus) => {
      const { result } = await runUpload({ protocol: tus, path: src.path, relativePath: 'run/stack.tif', metadata: { dataset: 'cells' } });
      expect(partials(fake)).toHaveLength(7);
      expect(fake.maxInFlight).toBeGreaterThan(1);
      const [joined] = finals(fake);
      expect(sha256Hex(joined!.data)).toBe(src.sha256);
      expect(joined!.metadata).toMatchObject({ dataset: 'cells', relativePath: 'run/stack.tif', sha256: src.sha256 });
      expect(partials(fake).every((p) => Object.keys(p.metadata).length === 0)).toBe(true);
      expect(result).toMatchObject({ verified: 'size', sha256: src.sha256, location: expect.stringMatching(/\/files\/u\d+$/) });
      expect(fake.upload(result.location)).toBe(joined);
      expect(fake.requests.every((r) => r.headers.authorization === 'Bearer t0k3n')).toBe(true);
    });
  });

  test('with the checksum extension every part PATCH carries its Upload-Checksum', async ({ tmp }) => {
    const src = await randomFile(tmp, 'a.bin', SIZE);
    await withFake({ extensions: [...CONCAT, 'checksum'], checksumAlgorithms: ['sha256'] }, async (fake, tus) => {
      const { result } = await runUpload({ protocol: tus, path: src.path, relativePath: 'a.bin' });
      const patches = fake.of('PATCH');
      expect(patches).toHaveLength(7);
      for (const p of patches) expect(p.headers['upload-checksum']).toBe(`sha256 ${createHash('sha256').update(p.body).digest('base64')}`);
      expect(sha256Hex(finals(fake)[0]!.data)).toBe(src.sha256);
      expect(result.verified).toBe('checksum');
    });
  });

  test('a file no larger than one chunk, or parallelParts 1, stays one plain upload', async ({ tmp }) => {
    const small = await randomFile(tmp, 'small.bin', CHUNK);
    const big = await randomFile(tmp, 'big.bin', SIZE);
    await withFake({ extensions: CONCAT }, async (fake, tus) => {
      await runUpload({ protocol: tus, path: small.path, relativePath: 'small.bin' });
      expect(fake.requests.some((r) => r.headers['upload-concat'])).toBe(false);
    });
    await withFake({ extensions: CONCAT }, async (fake, tus) => {
      await runUpload({ protocol: tus, path: big.path, relativePath: 'big.bin' });
      expect(fake.requests.some((r) => r.headers['upload-concat'])).toBe(false);
      expect(sha256Hex([...fake.uploads.values()][0]!.data)).toBe(big.sha256);
    }, 1);
  });

  test('resumes after an interruption: done parts are checked with HEAD and kept, only the rest is sent', async ({ tmp }) => {
    const src = await randomFile(tmp, 'resume.bin', SIZE);
    await withFake({ extensions: CONCAT }, async (fake, tus) => {
      const first = await interruptedUpload({ protocol: tus, path: src.path, relativePath: 'resume.bin' }, ({ confirmed }) => confirmed >= 3 * CHUNK);
      const saved = first.state.session as SavedTusSession;
      const done = saved.concat!.parts.filter((p) => p.done);
      expect(done.length).toBeGreaterThanOrEqual(3);
      const second = await runUpload({ protocol: tus, path: src.path, relativePath: 'resume.bin', resume: first.state });
      // Parts confirmed before the cut are not sent again.
      const doneBytes = done.reduce((n, p) => n + p.length, 0);
      expect(second.throttle.granted).toBeLessThanOrEqual(SIZE - doneBytes);
      expect(sha256Hex(fake.upload(second.result.location)!.data)).toBe(src.sha256);
    });
  });

  test('a part that expired before the join is sent again; a 5xx on a part is retried', async ({ tmp }) => {
    const src = await randomFile(tmp, 'x.bin', SIZE);
    let dropped = false;
    await withFake(
      {
        extensions: CONCAT,
        fault: (req, fake) => {
          if (req.method === 'POST' && String(req.headers['upload-concat']).startsWith('final;') && !dropped) {
            dropped = true;
            fake.uploads.delete('u2'); // the second part expired
          }
          if (req.method === 'POST' && req.headers['upload-concat'] === 'partial' && req.nth === 3) return { status: 503 };
          return undefined;
        },
      },
      async (fake, tus) => {
        const { result } = await runUpload({ protocol: tus, path: src.path, relativePath: 'x.bin', retry: FAST_RETRY });
        expect(dropped).toBe(true);
        expect(sha256Hex(fake.upload(result.location)!.data)).toBe(src.sha256);
      },
    );
  });

  test('a server that answers the final POST with garbage fails with a clear REMOTE error', async ({ tmp }) => {
    const src = await randomFile(tmp, 'g.bin', SIZE);
    await withFake(
      { extensions: CONCAT, fault: (req) => (String(req.headers['upload-concat']).startsWith('final;') ? { status: 201, headers: { Location: 'mailto:nobody' } } : undefined) },
      async (_fake, tus) => {
        const err = await rejection(runUpload({ protocol: tus, path: src.path, relativePath: 'g.bin', retry: FAST_RETRY }));
        expect(err).toMatchObject({ code: 'REMOTE', message: expect.stringMatching(/POST final .*unusable Location "mailto:nobody"/) });
      },
    );
  });

  test('discard (cancel) deletes every part the saved state knows', async ({ tmp }) => {
    const src = await randomFile(tmp, 'c.bin', SIZE);
    await withFake({ extensions: CONCAT }, async (fake, tus) => {
      const first = await interruptedUpload({ protocol: tus, path: src.path, relativePath: 'c.bin' }, ({ confirmed }) => confirmed >= 2 * CHUNK);
      const known = (first.state.session as SavedTusSession).concat!.parts;
      expect(known.length).toBeGreaterThanOrEqual(2);
      await tus.discard(first.state.session, new AbortController().signal);
      expect(fake.of('DELETE').map((r) => r.path).sort()).toEqual(known.map((p) => new URL(p.url).pathname).sort());
      for (const p of known) expect(fake.upload(p.url)).toBeUndefined();
      // Parts created after the last saved state (in flight at the cut) are left to expire.
      expect(fake.uploads.size).toBeLessThanOrEqual(4);
    });
  });

  test('a saved tus destination sets the parts in parallel (1 turns concatenation off)', async ({ tmp }) => {
    const fake = await new FakeTusServer({ extensions: CONCAT, delayMs: 10 }).start();
    const ferry = startEngine();
    try {
      const src = makeDataset({ 'cube.raw': 3 * 1024 * 1024 + 5 }, join(tmp, 'ds'));
      for (const [parallelParts, expectParts] of [[2, true], [1, false]] as const) {
        const saved = await dispatchCommand(ferry.engine, 'saveDestination', { name: `tus ${parallelParts}`, kind: 'tus', config: { endpoint: fake.endpoint, chunkSizeMiB: 1, parallelParts } });
        const destinationId = (saved as { value: { id: string } }).value.id;
        const before = fake.requests.length;
        const job = (await dispatchCommand(ferry.engine, 'createUpload', { paths: [src], destinationId, name: `p${parallelParts}` })) as { value: { id: number } };
        const done = await waitForJob(ferry.engine, job.value.id, (j) => j.state === 'completed' || j.state === 'failed', 20_000);
        expect(done.state).toBe('completed');
        const partialPosts = fake.requests.slice(before).filter((r) => r.method === 'POST' && r.headers['upload-concat'] === 'partial');
        expect(partialPosts.length > 0).toBe(expectParts);
      }
      const joined = [...fake.uploads.values()].find((u) => u.concat === 'final' && u.metadata.relativePath === 'cube.raw');
      expect(sha256Hex(joined!.data)).toBe(sha256Of(join(tmp, 'ds', 'cube.raw')));
    } finally {
      await ferry.dispose();
      await fake.close();
    }
  });
});
