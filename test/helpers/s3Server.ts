import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { readFile, readdir, rm, stat } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';

// s3rver is CommonJS without types.
const require = createRequire(import.meta.url);
type PutPart = (bucket: string, uploadId: string, partNumber: string, content: unknown) => Promise<{ md5: string }>;
const S3rver = require('@20minutes/s3rver') as new (options: Record<string, unknown>) => {
  configureBuckets(): Promise<void>;
  callback(): (req: http.IncomingMessage, res: http.ServerResponse) => void;
  store: { putPart: PutPart };
};
/** s3rver's own error type: thrown from its store, it becomes an S3 error answer (status, XML). */
const S3Error = require('@20minutes/s3rver/lib/models/error') as new (code: string, message: string) => Error;

export interface S3ServerHandle {
  endpoint: string;
  bucket: string;
  client: S3Client;
  /** ListParts requests answered (one per page). */
  listPartsRequests: number;
  /** Most UploadPart requests seen in flight at once. */
  maxConcurrentParts: number;
  /** Every UploadPart: its number and the x-amz-checksum-sha256 it carried. */
  partRequests: Array<{ uploadId: string; partNumber: number; checksum: string | undefined }>;
  /**
   * Parts (`uploadId/partNumber`) whose bytes did not hash to the x-amz-checksum-sha256 they came
   * with: refused with 400 BadDigest behind the shim (as S3 does), stored anyway by plain s3rver.
   */
  checksumMismatches(): string[];
  /** SHA-256 (hex) of a stored object. */
  objectSha256(key: string): Promise<string>;
  /** Where s3rver keeps a stored object's bytes (to read back, or to damage on purpose). */
  objectFile(key: string): string;
  /** The multipart uploads still open, read from s3rver's own upload folder. */
  openUploads(): Promise<Array<{ id: string; key: string; initiated: Date | undefined }>>;
  close(): Promise<void>;
}

/** The S3Protocol options that reach this server (at `endpoint`, e.g. a fault proxy in front of it). */
export function s3ProtocolOptions(server: S3ServerHandle, endpoint = server.endpoint) {
  return {
    bucket: server.bucket,
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  };
}

const OBJECT = '._S3rver_object';
const xml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function answer(res: http.ServerResponse, status: number, body = ''): void {
  res.writeHead(status, body ? { 'Content-Type': 'application/xml' } : {});
  res.end(body ? `<?xml version="1.0" encoding="UTF-8"?>\n${body}` : '');
}

const noSuchUpload = (res: http.ServerResponse, id: string) =>
  answer(res, 404, `<Error><Code>NoSuchUpload</Code><Message>The specified upload does not exist.</Message><UploadId>${xml(id)}</UploadId></Error>`);

/**
 * s3rver 5 on 127.0.0.1 with a temp dir. s3rver stores multipart uploads but has no ListParts,
 * AbortMultipartUpload or ListMultipartUploads (405/501), ignores checksum headers, and accepts
 * parts for unknown UploadIds. With `shim` (default) a thin layer in front of it answers those
 * three calls from s3rver's own upload directory, answers NoSuchUpload for unknown UploadIds like
 * S3, and checks each part's x-amz-checksum-sha256 against the bytes s3rver stored, refusing a
 * part that differs with 400 BadDigest as S3 does, so a wrong part fails loudly. `shim: false` is
 * the plain server, which stores whatever arrives (a wrong part then goes unnoticed by the
 * server; `checksumMismatches` still lists it). `listPage` caps ListParts pages so pagination is
 * exercised with few parts. The shim also answers ListObjectsV2 (which plain s3rver refuses with
 * SignatureDoesNotMatch), `listObjectsPage` keys a page.
 */
export async function startS3Server(dir: string, options: { shim?: boolean; listPage?: number; listObjectsPage?: number } = {}): Promise<S3ServerHandle> {
  const bucket = 'ferry';
  const s3rver = new S3rver({ directory: dir, silent: true, configureBuckets: [{ name: bucket }] });
  await s3rver.configureBuckets();
  const shim = options.shim ?? true;
  const mismatches: string[] = [];
  // Hash what s3rver stored before it answers, so the check cannot race the client's next call.
  const putPart = s3rver.store.putPart.bind(s3rver.store);
  s3rver.store.putPart = async (b, uploadId, partNumber, content) => {
    const result = await putPart(b, uploadId, partNumber, content);
    const file = path.join(dir, b, '._S3rver_uploads', uploadId, String(partNumber));
    const stored = createHash('sha256').update(await readFile(file)).digest('base64');
    const sent = [...handle.partRequests].reverse().find((p) => p.uploadId === uploadId && p.partNumber === Number(partNumber))?.checksum;
    if (sent !== undefined && sent !== stored) {
      mismatches.push(`${uploadId}/${partNumber}`);
      if (shim) {
        await rm(file, { force: true });
        await rm(`${file}.md5`, { force: true });
        throw new S3Error('BadDigest', 'The x-amz-checksum-sha256 you specified did not match the calculated checksum.');
      }
    }
    return result;
  };
  const inner = s3rver.callback();
  const uploadsDir = path.join(dir, bucket, '._S3rver_uploads');
  const listPage = options.listPage ?? 1;
  const listObjectsPage = options.listObjectsPage ?? 1000;
  let inFlight = 0;

  const handle: S3ServerHandle = {
    endpoint: '',
    bucket,
    client: undefined as unknown as S3Client,
    listPartsRequests: 0,
    maxConcurrentParts: 0,
    partRequests: [],
    checksumMismatches: () => [...mismatches],
    objectSha256: async (key) => {
      const got = await handle.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      return createHash('sha256').update(await got.Body!.transformToByteArray()).digest('hex');
    },
    objectFile: (key) => path.join(dir, bucket, `${key}._S3rver_object`),
    openUploads: async () => {
      const ids = await readdir(uploadsDir).catch(() => [] as string[]);
      return Promise.all(
        ids.map(async (id) => {
          const made = await stat(path.join(uploadsDir, id)).catch(() => undefined);
          return {
            id,
            key: await readFile(path.join(uploadsDir, id, 'key'), 'utf8').catch(() => '?'),
            initiated: made ? new Date(made.birthtimeMs || made.ctimeMs) : undefined,
          };
        }),
      );
    },
    close: async () => undefined,
  };

  const uploadExists = (id: string) => stat(path.join(uploadsDir, id)).then(() => true, () => false);

  async function listParts(res: http.ServerResponse, key: string, id: string, query: URLSearchParams) {
    handle.listPartsRequests++;
    if (!(await uploadExists(id))) return noSuchUpload(res, id);
    const files = await readdir(path.join(uploadsDir, id));
    // s3rver writes the .md5 once a part is complete; S3 lists complete parts only.
    const numbers = files.filter((f) => /^\d+$/.test(f) && files.includes(`${f}.md5`)).map(Number).sort((a, b) => a - b);
    const marker = Number(query.get('part-number-marker') ?? 0);
    const max = Math.min(Number(query.get('max-parts') ?? 1000), listPage);
    const page = numbers.filter((n) => n > marker).slice(0, max);
    const truncated = numbers.filter((n) => n > marker).length > page.length;
    const parts: string[] = [];
    for (const n of page) {
      const file = path.join(uploadsDir, id, String(n));
      const [size, md5] = [(await stat(file)).size, (await readFile(`${file}.md5`, 'utf8')).trim()];
      const checksum = [...handle.partRequests].reverse().find((p) => p.uploadId === id && p.partNumber === n)?.checksum;
      parts.push(
        `<Part><PartNumber>${n}</PartNumber><ETag>"${md5}"</ETag><Size>${size}</Size>${checksum ? `<ChecksumSHA256>${checksum}</ChecksumSHA256>` : ''}</Part>`,
      );
    }
    answer(
      res,
      200,
      `<ListPartsResult><Bucket>${bucket}</Bucket><Key>${xml(key)}</Key><UploadId>${id}</UploadId>` +
        `<PartNumberMarker>${marker}</PartNumberMarker><NextPartNumberMarker>${page.at(-1) ?? marker}</NextPartNumberMarker>` +
        `<MaxParts>${max}</MaxParts><IsTruncated>${truncated}</IsTruncated>${parts.join('')}</ListPartsResult>`,
    );
  }

  async function listUploads(res: http.ServerResponse, prefix: string) {
    const uploads = (await handle.openUploads())
      .filter(({ key }) => key.startsWith(prefix))
      .map(({ id, key, initiated }) => `<Upload><Key>${xml(key)}</Key><UploadId>${id}</UploadId>${initiated ? `<Initiated>${initiated.toISOString()}</Initiated>` : ''}</Upload>`);
    answer(res, 200, `<ListMultipartUploadsResult><Bucket>${bucket}</Bucket><IsTruncated>false</IsTruncated>${uploads.join('')}</ListMultipartUploadsResult>`);
  }

  /** Every stored object of the bucket (s3rver's `<key>._S3rver_object` files), sorted by key. */
  async function storedObjects(): Promise<Array<{ key: string; size: number; etag: string; modified: Date }>> {
    const root = path.join(dir, bucket);
    const out: Array<{ key: string; size: number; etag: string; modified: Date }> = [];
    const visit = async (d: string): Promise<void> => {
      for (const entry of await readdir(d, { withFileTypes: true })) {
        const full = path.join(d, entry.name);
        if (entry.isDirectory()) {
          if (full !== uploadsDir) await visit(full);
        } else if (entry.name.endsWith(OBJECT)) {
          const info = await stat(full);
          const md5 = (await readFile(`${full}.md5`, 'utf8').catch(() => '')).trim();
          out.push({ key: path.relative(root, full).slice(0, -OBJECT.length).split(path.sep).join('/'), size: info.size, etag: `"${md5}"`, modified: info.mtime });
        }
      }
    };
    await visit(root);
    return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  /**
   * ListObjectsV2: s3rver signs a bucket's path without the trailing '/' the SDK sends, so it
   * refuses every listing; answered here from its files, with `encoding-type=url` (keys form-encoded
   * as S3 does: a space is '+') and pages of `max-keys` continued after the last key.
   */
  async function listObjects(res: http.ServerResponse, query: URLSearchParams) {
    const prefix = query.get('prefix') ?? '';
    const after = query.get('continuation-token') ? Buffer.from(query.get('continuation-token')!, 'base64url').toString() : (query.get('start-after') ?? '');
    const max = Math.min(Number(query.get('max-keys') ?? 1000), listObjectsPage);
    const url = query.get('encoding-type') === 'url';
    const enc = (k: string) => xml(url ? encodeURIComponent(k).replace(/%20/g, '+') : k);
    const all = (await storedObjects()).filter((o) => o.key.startsWith(prefix) && o.key > after);
    const page = all.slice(0, max);
    const truncated = all.length > page.length;
    const contents = page.map((o) => `<Contents><Key>${enc(o.key)}</Key><LastModified>${o.modified.toISOString()}</LastModified><ETag>${xml(o.etag)}</ETag><Size>${o.size}</Size><StorageClass>STANDARD</StorageClass></Contents>`);
    answer(
      res,
      200,
      `<ListBucketResult><Name>${bucket}</Name><Prefix>${enc(prefix)}</Prefix><KeyCount>${page.length}</KeyCount><MaxKeys>${max}</MaxKeys>${url ? '<EncodingType>url</EncodingType>' : ''}` +
        `<IsTruncated>${truncated}</IsTruncated>${truncated ? `<NextContinuationToken>${Buffer.from(page.at(-1)!.key).toString('base64url')}</NextContinuationToken>` : ''}${contents.join('')}</ListBucketResult>`,
    );
  }

  async function route(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x');
    const [, bucketName, ...keyParts] = url.pathname.split('/');
    const key = decodeURIComponent(keyParts.join('/'));
    const id = url.searchParams.get('uploadId');
    const partNumber = url.searchParams.get('partNumber');
    if (shim && bucketName === bucket) {
      if (req.method === 'GET' && !key && url.searchParams.has('uploads')) return listUploads(res, url.searchParams.get('prefix') ?? '');
      if (req.method === 'GET' && !key && url.searchParams.get('list-type') === '2') return listObjects(res, url.searchParams);
      if (req.method === 'GET' && key && id) return listParts(res, key, id, url.searchParams);
      if (req.method === 'DELETE' && key && id) {
        if (!(await uploadExists(id))) return noSuchUpload(res, id);
        await rm(path.join(uploadsDir, id), { recursive: true, force: true });
        return answer(res, 204);
      }
      if (req.method === 'PUT' && id && partNumber && !(await uploadExists(id))) return noSuchUpload(res, id);
    }
    if (req.method === 'PUT' && id && partNumber) {
      const checksum = req.headers['x-amz-checksum-sha256'] as string | undefined;
      handle.partRequests.push({ uploadId: id, partNumber: Number(partNumber), checksum });
      handle.maxConcurrentParts = Math.max(handle.maxConcurrentParts, ++inFlight);
      res.on('close', () => inFlight--);
    }
    inner(req, res);
  }

  const server = http.createServer((req, res) => {
    route(req, res).catch((err: Error) => answer(res, 500, `<Error><Code>InternalError</Code><Message>${xml(err.message)}</Message></Error>`));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  handle.endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  handle.client = new S3Client({
    endpoint: handle.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  handle.close = () =>
    new Promise<void>((resolve) => {
      handle.client.destroy();
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return handle;
}
