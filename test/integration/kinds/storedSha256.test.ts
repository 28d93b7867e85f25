import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { READ_RANGE_BYTES, s3Sha256 } from '../../../main/engine/kinds/storedSha256';
import { S3Protocol } from '../../../main/engine/upload/s3Protocol';

/**
 * The S3 checksums HeadObject may report: a FULL_OBJECT SHA-256 is what S3 computed from the bytes
 * and is taken as is; a COMPOSITE one (`…-N`, a multipart upload's digest of part digests) says
 * nothing about the object's SHA-256, so the object is read back. s3rver reports neither, so a
 * small S3 endpoint on 127.0.0.1 answers HeadObject and ranged GetObject here.
 */

const MiB = 1024 * 1024;

interface Served {
  endpoint: string;
  ranges: string[];
  close(): Promise<void>;
}

async function serveObject(bytes: Buffer, checksum: { value: string; type: string } | undefined): Promise<Served> {
  const ranges: string[] = [];
  const server = http.createServer((req, res) => {
    const base = { ETag: '"e"', 'Content-Type': 'application/octet-stream', ...(checksum ? { 'x-amz-checksum-sha256': checksum.value, 'x-amz-checksum-type': checksum.type } : {}) };
    if (req.method === 'HEAD') {
      res.writeHead(200, { ...base, 'Content-Length': bytes.length });
      return res.end();
    }
    const match = /^bytes=(\d+)-(\d+)$/.exec(String(req.headers.range));
    if (req.method !== 'GET' || !match) {
      res.writeHead(400);
      return res.end();
    }
    ranges.push(match[0]);
    const [start, end] = [Number(match[1]), Number(match[2])];
    res.writeHead(206, { ...base, 'Content-Length': end - start + 1, 'Content-Range': `bytes ${start}-${end}/${bytes.length}` });
    res.end(bytes.subarray(start, end + 1));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    ranges,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe('the SHA-256 of an S3 object', () => {
  const closers: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const c of closers.splice(0).reverse()) await c();
  });

  async function ask(bytes: Buffer, checksum: { value: string; type: string } | undefined) {
    const served = await serveObject(bytes, checksum);
    closers.push(() => served.close());
    const protocol = new S3Protocol({ bucket: 'b', endpoint: served.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'k', secretAccessKey: 's' } });
    closers.push(() => protocol.close());
    const options = { signal: new AbortController().signal, checkpoint: async () => undefined };
    return { stored: await s3Sha256(protocol.client, 'b', 'run/cube.h5', bytes.length, options), ranges: served.ranges };
  }

  it('a FULL_OBJECT checksum is the stored bytes SHA-256, computed by the server: nothing is read', async () => {
    const bytes = randomBytes(3 * MiB);
    const digest = createHash('sha256').update(bytes).digest();
    const { stored, ranges } = await ask(bytes, { value: digest.toString('base64'), type: 'FULL_OBJECT' });
    expect(stored).toEqual({ kind: 'sha256', sha256: digest.toString('hex'), method: 'server full-object sha256' });
    expect(ranges).toEqual([]);
  });

  it('a COMPOSITE checksum is not the object SHA-256: the object is read back in ranges and hashed', async () => {
    const bytes = randomBytes(2 * READ_RANGE_BYTES + 12_345);
    const { stored, ranges } = await ask(bytes, { value: `${randomBytes(32).toString('base64')}-3`, type: 'COMPOSITE' });
    expect(stored).toEqual({ kind: 'sha256', sha256: createHash('sha256').update(bytes).digest('hex'), method: 'read-back sha256' });
    // In parallel, so in any order at the server; each range once.
    expect(ranges).toHaveLength(3);
    expect(new Set(ranges)).toEqual(
      new Set([`bytes=0-${READ_RANGE_BYTES - 1}`, `bytes=${READ_RANGE_BYTES}-${2 * READ_RANGE_BYTES - 1}`, `bytes=${2 * READ_RANGE_BYTES}-${bytes.length - 1}`]),
    );
  });
});
