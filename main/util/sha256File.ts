import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

/**
 * Hex SHA-256 of a file on disk, streamed (memory stays flat whatever its size); the signal stops
 * the read. 1 MiB reads: far fewer syscalls than the 64 KiB default on multi-GB files.
 */
export async function sha256File(path: string, signal?: AbortSignal): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20, ...(signal ? { signal } : {}) })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
