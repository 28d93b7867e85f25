import { createHash } from 'node:crypto';
import { describe, expect } from 'vitest';
import { TusProtocol, encodeTusMetadata } from '../../../main/engine/upload/tusProtocol';
import { FakeTusServer, type FakeTusOptions } from './fixtures/fakeTusServer';
import { randomFile, sha256Hex } from './fixtures/tempFiles';
import { FAST_RETRY, interruptedUpload, rejection, runUpload, test } from './fixtures/uploadHarness';

const CHUNK = 64 * 1024;
const SIZE = 4 * CHUNK + 99;

async function withFake(options: FakeTusOptions, run: (fake: FakeTusServer, tus: TusProtocol) => Promise<void>): Promise<void> {
  const fake = await new FakeTusServer(options).start();
  const tus = new TusProtocol({ endpoint: fake.endpoint, chunkSize: CHUNK, headers: { Authorization: 'Bearer t0k3n' } });
  try {
    await run(fake, tus);
  } finally {
    tus.close();
    await fake.close();
  }
}

const only = (fake: FakeTusServer) => [...fake.uploads.values()];

describe('tus client against a scripted server', () => {
  test('sends Upload-Checksum sha256 on every PATCH when offered, and custom headers everywhere', async ({ tmp }) => {
    const src = await randomFile(tmp, 'a.bin', SIZE);
    await withFake({}, async (fake, tus) => {
      const { result } = await runUpload({ protocol: tus, path: src.path, relativePath: 'a.bin' });
      const patches = fake.of('PATCH');
      expect(patches).toHaveLength(5);
      for (const p of patches) {
        expect(p.headers['upload-checksum']).toBe(`sha256 ${createHash('sha256').update(p.body).digest('base64')}`);
      }
      expect(fake.requests.every((r) => r.headers.authorization === 'Bearer t0k3n')).toBe(true);
      expect(sha256Hex(only(fake)[0]!.data)).toBe(src.sha256);
      expect(result.verified).toBe('checksum');
    });
  });

  test('falls back to sha1 when that is the only algorithm offered', async ({ tmp }) => {
    const src = await randomFile(tmp, 'a.bin', SIZE);
    await withFake({ checksumAlgorithms: ['md5', 'sha1'] }, async (fake, tus) => {
      await runUpload({ protocol: tus, path: src.path, relativePath: 'a.bin' });
      expect(fake.of('PATCH').every((p) => p.headers['upload-checksum'] === `sha1 ${createHash('sha1').update(p.body).digest('base64')}`)).toBe(true);
    });
  });

  test('a small file goes in the creation POST (creation-with-upload) with encoded metadata', async ({ tmp }) => {
    const src = await randomFile(tmp, 'small.bin', 1000);
    await withFake({ extensions: ['creation', 'creation-with-upload'] }, async (fake, tus) => {
      const { result } = await runUpload({
        protocol: tus,
        path: src.path,
        relativePath: 'spectra/größe 1.bin',
        metadata: { dataset: 'ds-1', operator: 'Zoë' },
        sha256: src.sha256,
      });
      expect(fake.of('POST')).toHaveLength(1);
      expect(fake.of('PATCH')).toHaveLength(0);
      expect(only(fake)[0]!.metadata).toEqual({
        dataset: 'ds-1',
        operator: 'Zoë',
        filename: 'größe 1.bin',
        relativePath: 'spectra/größe 1.bin',
        sha256: src.sha256,
        idempotencyKey: expect.stringMatching(/^[0-9a-f]{32}$/),
      });
      expect(result.verified).toBe('size');
    });
  });

  test('460 (checksum mismatch): that chunk is sent again', async ({ tmp }) => {
    const src = await randomFile(tmp, 'a.bin', SIZE);
    await withFake({ fault: (r) => (r.method === 'PATCH' && r.nth === 2 ? { status: 460 } : undefined) }, async (fake, tus) => {
      await runUpload({ protocol: tus, path: src.path, relativePath: 'a.bin' });
      const offsets = fake.of('PATCH').map((p) => Number(p.headers['upload-offset']));
      expect(offsets).toEqual([0, CHUNK, CHUNK, 2 * CHUNK, 3 * CHUNK, 4 * CHUNK]);
      expect(sha256Hex(only(fake)[0]!.data)).toBe(src.sha256);
    });
  });

  test('a 5xx is retried after asking the server where it stands', async ({ tmp }) => {
    const src = await randomFile(tmp, 'a.bin', SIZE);
    const retried: unknown[] = [];
    await withFake({ fault: (r) => (r.method === 'PATCH' && r.nth === 3 ? { status: 503, body: 'busy' } : undefined) }, async (fake, tus) => {
      await runUpload({ protocol: tus, path: src.path, relativePath: 'a.bin', onRetry: (err) => retried.push(err) });
      expect(retried).toHaveLength(1);
      expect(retried[0]).toMatchObject({ code: 'REMOTE', details: { status: 503, retriable: true } });
      expect(fake.of('HEAD')).toHaveLength(1);
      expect(sha256Hex(only(fake)[0]!.data)).toBe(src.sha256);
    });
  });

  test('a 5xx that persists fails REMOTE, marked retriable, after the policy gives up', async ({ tmp }) => {
    const src = await randomFile(tmp, 'a.bin', SIZE);
    await withFake({ fault: (r) => (r.method === 'PATCH' ? { status: 500 } : undefined) }, async (fake, tus) => {
      const err = await rejection(runUpload({ protocol: tus, path: src.path, relativePath: 'a.bin' }));
      expect(err.code).toBe('REMOTE');
      expect(err.message).toMatch(/tus PATCH at 0 .*server answered 500/);
      expect(err.details).toMatchObject({ retriable: true });
      expect(fake.of('PATCH')).toHaveLength(FAST_RETRY.maxAttempts);
    });
  });

  test('a lost answer (applied, then the connection dropped) is not sent twice', async ({ tmp }) => {
    const src = await randomFile(tmp, 'a.bin', SIZE);
    await withFake({ fault: (r) => (r.method === 'PATCH' && r.nth === 2 ? 'apply-then-hangup' : undefined) }, async (fake, tus) => {
      const { throttle } = await runUpload({ protocol: tus, path: src.path, relativePath: 'a.bin' });
      expect(throttle.granted).toBe(SIZE);
      expect(fake.of('PATCH')).toHaveLength(5);
      expect(sha256Hex(only(fake)[0]!.data)).toBe(src.sha256);
    });
  });

  test('409: the client asks HEAD and sends only what the server lacks', async ({ tmp }) => {
    const src = await randomFile(tmp, 'a.bin', SIZE);
    const fault: FakeTusOptions['fault'] = (r, fake) => {
      if (r.method !== 'PATCH' || r.nth !== 2) return undefined;
      // The server kept half of the chunk yet answers 409, as after a cut-off request.
      fake.applyPatch(r.path.split('/').pop()!, r.body.subarray(0, CHUNK / 2));
      return { status: 409 };
    };
    await withFake({ fault }, async (fake, tus) => {
      const { throttle } = await runUpload({ protocol: tus, path: src.path, relativePath: 'a.bin' });
      const offsets = fake.of('PATCH').map((p) => Number(p.headers['upload-offset']));
      // Requests are streamed and end on the pass's read-piece boundaries: the one after the 409
      // runs from where the server stands to the end of the next piece.
      expect(offsets).toEqual([0, CHUNK, CHUNK + CHUNK / 2, 3 * CHUNK, 4 * CHUNK]);
      expect(throttle.granted).toBe(SIZE + CHUNK / 2);
      expect(sha256Hex(only(fake)[0]!.data)).toBe(src.sha256);
    });
  });

  test('an answer given before the body was read is heard, and that connection is not reused', async ({ tmp }) => {
    const big = 1024 * 1024;
    const src = await randomFile(tmp, 'a.bin', 4 * big);
    const fake = await new FakeTusServer({ earlyFault: (method, nth) => (method === 'PATCH' && nth === 2 ? { status: 409 } : undefined) }).start();
    const tus = new TusProtocol({ endpoint: fake.endpoint, chunkSize: big });
    try {
      await runUpload({ protocol: tus, path: src.path, relativePath: 'a.bin' });
      expect(fake.of('HEAD')).toHaveLength(1);
      expect(sha256Hex(only(fake)[0]!.data)).toBe(src.sha256);
      // Sequential requests share one keep-alive socket; the half-written one was closed.
      expect(await fake.connections()).toBe(1);
    } finally {
      tus.close();
      await fake.close();
    }
  });

  test('412: the server does not speak tus 1.0.0, a REMOTE error that is not retried', async ({ tmp }) => {
    const src = await randomFile(tmp, 'a.bin', SIZE);
    await withFake({ fault: (r) => (r.method === 'POST' ? { status: 412, headers: { 'Tus-Version': '0.2.2' } } : undefined) }, async (fake, tus) => {
      const err = await rejection(runUpload({ protocol: tus, path: src.path, relativePath: 'a.bin' }));
      expect(err.code).toBe('REMOTE');
      expect(err.message).toMatch(/412.*Tus-Version: 0\.2\.2/);
      expect(fake.of('POST')).toHaveLength(1);
    });
  });

  const garbage: Array<[string, FakeTusOptions['fault'], RegExp]> = [
    ['PATCH answered without Upload-Offset', (r) => (r.method === 'PATCH' ? { status: 204 } : undefined), /no Upload-Offset/],
    ['PATCH answered a non-numeric Upload-Offset', (r) => (r.method === 'PATCH' ? { status: 204, headers: { 'Upload-Offset': '12abc' } } : undefined), /malformed Upload-Offset "12abc"/],
    ['PATCH answered an offset past what was sent', (r) => (r.method === 'PATCH' ? { status: 204, headers: { 'Upload-Offset': String(10 * CHUNK) } } : undefined), /Upload-Offset 655360/],
    ['POST answered without Location', (r) => (r.method === 'POST' ? { status: 201 } : undefined), /no Location/],
    ['POST answered an unusable Location', (r) => (r.method === 'POST' ? { status: 201, headers: { Location: 'ftp://elsewhere/x' } } : undefined), /unusable Location "ftp:\/\/elsewhere\/x"/],
  ];
  for (const [label, fault, message] of garbage) {
    test(`garbage: ${label} → REMOTE with details`, async ({ tmp }) => {
      const src = await randomFile(tmp, 'a.bin', SIZE);
      await withFake({ fault }, async (_fake, tus) => {
        const err = await rejection(runUpload({ protocol: tus, path: src.path, relativePath: 'a.bin' }));
        expect(err.code).toBe('REMOTE');
        expect(err.message).toMatch(message);
        expect(err.details).toBeTypeOf('object');
      });
    });
  }

  test('garbage: HEAD answering a non-numeric offset on resume → REMOTE', async ({ tmp }) => {
    const src = await randomFile(tmp, 'a.bin', SIZE);
    await withFake({ fault: (r) => (r.method === 'HEAD' ? { status: 200, headers: { 'Upload-Offset': 'lots' } } : undefined) }, async (_fake, tus) => {
      const first = await interruptedUpload({ protocol: tus, path: src.path, relativePath: 'a.bin' }, ({ granted }) => granted >= CHUNK);
      const err = await rejection(runUpload({ protocol: tus, path: src.path, relativePath: 'a.bin', resume: first.state }));
      expect(err).toMatchObject({ code: 'REMOTE', details: { header: 'Upload-Offset', value: 'lots' } });
    });
  });

  test('410 on resume: a new upload is created and completed', async ({ tmp }) => {
    const src = await randomFile(tmp, 'a.bin', SIZE);
    await withFake({ fault: (r) => (r.method === 'HEAD' && r.nth === 1 ? { status: 410 } : undefined) }, async (fake, tus) => {
      const first = await interruptedUpload({ protocol: tus, path: src.path, relativePath: 'a.bin' }, ({ granted }) => granted >= 2 * CHUNK);
      const second = await runUpload({ protocol: tus, path: src.path, relativePath: 'a.bin', resume: first.state });
      expect(second.result.resumedFrom).toBe(0);
      expect(fake.of('POST')).toHaveLength(2);
      expect(sha256Hex(fake.upload(second.result.location)!.data)).toBe(src.sha256);
    });
  });

  test('404 in the middle of an upload: a new upload is started from byte 0', async ({ tmp }) => {
    const src = await randomFile(tmp, 'a.bin', SIZE);
    await withFake({ fault: (r) => (r.method === 'PATCH' && r.nth === 3 ? { status: 404 } : undefined) }, async (fake, tus) => {
      const { result, progress } = await runUpload({ protocol: tus, path: src.path, relativePath: 'a.bin' });
      expect(fake.of('POST')).toHaveLength(2);
      expect(sha256Hex(fake.upload(result.location)!.data)).toBe(src.sha256);
      // Progress holds at its high point while the new upload catches up.
      expect(progress.every((v, i) => i === 0 || v >= progress[i - 1]!)).toBe(true);
    });
  });

  test('a server that reports the SHA-256 it stored (Ferry-Sha256) is checked against the file', async ({ tmp }) => {
    const src = await randomFile(tmp, 'a.bin', SIZE);
    const honest = { extensions: ['creation'], onComplete: (u: { data: Buffer }) => ({ 'Ferry-Sha256': sha256Hex(u.data) }) };
    await withFake(honest, async (_fake, tus) => {
      const { result } = await runUpload({ protocol: tus, path: src.path, relativePath: 'a.bin' });
      expect(result.verified).toBe('checksum');
    });
    await withFake({ extensions: ['creation'], onComplete: () => ({ 'Ferry-Sha256': 'ab'.repeat(32) }) }, async (_fake, tus) => {
      const err = await rejection(runUpload({ protocol: tus, path: src.path, relativePath: 'a.bin' }));
      expect(err.code).toBe('REMOTE');
      expect(err.message).toContain(`server stored SHA-256 ${'ab'.repeat(32)}, the file has ${src.sha256}`);
    });
  });

  test('metadata keys with spaces or commas are refused', () => {
    expect(() => encodeTusMetadata({ 'bad key': 'x' })).toThrow(/metadata key/);
    expect(encodeTusMetadata({ a: 'Zoë', b: '' })).toBe(`a ${Buffer.from('Zoë').toString('base64')},b`);
  });
});
