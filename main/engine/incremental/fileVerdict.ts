import { sha256File } from '../../util/sha256File';
import type { SentRecord } from '../db/sentRecordsRepo';
import type { HeldDataset } from './heldDataset';

/** A local file of the dataset. */
export interface LocalFile {
  path: string;
  relativePath: string;
  size: number;
  mtimeMs: number;
}

export type Verdict =
  | { kind: 'new' }
  | { kind: 'changed'; why: string }
  | { kind: 'unchanged'; why: string; sha256: string };

export type ReadableHeld = Extract<HeldDataset, { readable: true }>;

/**
 * Whether a local file must be sent, against what the destination holds. The destination's
 * manifest is the authority: a file it does not list is new; a stored size that differs (or no
 * stored file) makes it changed without reading a byte; a size and modification time equal to
 * what this computer last sent with the same SHA-256 the manifest lists spare hashing (unless
 * `rehash`); otherwise the local file is hashed and compared with the manifest's SHA-256.
 */
export async function judgeFile(file: LocalFile, held: ReadableHeld, records: Map<string, SentRecord>, rehash: boolean, signal: AbortSignal): Promise<Verdict> {
  const listed = held.files.get(file.relativePath);
  if (listed === undefined) return { kind: 'new' };
  const stored = await held.sizeOf(file.relativePath);
  if (stored === undefined) return { kind: 'changed', why: 'listed in the manifest but missing at the destination' };
  if (stored !== file.size) return { kind: 'changed', why: `${stored} bytes at the destination, ${file.size} here` };
  const sent = records.get(file.relativePath);
  if (!rehash && sent && sent.size === file.size && sent.mtimeMs === file.mtimeMs && sent.sha256 === listed) {
    return { kind: 'unchanged', why: 'same size and modification time as when it was sent, and the SHA-256 the manifest lists', sha256: listed };
  }
  const here = await sha256File(file.path, signal);
  if (here === listed) return { kind: 'unchanged', why: 'same SHA-256 as the destination’s manifest', sha256: listed };
  return { kind: 'changed', why: 'its SHA-256 differs from the destination’s manifest' };
}
