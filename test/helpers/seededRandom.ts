import { closeSync, openSync, writeSync } from 'node:fs';

/**
 * A seeded generator (mulberry32): tiny, fast, and the same sequence for the same seed, so a run
 * that found a bug can be replayed. Good enough for test schedules, not for cryptography.
 */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Writes `size` bytes of the seed's sequence to `path`, a block at a time (memory stays flat):
 * every block differs, so a part sent under the wrong number or offset changes the file's hash.
 */
export function writeSeededFile(path: string, size: number, seed: number): void {
  const next = seededRandom(seed);
  const block = Buffer.alloc(1024 * 1024);
  const words = new Uint32Array(block.buffer, block.byteOffset, block.length / 4);
  const fd = openSync(path, 'w');
  try {
    for (let written = 0; written < size; written += block.length) {
      for (let i = 0; i < words.length; i++) words[i] = (next() * 4294967296) >>> 0;
      writeSync(fd, block, 0, Math.min(block.length, size - written));
    }
  } finally {
    closeSync(fd);
  }
}
