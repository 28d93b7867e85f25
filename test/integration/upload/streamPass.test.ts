import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FerryError } from '../../../shared/errors';
import { TusProtocol } from '../../../main/engine/upload/tusProtocol';
import { uploadFile } from '../../../main/engine/upload/uploadFile';
import { Throttle } from '../../../main/engine/upload/throttle';
import { startFaultProxy, type FaultProxy } from '../../helpers/faultProxy';
import { finalTree, sha256OfFile, startReceiverFixture, writeRandomFile, type ReceiverFixture } from '../receiver/receiverFixture';

const MiB = 1024 * 1024;
const unlimited = () => new Throttle(0);
const fastRetry = { maxAttempts: 40, baseDelayMs: 1, maxDelayMs: 5 };

/** One file to the dataset `ds`, unthrottled, retried fast; `extra` adds callbacks and options. */
function send(protocol: TusProtocol, file: string, relativePath: string, extra: Partial<Parameters<typeof uploadFile>[0]> = {}) {
  return uploadFile({
    protocol,
    path: file,
    relativePath,
    metadata: { dataset: 'ds' },
    signal: new AbortController().signal,
    throttle: unlimited(),
    retry: fastRetry,
    ...extra,
  });
}

describe('streamed tus requests (the built-in receiver asks for no per-request checksum)', () => {
  let fx: ReceiverFixture;
  let proxy: FaultProxy;
  beforeEach(async () => {
    fx = await startReceiverFixture();
    proxy = await startFaultProxy({ target: { host: '127.0.0.1', port: fx.receiver.port } });
  });
  afterEach(async () => {
    await proxy.close();
    await fx.dispose();
  });

  it('one long request per requestBytes, progress moving with every piece inside it', async () => {
    const src = await writeRandomFile(fx.srcDir, 'long.bin', 20 * MiB + 5);
    const protocol = new TusProtocol({ endpoint: fx.receiver.url, chunkSize: 64 * MiB });
    const sent: number[] = [];
    const acked: number[] = [];
    const res = await send(protocol, src.file, 'long.bin', {
      onSent: (at) => sent.push(at),
      onAck: (_state, confirmed) => void acked.push(confirmed),
    });
    protocol.close();
    expect(res.sha256).toBe(src.sha256);
    expect(res.verified).toBe('checksum');
    // 4 MiB pieces: the bar moves six times during the single request …
    expect(sent).toEqual([4, 8, 12, 16, 20].map((m) => m * MiB).concat(20 * MiB + 5));
    // … and the destination acknowledged once, at the end.
    expect(acked.filter((a) => a > 0)).toEqual([20 * MiB + 5]);
    expect(proxy.stats().connections).toBe(0); // it went direct; the proxy is for the next tests
    expect(await sha256OfFile(path.join(fx.storageDir, 'ds/long.bin'))).toBe(src.sha256);
  });

  it('requests cut at many offsets: each retry re-sends from where the receiver stands, and what lands is the source', async () => {
    const src = await writeRandomFile(fx.srcDir, 'cut.bin', 6 * MiB + 123);
    const protocol = new TusProtocol({ endpoint: proxy.url('/files/'), chunkSize: 2 * MiB });
    const cuts = [300_000, 1_900_000, 700_000, 2_050_000, 64_000, 1_500_000];
    let failures = 0;
    proxy.setFaults({ resetAfterBytes: cuts[0] });
    const res = await send(protocol, src.file, 'c/cut.bin', {
      onRetry: () => proxy.setFaults(++failures < cuts.length ? { resetAfterBytes: cuts[failures] } : {}),
    });
    protocol.close();
    expect(failures).toBeGreaterThanOrEqual(3);
    expect(res.sha256).toBe(src.sha256);
    expect(await finalTree(fx.storageDir)).toEqual(['ds/c/cut.bin']);
    expect(await sha256OfFile(path.join(fx.storageDir, 'ds/c/cut.bin'))).toBe(src.sha256);
    // Everything cut was sent again, but nothing beyond a request per cut.
    expect(proxy.stats().bytesUp).toBeLessThan(6 * MiB + 123 + failures * 2 * MiB + 64 * 1024);
  });

  it('memory stays at a few pieces while a 256 MiB file goes in one request', async () => {
    const file = path.join(fx.srcDir, 'sparse.bin');
    await fsp.writeFile(file, '');
    await fsp.truncate(file, 256 * MiB);
    const protocol = new TusProtocol({ endpoint: fx.receiver.url, chunkSize: 1024 * MiB });
    const base = process.memoryUsage().arrayBuffers;
    let peak = 0;
    const sample = setInterval(() => (peak = Math.max(peak, process.memoryUsage().arrayBuffers - base)), 5);
    try {
      const res = await send(protocol, file, 'sparse.bin');
      expect(res.size).toBe(256 * MiB);
    } finally {
      clearInterval(sample);
      protocol.close();
    }
    // Three 4 MiB pieces on this side; the receiver shares the process and buffers its socket reads.
    // Holding the request would be the whole 256 MiB.
    expect(peak).toBeLessThan(64 * MiB);
  });

  it('a file that changes during a streamed request fails as a changed source, not as a network error', async () => {
    const src = await writeRandomFile(fx.srcDir, 'grow.bin', 12 * MiB);
    const protocol = new TusProtocol({ endpoint: fx.receiver.url, chunkSize: 64 * MiB });
    let touched = false;
    const err = await send(protocol, src.file, 'grow.bin', {
      onSent: (at) => {
        if (!touched && at >= 4 * MiB) {
          touched = true;
          // Synchronous, so the file has changed before the next piece is read: an append still in
          // flight when the last piece went out would let the upload finish on a busy machine.
          fs.appendFileSync(src.file, 'more');
        }
      },
    }).catch((e: unknown) => e);
    protocol.close();
    expect(err).toBeInstanceOf(FerryError);
    expect((err as FerryError).code).toBe('IO');
    expect((err as FerryError).message).toMatch(/changed during upload/);
    expect(await finalTree(fx.storageDir)).toEqual([]);
  });
});
