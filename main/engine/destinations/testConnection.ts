import { HeadBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { randomBytes } from 'node:crypto';
import { rm, stat, statfs, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DestinationTest } from '../../../shared/destinations';
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
  try {
    switch (dest.kind) {
      case 'receiver':
      case 'tus': {
        const endpoint = dest.kind === 'receiver' ? dest.builtinUrl : dest.config.endpoint;
        if (!endpoint) return done(false, 'The built-in receiver is not running.');
        const headers: Record<string, string> = { 'Tus-Resumable': '1.0.0', ...(dest.kind === 'tus' ? dest.config.headers : {}) };
        if (dest.kind === 'tus' && dest.secret?.headerName && dest.secret.value) headers[dest.secret.headerName] = dest.secret.value;
        if (dest.kind === 'receiver' && dest.builtinToken) headers.Authorization = `Bearer ${dest.builtinToken}`;
        const res = await fetch(endpoint, { method: 'OPTIONS', headers, signal: signalWithTimeout(signal) });
        const version = res.headers.get('tus-version');
        if (res.status === 401 || res.status === 403) return done(false, `The server refused the credentials (HTTP ${res.status}).`);
        if (!version) return done(false, `That address answered HTTP ${res.status} but is not a tus server (no Tus-Version header).`);
        const extensions = (res.headers.get('tus-extension') ?? '').split(',').map((s) => s.trim()).filter(Boolean);
        const maxSize = res.headers.get('tus-max-size');
        return done(true, `tus ${version} server; extensions: ${extensions.join(', ') || 'none'}.`, {
          version,
          extensions,
          ...(maxSize ? { maxSize: Number(maxSize) } : {}),
          checksum: res.headers.get('tus-checksum-algorithm'),
        });
      }
      case 's3': {
        const client = new S3Client({
          region: dest.config.region,
          ...(dest.config.endpoint ? { endpoint: dest.config.endpoint } : {}),
          forcePathStyle: dest.config.forcePathStyle,
          credentials: { accessKeyId: dest.config.accessKeyId, secretAccessKey: dest.secret?.secretAccessKey ?? '' },
          maxAttempts: 1,
        });
        try {
          await client.send(new HeadBucketCommand({ Bucket: dest.config.bucket }), { abortSignal: signalWithTimeout(signal) });
          return done(true, `Bucket ${dest.config.bucket} is reachable with these credentials.`);
        } catch (err) {
          const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
          if (status === 404) return done(false, `Bucket ${dest.config.bucket} does not exist.`, { status });
          if (status === 403) return done(false, 'The credentials were refused (HTTP 403).', { status });
          return done(false, `The S3 endpoint did not answer as expected: ${describe(err)}.`, status ? { status } : undefined);
        } finally {
          client.destroy();
        }
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
    return done(false, `Could not reach the destination: ${describe(err)}.`);
  }
}
