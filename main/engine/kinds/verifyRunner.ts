import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { FerryError } from '../../../shared/errors';
import type { ItemsRepo } from '../db/itemsRepo';
import type { DestinationService } from '../destinations/destinationService';
import { sha256File } from '../files/sha256File';
import type { ResolvedDestination } from '../destinations/protocolFactory';
import type { JobRunner } from '../jobs/runner';

export interface VerifyParams {
  /** The upload job whose files (and manifest) are checked. */
  sourceJobId: number;
  destinationId: string;
  dataset: string;
}

export interface VerifyDeps {
  destinations: DestinationService;
  items: ItemsRepo;
  receiverDir: () => string | undefined;
}

type Check = { ok: true; how: 'sha256' | 'size' } | { ok: false; why: string };


async function checkLocal(path: string, size: number, sha256: string, signal: AbortSignal): Promise<Check> {
  const info = await stat(path).catch(() => undefined);
  if (!info) return { ok: false, why: 'missing' };
  if (info.size !== size) return { ok: false, why: `size ${info.size}, expected ${size}` };
  const got = await sha256File(path, signal);
  return got === sha256 ? { ok: true, how: 'sha256' } : { ok: false, why: `sha256 ${got}, expected ${sha256}` };
}

/**
 * Compares what a destination holds with a dataset's manifest: size and SHA-256 where the bytes
 * can be read back (built-in receiver, folder), size and the stored SHA-256 checksum on S3, the
 * upload's length on other tus servers. Any difference fails the job, listing every file.
 */
export function createVerifyRunner(deps: VerifyDeps): JobRunner<VerifyParams> {
  return {
    kind: 'verify',
    async run(ctx) {
      const { sourceJobId, destinationId, dataset } = ctx.params;
      const dest = deps.destinations.resolve(destinationId);
      const files = deps.items.manifest(sourceJobId);
      if (files.length === 0) throw new FerryError('NOT_FOUND', `verify(job ${sourceJobId}): no uploaded files to verify`, { retriable: false });
      ctx.stage('verifying');
      ctx.log(`Verifying ${files.length} files of ${dataset} on ${dest.name}`);
      const s3 = dest.kind === 's3' ? s3Client(dest) : undefined;
      let ok = 0;
      let bad = 0;
      let bytes = 0;
      const total = files.reduce((n, f) => n + f.size, 0);
      try {
        for (const f of files) {
          await ctx.checkpoint();
          const check = await checkOne(dest, s3, dataset, f, ctx.signal, deps.receiverDir());
          if (check.ok) {
            ok++;
            ctx.log(`OK        ${f.relative_path} (${check.how})`);
          } else {
            bad++;
            ctx.log(`MISMATCH  ${f.relative_path}: ${check.why}`);
          }
          bytes += f.size;
          ctx.progress({ done: bytes, total, unit: 'bytes', processed: ok, failed: bad });
        }
      } finally {
        s3?.destroy();
      }
      if (bad > 0) throw new FerryError('REMOTE', `verify(job ${sourceJobId}): ${bad} of ${files.length} files differ on ${dest.name}`, { retriable: false });
      ctx.log(`All ${ok} files match the manifest`);
      return { result: 'success', summary: { verified: ok, sourceJobId } };
    },
  };
}

function s3Client(dest: Extract<ResolvedDestination, { kind: 's3' }>): S3Client {
  return new S3Client({
    region: dest.config.region,
    ...(dest.config.endpoint ? { endpoint: dest.config.endpoint } : {}),
    forcePathStyle: dest.config.forcePathStyle,
    credentials: { accessKeyId: dest.config.accessKeyId, secretAccessKey: dest.secret?.secretAccessKey ?? '' },
  });
}

/** Where the receiver filed a file: what it answered, or (older records, lost answers) where it would. */
function filedAs(f: { relative_path: string; location: string | null }, dataset: string): string {
  const l = f.location;
  const answered = l && !/^[a-z][a-z0-9+.-]*:/i.test(l) && l.split('/').every((s) => s !== '' && s !== '.' && s !== '..') ? l : undefined;
  return answered ?? `${dataset}/${f.relative_path}`;
}

async function checkOne(
  dest: ResolvedDestination,
  s3: S3Client | undefined,
  dataset: string,
  f: { relative_path: string; sha256: string; size: number; location: string | null },
  signal: AbortSignal,
  receiverDir: string | undefined,
): Promise<Check> {
  switch (dest.kind) {
    case 'receiver':
      if (!receiverDir) return { ok: false, why: 'the built-in receiver is not running' };
      // The receiver files a name taken by other bytes as `name (n).ext`, and says so.
      return checkLocal(join(receiverDir, ...filedAs(f, dataset).split('/')), f.size, f.sha256, signal);
    case 'folder':
      return checkLocal(join(dest.config.path, dataset, ...f.relative_path.split('/')), f.size, f.sha256, signal);
    case 's3': {
      const Key = `${dest.config.prefix}${dataset}/${f.relative_path}`;
      try {
        const head = await s3!.send(new HeadObjectCommand({ Bucket: dest.config.bucket, Key, ChecksumMode: 'ENABLED' }), { abortSignal: signal });
        if (head.ContentLength !== f.size) return { ok: false, why: `size ${head.ContentLength}, expected ${f.size}` };
        const stored = head.ChecksumSHA256;
        if (stored && !stored.includes('-')) {
          const expected = Buffer.from(f.sha256, 'hex').toString('base64');
          return stored === expected ? { ok: true, how: 'sha256' } : { ok: false, why: `checksum ${stored}, expected ${expected}` };
        }
        return { ok: true, how: 'size' };
      } catch (err) {
        const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
        return { ok: false, why: status === 404 ? 'missing' : `HEAD failed: ${(err as Error).message}` };
      }
    }
    case 'tus':
      return { ok: false, why: 'this tus server cannot be read back; verify against the receiving side' };
  }
}
