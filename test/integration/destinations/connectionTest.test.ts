/**
 * A connection test says what it reached and what answered, against real servers on 127.0.0.1:
 * an S3 test against the built-in receiver (a tus server) and a plain web server, a tus test
 * against s3rver, a port nobody listens on, and a socket that closes right after accepting.
 */
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { testDestination } from '../../../main/engine/destinations/testConnection';
import type { ResolvedDestination } from '../../../main/engine/destinations/protocolFactory';
import { startS3Server } from '../../helpers/s3Server';
import { makeTmpDir } from '../../helpers/tmpDir';
import { startReceiverFixture } from '../receiver/receiverFixture';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

const base = { id: 'd1', name: 'Lab storage', secret: undefined, builtinUrl: undefined, builtinToken: undefined };

function s3At(endpoint: string, bucket = 'ferry', secret = 'S3RVER'): ResolvedDestination {
  return {
    ...base,
    kind: 's3',
    secret: { secretAccessKey: secret },
    config: { endpoint, bucket, region: 'us-east-1', prefix: '', accessKeyId: 'S3RVER', forcePathStyle: true, partSizeMiB: 16, parallelParts: 4 },
  };
}

function tusAt(endpoint: string): ResolvedDestination {
  return { ...base, kind: 'tus', config: { endpoint, headers: {}, chunkSizeMiB: 16, parallelParts: 4 } };
}

async function listen(server: http.Server | net.Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return (server.address() as AddressInfo).port;
}

/** A port that was free a moment ago: nothing listens there. */
async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function s3rver() {
  const tmp = makeTmpDir('ferry-conn-s3-');
  cleanups.push(tmp.cleanup);
  const server = await startS3Server(tmp.dir);
  cleanups.push(server.close);
  return server;
}

describe('connection tests in plain words', () => {
  it('an S3 test against the built-in receiver says a tus server answered, not that a bucket is missing', async () => {
    const receiver = await startReceiverFixture();
    cleanups.push(receiver.dispose);
    const origin = new URL(receiver.receiver.url).origin;
    // The receiver's address as a user would paste it, and its bare origin.
    const result = await testDestination(s3At(receiver.receiver.url));
    expect((await testDestination(s3At(origin))).problem).toBe('not_s3');
    expect(result.ok).toBe(false);
    expect(result.problem).toBe('not_s3');
    expect(result.message).toContain(`127.0.0.1:${receiver.receiver.port}`);
    expect(result.message).toMatch(/tus upload server/);
    expect(result.message).not.toMatch(/does not exist|UnknownError/);
    expect(result.hint).toMatch(/tus kind/);
  });

  it('an S3 test against a plain web server names it as one, whether it answers 404 or 200', async () => {
    let status = 404;
    const web = http.createServer((_req, res) => {
      res.writeHead(status, { 'Content-Type': 'text/html; charset=utf-8', Server: 'nginx' });
      res.end('<html><body>Not here</body></html>');
    });
    const port = await listen(web);
    const missing = await testDestination(s3At(`http://127.0.0.1:${port}`));
    expect(missing).toMatchObject({ ok: false, problem: 'not_s3' });
    expect(missing.message).toBe(`127.0.0.1:${port} answered as a web server (HTTP 404, text/html, nginx), not as S3.`);
    expect(missing.hint).toMatch(/S3 API/);
    // A web page that answers 200 to everything is not a working bucket either.
    status = 200;
    const page = await testDestination(s3At(`http://127.0.0.1:${port}`));
    expect(page).toMatchObject({ ok: false, problem: 'not_s3' });
  });

  it('an S3 test against a real S3 server tells a missing bucket and refused credentials apart, and passes with the right ones', async () => {
    const s3 = await s3rver();
    const passed = await testDestination(s3At(s3.endpoint));
    expect(passed.message).toMatch(/^Bucket ferry at 127.0.0.1:\d+ is reachable/);
    expect(passed.ok).toBe(true);
    const missing = await testDestination(s3At(s3.endpoint, 'no-such-bucket'));
    expect(missing).toMatchObject({ ok: false, problem: 'bucket_missing' });
    expect(missing.message).toMatch(/is an S3 server, but it has no bucket named no-such-bucket/);
    const refused = await testDestination(s3At(s3.endpoint, 'ferry', 'wrong-secret'));
    expect(refused).toMatchObject({ ok: false, problem: 'auth' });
    expect(refused.hint).toMatch(/access key ID and the secret/);
  });

  it('a tus test against s3rver says an S3 server answered', async () => {
    const s3 = await s3rver();
    const result = await testDestination(tusAt(`${s3.endpoint}/files/`));
    expect(result).toMatchObject({ ok: false, problem: 'not_tus' });
    expect(result.message).toMatch(/answered as an S3 server .*not as a tus server/);
    expect(result.hint).toMatch(/S3 kind/);
  });

  it('a refused port says nothing is listening there, for S3 and for tus', async () => {
    const port = await freePort();
    for (const dest of [s3At(`http://127.0.0.1:${port}`), tusAt(`http://127.0.0.1:${port}/files/`)]) {
      const result = await testDestination(dest);
      expect(result).toMatchObject({ ok: false, problem: 'refused' });
      expect(result.message).toBe(`Nothing is listening at 127.0.0.1:${port}: the connection was refused.`);
      expect(result.hint).toMatch(/address and the port/);
    }
  });

  it('a server that accepts and closes at once is described as such, not as "fetch failed"', async () => {
    const rude = net.createServer((socket) => socket.destroy());
    const port = await listen(rude);
    for (const dest of [s3At(`http://127.0.0.1:${port}`), tusAt(`http://127.0.0.1:${port}/files/`)]) {
      const result = await testDestination(dest);
      expect(result).toMatchObject({ ok: false, problem: 'closed' });
      expect(result.message).toBe(`127.0.0.1:${port} accepted the connection but closed it without answering.`);
    }
  });

  it('a port fetch refuses to use (9, discard) is named, not "fetch failed"', async () => {
    const result = await testDestination(tusAt('http://127.0.0.1:9/files/'));
    expect(result).toMatchObject({ ok: false, problem: 'refused' });
    expect(result.message).toBe('Ferry does not connect to port 9: it is reserved for other services, so no upload server uses it.');
  });

  it('https to a server that speaks plain http is a TLS failure with the right hint', async () => {
    const web = http.createServer((_req, res) => res.end('hello'));
    const port = await listen(web);
    const result = await testDestination(tusAt(`https://127.0.0.1:${port}/files/`));
    expect(result).toMatchObject({ ok: false, problem: 'tls' });
    expect(result.hint).toMatch(/http:\/\/ instead of https:\/\//);
  });

  it('the built-in receiver passes its own test', async () => {
    const receiver = await startReceiverFixture();
    cleanups.push(receiver.dispose);
    const result = await testDestination({ ...base, kind: 'receiver', config: {}, builtinUrl: receiver.receiver.url });
    expect(result.ok).toBe(true);
    expect(result.message).toMatch(/^tus 1\.0\.0 server/);
  });
});
