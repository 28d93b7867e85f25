import { readFile, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect } from 'vitest';
import { TusProtocol } from '../../../main/engine/upload/tusProtocol';
import { startReceiver } from '../../../main/receiver/receiver';
import { CountingThrottle } from './fixtures/countingThrottle';
import { randomFile, sha256Of } from './fixtures/tempFiles';
import { startTusServer, type TusServerHandle } from './fixtures/tusServer';
import { interruptedUpload, monotonic, runUpload, test as base } from './fixtures/uploadHarness';

const CHUNK = 256 * 1024;

const test = base.extend<{ tusd: TusServerHandle; tus: TusProtocol }>({
  tusd: async ({ tmp }, use) => {
    const server = await startTusServer(path.join(tmp, 'server'));
    await use(server);
    await server.close();
  },
  tus: async ({ tusd }, use) => {
    const tus = new TusProtocol({ endpoint: tusd.endpoint, chunkSize: CHUNK });
    await use(tus);
    tus.close();
  },
});

describe('tus upload into @tus/server', () => {
  const sizes = {
    '0 B': 0,
    '1 B': 1,
    'one chunk exactly': CHUNK,
    'three chunks exactly': 3 * CHUNK,
    'a few MB, ragged end': 3 * 1024 * 1024 + 12_345,
  };
  for (const [label, size] of Object.entries(sizes)) {
    test(`${label}: what lands has the source's SHA-256`, async ({ tmp, tusd, tus }) => {
      const src = await randomFile(tmp, 'src.bin', size);
      const { result, progress, states } = await runUpload({
        protocol: tus,
        path: src.path,
        relativePath: 'run 7/src.bin',
        metadata: { dataset: 'beamtime-42' },
      });
      const url = states.at(-1)!.session.protocol === 'tus' ? (states.at(-1)!.session as { url: string }).url : '';
      expect(result.sha256).toBe(src.sha256);
      expect(result.location).toBe(url);
      expect(await sha256Of(tusd.fileFor(url))).toBe(src.sha256);
      expect(monotonic(progress)).toBe(true);
      expect(progress.at(-1)).toBe(size);
      expect(result.bytesSent).toBe(size);
      const info = JSON.parse(await readFile(`${tusd.fileFor(url)}.json`, 'utf8')) as { metadata: Record<string, string> };
      expect(info.metadata).toMatchObject({ filename: 'src.bin', relativePath: 'run 7/src.bin', dataset: 'beamtime-42' });
    });
  }

  test('a resumed upload continues at the server offset, re-sending at most one chunk', async ({ tmp, tusd, tus }) => {
    const size = 2 * 1024 * 1024 + 123;
    const src = await randomFile(tmp, 'big.bin', size);
    const first = await interruptedUpload({ protocol: tus, path: src.path, relativePath: 'big.bin' }, ({ granted }) => granted >= 3.5 * CHUNK);
    const url = (first.state.session as { url: string }).url;
    expect(first.confirmed).toBeLessThan(size);

    const second = await runUpload({ protocol: tus, path: src.path, relativePath: 'big.bin', resume: first.state });
    expect(second.result.location).toBe(url);
    expect(second.result.resumedFrom).toBeGreaterThanOrEqual(first.confirmed);
    expect(first.granted + second.throttle.granted - size).toBeLessThanOrEqual(CHUNK);
    expect(second.progress[0]).toBeGreaterThanOrEqual(first.confirmed);
    expect(await sha256Of(tusd.fileFor(url))).toBe(src.sha256);
  });

  test('an upload the server no longer has (404) is started anew', async ({ tmp, tusd, tus }) => {
    const src = await randomFile(tmp, 'gone.bin', 5 * CHUNK);
    const first = await interruptedUpload({ protocol: tus, path: src.path, relativePath: 'gone.bin' }, ({ granted }) => granted >= 2 * CHUNK);
    const oldUrl = (first.state.session as { url: string }).url;
    await rm(tusd.fileFor(oldUrl));
    await rm(`${tusd.fileFor(oldUrl)}.json`);

    const second = await runUpload({ protocol: tus, path: src.path, relativePath: 'gone.bin', resume: first.state });
    expect(second.result.location).not.toBe(oldUrl);
    expect(second.result.resumedFrom).toBe(0);
    expect(await sha256Of(tusd.fileFor(second.result.location))).toBe(src.sha256);
  });

  test('the throttle holds a real upload to its rate: never faster, and not far slower', async ({ tmp, tusd, tus }) => {
    const rate = 2 * 1024 * 1024;
    const size = 3 * 1024 * 1024;
    const src = await randomFile(tmp, 'slow.bin', size);
    const started = performance.now();
    const { result } = await runUpload({ protocol: tus, path: src.path, relativePath: 'slow.bin', throttle: new CountingThrottle(rate) });
    const seconds = (performance.now() - started) / 1000;
    // The bucket starts with 100 ms of rate; the rest must wait for tokens.
    const ideal = (size - rate * 0.1) / rate;
    expect(seconds).toBeGreaterThan(ideal * 0.9);
    // Never faster is the promise; the slow side depends on how busy the machine is (the timers run
    // late under load), so it only catches a throttle that loses a large share of the rate.
    expect(seconds).toBeLessThan(ideal * 1.5 + 0.5);
    expect(await sha256Of(tusd.fileFor(result.location))).toBe(src.sha256);
  });

  test('discard terminates the upload on the server (DELETE)', async ({ tmp, tusd, tus }) => {
    const src = await randomFile(tmp, 'cancel.bin', 4 * CHUNK);
    const first = await interruptedUpload({ protocol: tus, path: src.path, relativePath: 'cancel.bin' }, ({ granted }) => granted >= CHUNK);
    const url = (first.state.session as { url: string }).url;
    await expect(stat(tusd.fileFor(url))).resolves.toBeTruthy();
    await tus.discard(first.state.session, new AbortController().signal);
    await expect(stat(tusd.fileFor(url))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('tus upload into Ferry\'s built-in receiver', () => {
  test('the receiver files the dataset and reports the SHA-256 it stored, which finish checks', async ({ tmp }) => {
    const receiver = await startReceiver({ storageDir: path.join(tmp, 'received') });
    const tus = new TusProtocol({ endpoint: receiver.url, chunkSize: CHUNK });
    try {
      const src = await randomFile(tmp, 'cube.h5', 3 * CHUNK + 5);
      const { result } = await runUpload({ protocol: tus, path: src.path, relativePath: 'run 1/cube.h5', metadata: { dataset: 'beam-42' } });
      expect(result.verified).toBe('checksum');
      expect(await sha256Of(path.join(tmp, 'received', 'beam-42', 'run 1', 'cube.h5'))).toBe(src.sha256);
    } finally {
      tus.close();
      await receiver.close();
    }
  });
});
