import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { seededRandom } from '../../helpers/seededRandom';

/** Reduced sizes by default (CI); FERRY_ACCEPTANCE_FULL=1 runs the full size. */
export const FULL = process.env.FERRY_ACCEPTANCE_FULL === '1';
/** The seed of every random choice in the suite; a failing run prints it, FERRY_SEED replays it. */
export const SEED = Number(process.env.FERRY_SEED ?? Math.floor(Math.random() * 1_000_000));

export const KiB = 1024;
export const MiB = 1024 * KiB;

/** Bytes from a seeded generator: every 4-byte word differs, so no two blocks of a file are alike. */
export function seededBytes(size: number, seed: number): Buffer {
  const random = seededRandom(seed);
  const out = Buffer.allocUnsafe(size + 3);
  for (let at = 0; at < size; at += 4) out.writeUInt32LE(Math.floor(random() * 0x1_0000_0000), at);
  return out.subarray(0, size);
}

export const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

export interface SourceDataset {
  /** The dataset's folder (its name is the dataset's root). */
  dir: string;
  /** Dataset-relative path → SHA-256 (hex) of the source bytes. */
  files: Map<string, string>;
  bytes: number;
}

/**
 * A dataset folder of seeded files: `sizes[i]` bytes each, spread over nested folders, so a
 * dataset has small files (sent in batches) and files of several chunks or parts.
 */
export function makeDataset(parent: string, name: string, sizes: number[], seed: number): SourceDataset {
  const dir = join(parent, name);
  const files = new Map<string, string>();
  let bytes = 0;
  sizes.forEach((size, i) => {
    const rel = i % 3 === 0 ? `file-${i}.bin` : i % 3 === 1 ? `raw/file-${i}.tif` : `raw/deep/file-${i}.h5`;
    const content = seededBytes(size, seed * 1000 + i + 1);
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), content);
    files.set(rel, sha256(content));
    bytes += size;
  });
  return { dir, files, bytes };
}
