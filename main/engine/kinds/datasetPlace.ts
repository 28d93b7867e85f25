/**
 * Where an upload's dataset and each of its files are at the destination, in full, for the user
 * to find them: a folder path on this computer (a folder destination, the built-in receiver), an
 * `s3://bucket/key` or a tus upload URL. The places are the ones the bytes were written to: what
 * the destination answered for each file, by the same rules verify and delete use.
 */
import { join } from 'node:path';
import type { DatasetPlace } from '../../../shared/contract';
import type { ResolvedDestination } from '../destinations/protocolFactory';
import { receiverFiled } from './storedSha256';

/** A dataset file as its item records it. */
export interface PlacedItem {
  relative_path: string;
  state: string;
  location: string | null;
}

/** Where a dataset goes at its destination; `receiverDir` is where the built-in receiver files datasets here. */
export function datasetPlace(dest: ResolvedDestination, dataset: string, receiverDir: string | undefined): DatasetPlace {
  const base = { kind: dest.kind, destination: dest.name };
  switch (dest.kind) {
    case 'receiver':
      return receiverDir
        ? { ...base, where: join(receiverDir, dataset), local: true }
        : { ...base, where: dest.builtinUrl ?? 'the built-in receiver (not running)', local: false };
    case 'folder':
      return { ...base, where: join(dest.config.path, dataset), local: true };
    case 's3':
      return { ...base, where: `s3://${dest.config.bucket}/${dest.config.prefix}${dataset}/`, local: false };
    case 'tus':
      return { ...base, where: dest.config.endpoint, local: false };
  }
}

/** Where a landed file's bytes are, or null while it has not landed. */
export function itemPlace(dest: ResolvedDestination, dataset: string, item: PlacedItem, receiverDir: string | undefined): string | null {
  if (item.state !== 'done') return null;
  switch (dest.kind) {
    case 'receiver': {
      // The receiver answers where it filed the file (maybe `name (n).ext` when the name was taken).
      const filed = receiverFiled(item.location) ?? `${dataset}/${item.relative_path}`;
      return receiverDir ? join(receiverDir, ...filed.split('/')) : item.location;
    }
    case 'folder':
      return item.location ?? join(dest.config.path, dataset, ...item.relative_path.split('/'));
    case 's3':
      return item.location ?? `s3://${dest.config.bucket}/${dest.config.prefix}${dataset}/${item.relative_path}`;
    case 'tus':
      return item.location;
  }
}
