import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BATCH_INDEX_HEADER, BATCH_PATH } from '../../shared/receiverBatch';
import { makeTmpDir, type TmpDir } from '../helpers/tmpDir';
import { bundleForNode } from '../integration/engine/fixtures/bundle';
import { sha256OfFile } from '../integration/receiver/receiverFixture';

/**
 * Finding 4, memory: `/batch` held every body in memory with no bound on concurrent batches, and
 * the receiver shares its process with the engine. Eight batches, each stopped half-way, must
 * not raise the receiver process's peak resident memory (VmHWM) by more than 64 MiB.
 */

const MiB = 1024 * 1024;
const BATCHES = 8;
const FILES = 4;
const BLOCKS_PER_FILE = 12;

/** One random 1 MiB pool; every block is a copy stamped with its own coordinates, so no two blocks are equal. */
const POOL = randomBytes(MiB);
function block(batch: number, file: number, k: number): Buffer {
  const b = Buffer.from(POOL);
  b.writeUInt32BE(batch, 0);
  b.writeUInt32BE(file, 4);
  b.writeUInt32BE(k, 8);
  return b;
}
function fileSha(batch: number, file: number): string {
  const h = createHash('sha256');
  for (let k = 0; k < BLOCKS_PER_FILE; k++) h.update(block(batch, file, k));
  return h.digest('hex');
}

function memoryOf(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)![1]) * 1024;
  return { rss: kb('VmRSS'), peak: kb('VmHWM') };
}

interface OpenBatch {
  req: http.ClientRequest;
  answer: Promise<{ status: number; body: string }>;
  /** Sends blocks [from, to) of the batch's files in order; resolves when the last was handed to the kernel. */
  send(from: number, to: number): Promise<void>;
}

function openBatch(url: string, batch: number): OpenBatch {
  const index = Buffer.from(
    JSON.stringify({
      metadata: { dataset: `mem-${batch}` },
      files: Array.from({ length: FILES }, (_, f) => ({ relativePath: `f-${f}.bin`, size: BLOCKS_PER_FILE * MiB, sha256: fileSha(batch, f) })),
    }),
  );
  const length = index.length + FILES * BLOCKS_PER_FILE * MiB;
  const req = http.request(url, {
    method: 'POST',
    agent: false,
    headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': String(length), [BATCH_INDEX_HEADER]: String(index.length) },
  });
  const answer = new Promise<{ status: number; body: string }>((resolve, reject) => {
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
  });
  req.write(index);
  return {
    req,
    answer,
    send: async (from, to) => {
      for (let i = from; i < to; i++) {
        const piece = block(batch, Math.floor(i / BLOCKS_PER_FILE), i % BLOCKS_PER_FILE);
        await new Promise<void>((resolve, reject) => req.write(piece, (err) => (err ? reject(err) : resolve())));
      }
    },
  };
}

describe('security: slow batches do not pile up in the receiver\'s memory (finding 4)', () => {
  let script: string;
  let tmp: TmpDir;
  let child: ChildProcess | undefined;
  beforeAll(async () => {
    script = await bundleForNode(path.join(__dirname, 'fixtures', 'receiverChild.ts'), 'receiverChild');
    tmp = makeTmpDir('ferry-batch-memory-');
  }, 60_000);
  afterAll(async () => {
    child?.stdin?.end();
    if (child && child.exitCode === null) await new Promise((resolve) => child!.once('exit', resolve));
    await tmp.cleanup();
    rmSync(path.dirname(script), { recursive: true, force: true });
  });

  it('eight half-sent 48 MiB batches raise the peak RSS by less than 64 MiB, then all complete byte-identical', async () => {
    const storageDir = path.join(tmp.dir, 'storage');
    child = spawn(process.execPath, [script, storageDir], { stdio: ['pipe', 'pipe', 'inherit'] });
    const first = await createInterface({ input: child.stdout! })[Symbol.asyncIterator]().next();
    const { url } = JSON.parse(first.value as string) as { url: string };
    const batchUrl = new URL(BATCH_PATH, url).toString();
    const pid = child.pid!;

    // A first batch runs every code path once, so the baseline includes the code, not just the start-up.
    const warm = openBatch(batchUrl, 99);
    await warm.send(0, FILES * BLOCKS_PER_FILE);
    warm.req.end();
    expect((await warm.answer).status).toBe(200);
    const baseline = memoryOf(pid).rss;

    const half = (FILES * BLOCKS_PER_FILE) / 2;
    const open = Array.from({ length: BATCHES }, (_, b) => openBatch(batchUrl, b));
    await Promise.all(open.map((o) => o.send(0, half)));
    const peak = memoryOf(pid).peak;
    expect(peak - baseline, `baseline ${baseline / MiB} MiB, peak ${peak / MiB} MiB`).toBeLessThan(64 * MiB);

    await Promise.all(open.map((o) => o.send(half, FILES * BLOCKS_PER_FILE).then(() => o.req.end())));
    const answers = await Promise.all(open.map((o) => o.answer));
    expect(answers.map((a) => a.status)).toEqual(Array(BATCHES).fill(200));
    // Integrity read back from the receiver's own storage.
    for (let b = 0; b < BATCHES; b++) {
      for (let f = 0; f < FILES; f++) expect(await sha256OfFile(path.join(storageDir, `mem-${b}`, `f-${f}.bin`))).toBe(fileSha(b, f));
    }
    expect(memoryOf(pid).peak - baseline).toBeLessThan(64 * MiB);
  });
});
