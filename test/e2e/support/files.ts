import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Writes a tree of files (relative path → bytes) under `root` and answers it. */
export function writeTree(root: string, files: Record<string, Buffer>): Record<string, Buffer> {
  for (const [rel, bytes] of Object.entries(files)) {
    const path = join(root, ...rel.split('/'));
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, bytes);
  }
  return files;
}

/** Random bytes, so a wrong or truncated file cannot pass by accident. */
export const bytesOf = (size: number): Buffer => randomBytes(size);

/** Whether every file arrived under `root` with exactly the same bytes. */
export function readTree(root: string, files: Record<string, Buffer>): Record<string, boolean> {
  const out: Record<string, boolean> = {};
  for (const [rel, bytes] of Object.entries(files)) {
    try {
      out[rel] = readFileSync(join(root, ...rel.split('/'))).equals(bytes);
    } catch {
      out[rel] = false;
    }
  }
  return out;
}
