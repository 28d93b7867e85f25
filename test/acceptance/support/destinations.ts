import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { startFaultProxy, type FaultProxy } from '../../helpers/faultProxy';
import { startHttpFaultProxy, type HttpFaultProxy } from '../../helpers/httpFaultProxy';
import { startS3Server, type S3ServerHandle } from '../../helpers/s3Server';
import { SEED } from './dataset';
import type { Instance } from './instance';

/**
 * The destinations of the suite, each added through the API as a user would, and each read back
 * from the destination's own storage (never from Ferry's records):
 * - `receiver`: the built-in receiver as the default destination (files in <dataDir>/received/);
 * - `receiver-proxied`: the same receiver reached as a tus destination through the fault proxies,
 *   as another computer would (the default destination itself cannot be put behind a proxy);
 * - `tus`: an independent @tus/server with a FileStore;
 * - `s3`: s3rver behind the verifying shim (per-part SHA-256 checked, ListParts, Abort);
 * - `folder`: a local directory.
 * Network destinations sit behind the TCP fault proxy (resets, stalls), itself in front of the
 * HTTP fault proxy (the same request failed N times in a row, 5xx answers).
 */
export type Kind = 'receiver' | 'receiver-proxied' | 'tus' | 's3' | 'folder';
export const NETWORK_KINDS = ['receiver-proxied', 'tus', 's3'] as const;
export const ALL_KINDS: Kind[] = ['receiver', 'receiver-proxied', 'tus', 's3', 'folder'];

export interface Destination {
  kind: Kind;
  /** For createUpload; undefined means the default destination. */
  id: string | undefined;
  /** TCP faults between Ferry and the destination (network kinds). */
  tcp?: FaultProxy;
  /** Request-level faults (network kinds). */
  http?: HttpFaultProxy;
  s3?: S3ServerHandle;
  /** What landed for a dataset: dataset-relative path → SHA-256 of each stored copy. */
  landed(dataset: string): Promise<Map<string, string[]>>;
  /** Where the destination keeps one landed file's bytes, or null (to read back, or to damage on purpose). */
  storedFile(dataset: string, rel: string): string | null;
  /** Unfinished uploads left at the destination (of one dataset, or of any), in words. */
  leftovers(dataset?: string): Promise<string[]>;
  close(): Promise<void>;
}

const MANIFEST = 'manifest-sha256.txt';
const OBJECT_SUFFIX = '._S3rver_object';
/** Files Ferry adds beside the data: the manifest, and the dataset description (defect 11). */
export const SIDECARS = [MANIFEST, 'dataset.json'];

function hashFile(file: string): Promise<string> {
  return new Promise((resolveHash, reject) => {
    const hash = createHash('sha256');
    createReadStream(file)
      .on('data', (d) => hash.update(d))
      .on('end', () => resolveHash(hash.digest('hex')))
      .on('error', reject);
  });
}

/** Every file under `dir`, as paths relative to it with '/' separators. */
export function walk(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  const visit = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const full = join(d, entry.name);
      if (entry.isDirectory()) visit(full);
      else out.push(relative(dir, full).split('\\').join('/'));
    }
  };
  visit(dir);
  return out.sort();
}

async function landedInDir(dir: string): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  for (const rel of walk(dir)) out.set(rel, [await hashFile(join(dir, rel))]);
  return out;
}

/** The independent tus server as a process of its own (see tusServerProcess.mjs). */
async function startTusServerProcess(dir: string): Promise<{ port: number; close(): Promise<void> }> {
  const child = spawn(process.execPath, [join(__dirname, 'tusServerProcess.mjs'), dir], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolveExit) => child.once('exit', () => resolveExit()));
  const port = await new Promise<number>((resolvePort, reject) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening (\d+)/.exec(out);
      if (m) resolvePort(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`the tus server exited with ${code}: ${out}`)));
  });
  return {
    port,
    close: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** A TCP fault proxy in front of an HTTP fault proxy in front of `port`. */
async function faultChain(port: number, seedOffset: number): Promise<{ tcp: FaultProxy; http: HttpFaultProxy }> {
  const http = await startHttpFaultProxy({ host: '127.0.0.1', port });
  const tcp = await startFaultProxy({ target: { host: '127.0.0.1', port: http.port }, seed: SEED + seedOffset });
  return { tcp, http };
}

/** The built-in receiver's storage, where its files land and its partial uploads wait. */
function receiverStorage(instance: Instance) {
  const received = join(instance.dataDir, 'received');
  return {
    landed: (dataset: string) => landedInDir(join(received, dataset)),
    storedFile: (dataset: string, rel: string) => join(received, dataset, rel),
    // .incoming keeps a `<id>.json` record (a tombstone once filed); any other file is upload bytes.
    leftovers: async (dataset?: string) => {
      const incoming = join(received, '.incoming');
      return walk(incoming)
        .filter((f) => !f.endsWith('.json'))
        .filter((f) => dataset === undefined || [undefined, dataset].includes(recordOf(join(incoming, `${f}.json`))?.metadata?.dataset))
        .map((f) => `receiver .incoming/${f}`);
    },
  };
}

export async function addDestination(instance: Instance, kind: Kind, root: string): Promise<Destination> {
  const seedOffset = ALL_KINDS.indexOf(kind) + 1;
  if (kind === 'receiver') {
    const list = await instance.call('listDestinations', {});
    const builtIn = list.find((d) => d.kind === 'receiver');
    if (!builtIn?.isDefault) throw new Error(`a fresh instance's default destination is not the built-in receiver: ${JSON.stringify(list)}`);
    return { kind, id: undefined, ...receiverStorage(instance), close: async () => undefined };
  }
  if (kind === 'receiver-proxied') {
    const receiver = await instance.call('getReceiver', {});
    if (!receiver.url || !receiver.port) throw new Error(`the built-in receiver is not running: ${JSON.stringify(receiver)}`);
    const chain = await faultChain(receiver.port, seedOffset);
    const saved = await instance.call('saveDestination', {
      name: 'Built-in receiver through a fault proxy',
      kind: 'tus',
      config: { endpoint: chain.tcp.url(new URL(receiver.url).pathname), chunkSizeMiB: 1 },
    });
    return { kind, id: saved.id, ...chain, ...receiverStorage(instance), close: () => closeChain(chain) };
  }
  if (kind === 'tus') {
    const dir = join(root, 'tus-server');
    mkdirSync(dir, { recursive: true });
    const server = await startTusServerProcess(dir);
    const chain = await faultChain(server.port, seedOffset);
    const saved = await instance.call('saveDestination', { name: 'tus server', kind: 'tus', config: { endpoint: chain.tcp.url('/files'), chunkSizeMiB: 1 } });
    return {
      kind,
      id: saved.id,
      ...chain,
      // A server other than Ferry's receiver ignores the idempotency key, so a creation repeated
      // after its answer was lost leaves a second upload with the same key: that is one attempt
      // of one file, which is all Ferry can promise there. Different keys are separate uploads.
      landed: async (dataset) => {
        const out = new Map<string, string[]>();
        const seen = new Set<string>();
        for (const upload of tusUploads(dir)) {
          if (upload.metadata.dataset !== dataset || upload.stored !== upload.size) continue;
          const rel = upload.metadata.relativePath ?? upload.metadata.filename ?? upload.id;
          const attempt = `${rel}\0${upload.metadata.idempotencyKey ?? upload.id}`;
          if (seen.has(attempt)) continue;
          seen.add(attempt);
          out.set(rel, [...(out.get(rel) ?? []), await hashFile(join(dir, upload.id))]);
        }
        return out;
      },
      storedFile: (dataset, rel) => {
        const upload = tusUploads(dir).find((u) => u.metadata.dataset === dataset && u.metadata.relativePath === rel && u.stored === u.size);
        return upload ? join(dir, upload.id) : null;
      },
      // An unfinished upload whose key also has a finished one was made by a lost creation answer.
      leftovers: async (dataset) => {
        const uploads = tusUploads(dir);
        const finishedKeys = new Set(uploads.filter((u) => u.stored === u.size && u.metadata.idempotencyKey).map((u) => u.metadata.idempotencyKey));
        return uploads
          .filter((u) => u.stored !== u.size && (dataset === undefined || u.metadata.dataset === dataset))
          .filter((u) => !finishedKeys.has(u.metadata.idempotencyKey))
          .map((u) => `tus upload ${u.id} (${u.metadata.relativePath ?? '?'}): ${u.stored} of ${u.size} bytes`);
      },
      close: async () => {
        await closeChain(chain);
        await server.close();
      },
    };
  }
  if (kind === 's3') {
    const dir = join(root, 's3-server');
    mkdirSync(dir, { recursive: true });
    const s3 = await startS3Server(dir, { listPage: 1000 });
    const chain = await faultChain(Number(new URL(s3.endpoint).port), seedOffset);
    const saved = await instance.call('saveDestination', {
      name: 's3rver',
      kind: 's3',
      config: { endpoint: `http://127.0.0.1:${chain.tcp.port}`, bucket: s3.bucket, accessKeyId: 'S3RVER', forcePathStyle: true, partSizeMiB: 5, parallelParts: 4 },
      secret: { secretAccessKey: 'S3RVER' },
    });
    return {
      kind,
      id: saved.id,
      ...chain,
      s3,
      // s3rver's own files: `<bucket>/<key>._S3rver_object` holds an object's bytes.
      landed: async (dataset) => {
        const out = new Map<string, string[]>();
        const prefix = join(dir, s3.bucket, dataset);
        for (const file of walk(prefix).filter((f) => f.endsWith(OBJECT_SUFFIX))) {
          out.set(file.slice(0, -OBJECT_SUFFIX.length), [await hashFile(join(prefix, file))]);
        }
        return out;
      },
      storedFile: (dataset, rel) => join(dir, s3.bucket, dataset, rel + OBJECT_SUFFIX),
      leftovers: async (dataset) =>
        (await s3.openUploads())
          .filter(({ key }) => dataset === undefined || key.startsWith(`${dataset}/`))
          .map(({ id, key }) => `s3 open multipart upload ${id} (${key})`),
      close: async () => {
        await closeChain(chain);
        await s3.close();
      },
    };
  }
  const dir = join(root, 'folder-destination');
  mkdirSync(dir, { recursive: true });
  const saved = await instance.call('saveDestination', { name: 'folder', kind: 'folder', config: { path: dir } });
  return {
    kind,
    id: saved.id,
    landed: (dataset) => landedInDir(join(dir, dataset)),
    storedFile: (dataset, rel) => join(dir, dataset, rel),
    leftovers: async (dataset) =>
      walk(dir)
        .filter((f) => f.endsWith('.ferry-part') && (dataset === undefined || f.startsWith(`${dataset}/`)))
        .map((f) => `folder partial ${f}`),
    close: async () => undefined,
  };
}

/** The bytes a destination stored for one file, or null when it has none. */
export function storedContents(dest: Destination, dataset: string, rel: string): Buffer | null {
  const file = dest.storedFile(dataset, rel);
  return file && existsSync(file) ? readFileSync(file) : null;
}

async function closeChain(chain: { tcp: FaultProxy; http: HttpFaultProxy }): Promise<void> {
  await chain.tcp.close();
  await chain.http.close();
}

/** A tus upload's `<id>.json` record, or undefined when it is missing or torn. */
function recordOf(file: string): { metadata?: Record<string, string> } | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as { metadata?: Record<string, string> };
  } catch {
    return undefined;
  }
}


interface TusUpload {
  id: string;
  size: number | undefined;
  stored: number;
  metadata: Record<string, string | undefined>;
}

/** The uploads a FileStore directory holds: its `<id>.json` records and the bytes stored for each. */
function tusUploads(dir: string): TusUpload[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => {
      const record = JSON.parse(readFileSync(join(dir, f), 'utf8')) as { id: string; size?: number; metadata?: Record<string, string> };
      const data = join(dir, record.id);
      return { id: record.id, size: record.size, stored: existsSync(data) ? statSync(data).size : 0, metadata: record.metadata ?? {} };
    });
}

/**
 * Checks that what landed for a dataset is exactly the source: every file once (no `name (1)`),
 * with the source's SHA-256; only Ferry's sidecar files besides. Answers the problems in words.
 */
export function compareLanded(source: Map<string, string>, landed: Map<string, string[]>): string[] {
  const problems: string[] = [];
  for (const [rel, sha] of source) {
    const copies = landed.get(rel) ?? [];
    if (copies.length === 0) problems.push(`${rel}: missing`);
    else if (copies.length > 1) problems.push(`${rel}: ${copies.length} copies`);
    else if (copies[0] !== sha) problems.push(`${rel}: SHA-256 ${copies[0]} differs from the source's ${sha}`);
  }
  for (const rel of landed.keys()) if (!source.has(rel) && !SIDECARS.includes(rel)) problems.push(`${rel}: not in the source`);
  if (!landed.has(MANIFEST)) problems.push(`${MANIFEST}: missing`);
  return problems;
}
