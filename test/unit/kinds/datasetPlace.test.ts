import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ResolvedDestination } from '../../../main/engine/destinations/protocolFactory';
import { datasetPlace, itemPlace } from '../../../main/engine/kinds/datasetPlace';

const common = { id: 'd', name: 'Archive', secret: undefined, builtinUrl: undefined, builtinToken: undefined };
const s3 = { ...common, kind: 's3', config: { bucket: 'lab-data', prefix: 'raw/', region: 'us-east-1', accessKeyId: 'k', forcePathStyle: true, partSizeMiB: 8, parallelParts: 4 } } as unknown as ResolvedDestination;
const tus = { ...common, kind: 'tus', config: { endpoint: 'https://tus.example.org/files/', headers: {}, chunkSizeMiB: 8, parallelParts: 1 } } as unknown as ResolvedDestination;
const receiver = { ...common, name: 'This computer', kind: 'receiver', config: {}, builtinUrl: 'http://127.0.0.1:4100/files/' } as unknown as ResolvedDestination;

describe('where a dataset and its files landed', () => {
  it('an S3 dataset is a bucket and key prefix; each file is the object its upload answered', () => {
    expect(datasetPlace(s3, 'plates', undefined)).toEqual({ kind: 's3', destination: 'Archive', where: 's3://lab-data/raw/plates/', local: false });
    expect(itemPlace(s3, 'plates', { relative_path: 'a/b.tif', state: 'done', location: 's3://lab-data/raw/plates/a/b.tif' }, undefined)).toBe('s3://lab-data/raw/plates/a/b.tif');
    // Older records without an answer: the key rule uploads follow.
    expect(itemPlace(s3, 'plates', { relative_path: 'a/b.tif', state: 'done', location: null }, undefined)).toBe('s3://lab-data/raw/plates/a/b.tif');
  });

  it('a tus dataset is its server; each file is its upload URL; nothing is shown before a file landed', () => {
    expect(datasetPlace(tus, 'plates', undefined)).toMatchObject({ where: 'https://tus.example.org/files/', local: false });
    expect(itemPlace(tus, 'plates', { relative_path: 'x', state: 'done', location: 'https://tus.example.org/files/abc' }, undefined)).toBe('https://tus.example.org/files/abc');
    expect(itemPlace(tus, 'plates', { relative_path: 'x', state: 'failed', location: null }, undefined)).toBeNull();
  });

  it('the built-in receiver files a dataset in its folder on this computer, under the name it answered', () => {
    expect(datasetPlace(receiver, 'plates', '/data/received')).toEqual({ kind: 'receiver', destination: 'This computer', where: join('/data/received', 'plates'), local: true });
    expect(itemPlace(receiver, 'plates', { relative_path: 'a.tif', state: 'done', location: 'plates/a (1).tif' }, '/data/received')).toBe(join('/data/received', 'plates', 'a (1).tif'));
    // Not running here: its address, not a path that cannot be opened.
    expect(datasetPlace(receiver, 'plates', undefined)).toMatchObject({ where: 'http://127.0.0.1:4100/files/', local: false });
  });
});
