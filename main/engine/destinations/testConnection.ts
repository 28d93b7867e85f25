import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { randomBytes } from 'node:crypto';
import { rm, stat, statfs, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DestinationTest } from '../../../shared/destinations';
import { addressOf, describeAnswer, identify, networkProblem, probe, type Answer, type Diagnosis } from '../util/connectionProblem';
import { pseudoFolderProblem } from './folderPlace';
import type { ResolvedDestination } from './protocolFactory';

const TIMEOUT_MS = 10_000;

function signalWithTimeout(signal?: AbortSignal): AbortSignal {
  const timeout = AbortSignal.timeout(TIMEOUT_MS);
  return signal ? AbortSignal.any([signal, timeout]) : timeout;
}

const describe = (err: unknown): string => {
  const e = err as { name?: string; message?: string; code?: string; cause?: { code?: string; message?: string } };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return `no answer within ${TIMEOUT_MS / 1000} s`;
  return e?.cause?.code ?? e?.code ?? e?.message ?? String(err);
};

/** Checks that a destination answers and accepts uploads, without uploading anything. */
export async function testDestination(dest: ResolvedDestination, signal?: AbortSignal): Promise<DestinationTest> {
  const started = performance.now();
  const done = (ok: boolean, message: string, details?: Record<string, unknown>): DestinationTest => ({
    ok,
    message,
    latencyMs: Math.round(performance.now() - started),
    ...(details ? { details } : {}),
  });
  const failed = (d: Diagnosis, details?: Record<string, unknown>): DestinationTest => ({ ...done(false, d.message, details), hint: d.hint, problem: d.problem });
  let address: string | undefined;
  try {
    switch (dest.kind) {
      case 'receiver':
      case 'tus': {
        const endpoint = dest.kind === 'receiver' ? dest.builtinUrl : dest.config.endpoint;
        if (!endpoint) return failed({ problem: 'not_running', message: 'The built-in receiver is not running.', hint: 'Start it in Settings › Built-in receiver, or look at Health for why it stopped.' });
        address = endpoint;
        return await testTus(dest, endpoint, signal, done, failed);
      }
      case 's3': {
        address = dest.config.endpoint ?? `https://s3.${dest.config.region}.amazonaws.com`;
        return await testS3(dest as ResolvedDestination & { kind: 's3' }, address, signal, done, failed);
      }
      case 'folder': {
        const root = dest.config.path;
        const pseudo = await pseudoFolderProblem(root);
        if (pseudo) return done(false, `${pseudo}.`);
        const info = await stat(root).catch(() => undefined);
        if (!info) return done(false, `${root} does not exist.`);
        if (!info.isDirectory()) return done(false, `${root} is not a folder.`);
        const probe = join(root, `.ferry-write-test-${randomBytes(4).toString('hex')}`);
        try {
          await writeFile(probe, 'ferry');
        } catch (err) {
          return done(false, `Ferry cannot write to ${root}: ${describe(err)}.`);
        } finally {
          await rm(probe, { force: true });
        }
        const fs = await statfs(root);
        const free = fs.bavail * fs.bsize;
        return done(true, `Writable; ${(free / 1e9).toFixed(1)} GB free.`, { freeBytes: free });
      }
    }
  } catch (err) {
    const network = address ? networkProblem(err, address, TIMEOUT_MS / 1000) : undefined;
    if (network) return failed(network);
    return failed({ problem: 'unexpected', message: `Could not reach the destination: ${describe(err)}.`, hint: 'Check the address, the port and the credentials.' });
  }
}

type Done = (ok: boolean, message: string, details?: Record<string, unknown>) => DestinationTest;
type Failed = (d: Diagnosis, details?: Record<string, unknown>) => DestinationTest;

/** OPTIONS on the endpoint: a tus server says its version; anything else is named for what it is. */
async function testTus(dest: ResolvedDestination, endpoint: string, signal: AbortSignal | undefined, done: Done, failed: Failed): Promise<DestinationTest> {
  const at = addressOf(endpoint);
  const headers: Record<string, string> = { 'Tus-Resumable': '1.0.0', ...(dest.kind === 'tus' ? dest.config.headers : {}) };
  if (dest.kind === 'tus' && dest.secret?.headerName && dest.secret.value) headers[dest.secret.headerName] = dest.secret.value;
  if (dest.kind === 'receiver' && dest.builtinToken) headers.Authorization = `Bearer ${dest.builtinToken}`;
  const res = await fetch(endpoint, { method: 'OPTIONS', headers, signal: signalWithTimeout(signal) });
  const body = await res.text().catch(() => '');
  const answer = identify(res.status, res.headers, body.slice(0, 4096));
  const version = res.headers.get('tus-version');
  if (answer.kind === 's3') {
    return failed({ problem: 'not_tus', message: `${at} answered as ${describeAnswer(answer)}, not as a tus server.`, hint: 'Choose the S3 kind for this destination, or check the address.' }, { status: res.status });
  }
  if (res.status === 401 || res.status === 403) {
    const what = dest.kind === 'receiver' ? 'the access token' : 'the secret header and its value';
    return failed({ problem: 'auth', message: `${at} answered, but refused the credentials (HTTP ${res.status}).`, hint: `Check ${what}.` }, { status: res.status });
  }
  if (!version) {
    return failed(
      { problem: 'not_tus', message: `${at} answered as ${describeAnswer(answer)}, not as a tus server (no Tus-Version header).`, hint: 'Check the address: it must be the tus upload endpoint itself, often ending in /files/.' },
      { status: res.status },
    );
  }
  const extensions = (res.headers.get('tus-extension') ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const maxSize = res.headers.get('tus-max-size');
  return done(true, `tus ${version} server; extensions: ${extensions.join(', ') || 'none'}.`, {
    version,
    extensions,
    ...(maxSize ? { maxSize: Number(maxSize) } : {}),
    checksum: res.headers.get('tus-checksum-algorithm'),
  });
}

/**
 * Reads a key that does not exist with the saved credentials: NoSuchKey means the bucket is there
 * and the signature was accepted, and S3's error codes (in the body a HEAD would not have) tell a
 * missing bucket, an unknown key ID, a wrong secret and a denied permission apart. On any answer from a custom endpoint a plain GET of the
 * bucket's address says who is there: a 404 from a web page or a tus server is not a missing
 * bucket, and a 200 from a web page is not a working S3 bucket.
 */
async function testS3(dest: ResolvedDestination & { kind: 's3' }, address: string, signal: AbortSignal | undefined, done: Done, failed: Failed): Promise<DestinationTest> {
  const { bucket } = dest.config;
  const at = addressOf(address);
  const client = new S3Client({
    region: dest.config.region,
    ...(dest.config.endpoint ? { endpoint: dest.config.endpoint } : {}),
    forcePathStyle: dest.config.forcePathStyle,
    credentials: { accessKeyId: dest.config.accessKeyId, secretAccessKey: dest.secret?.secretAccessKey ?? '' },
    maxAttempts: 1,
    // As the uploader's client (s3Protocol.ts), so the test signs requests as uploads will.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  // A tus server may answer a GET of a path it does not serve as any web server would: its OPTIONS tells.
  const who = async (): Promise<Answer | undefined> => {
    const endpoint = dest.config.endpoint;
    if (!endpoint) return undefined;
    const answer = await probe(`${endpoint.replace(/\/+$/, '')}/${encodeURIComponent(bucket)}`, signalWithTimeout(signal)).catch(() => undefined);
    if (answer?.kind !== 'web') return answer;
    const asked = await probe(endpoint, signalWithTimeout(signal), { method: 'OPTIONS', headers: { 'Tus-Resumable': '1.0.0' } }).catch(() => undefined);
    return asked?.kind === 'tus' ? asked : answer;
  };
  const notS3 = (answer: Answer): Diagnosis =>
    answer.kind === 'tus'
      ? { problem: 'not_s3', message: `${at} answered as ${describeAnswer(answer)}, not as S3.`, hint: 'Choose the tus kind (or the built-in receiver) for this destination, or check the endpoint address.' }
      : { problem: 'not_s3', message: `${at} answered as ${describeAnswer(answer)}, not as S3.`, hint: "Check the endpoint's address and port: it must be the S3 API (MinIO's is often port 9000, not its web console)." };
  try {
    let status: number | undefined;
    let name = '';
    try {
      const key = `${dest.config.prefix.replace(/^\/+/, '')}.ferry-connection-test-${randomBytes(6).toString('hex')}`;
      const got = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: signalWithTimeout(signal) });
      await got.Body?.transformToByteArray().catch(() => undefined);
    } catch (err) {
      const network = networkProblem(err, address, TIMEOUT_MS / 1000);
      if (network) return failed(network);
      status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      name = (err as { name?: string }).name ?? '';
      if (status === undefined) throw err;
      if (name === 'NoSuchKey') status = undefined;
    }
    const answer = await who();
    if (answer && answer.kind !== 's3') return failed(notS3(answer), { status: status ?? 200 });
    if (status === undefined) return done(true, `Bucket ${bucket} at ${at} is reachable with these credentials.`);
    if (status === 404 || name === 'NoSuchBucket') return failed({ problem: 'bucket_missing', message: `${at} is an S3 server, but it has no bucket named ${bucket}.`, hint: 'Check the bucket name and the region; create the bucket first if needed.' }, { status });
    if (name === 'AccessDenied') {
      return failed({ problem: 'auth', message: `The S3 server at ${at} accepted the access key but denied it access to bucket ${bucket}.`, hint: 'Check the permissions of this key on the bucket: Ferry needs to read and write it.' }, { status });
    }
    if (status === 403 || status === 401 || /^(InvalidAccessKeyId|SignatureDoesNotMatch)$/.test(name)) {
      return failed({ problem: 'auth', message: `The S3 server at ${at} refused these credentials (HTTP ${status}).`, hint: 'Check the access key ID and the secret, and that they may read this bucket.' }, { status });
    }
    if (status === 301 || status === 400 || /^(PermanentRedirect|AuthorizationHeaderMalformed)$/.test(name)) {
      return failed({ problem: 'unexpected', message: `The S3 server at ${at} answered HTTP ${status} for bucket ${bucket}.`, hint: 'Check the region, and whether the server wants path-style addressing.' }, { status });
    }
    return failed({ problem: 'unexpected', message: `The S3 server at ${at} answered HTTP ${status}${name && name !== 'UnknownError' ? ` (${name})` : ''}.`, hint: 'Check the endpoint, the region and the credentials.' }, { status });
  } finally {
    client.destroy();
  }
}
