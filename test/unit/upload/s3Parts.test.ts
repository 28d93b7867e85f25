import { createHash } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { S3_MAX_PARTS, S3_MIN_PART, choosePartSize, compositeSha256 } from '../../../main/engine/upload/s3Protocol';

const MiB = 1024 * 1024;
const TiB = 1024 * 1024 * MiB;

describe('S3 part size', () => {
  test('never below 5 MiB, the preferred size when it fits', () => {
    expect(choosePartSize(0)).toBe(16 * MiB);
    expect(choosePartSize(100, 1)).toBe(S3_MIN_PART);
    expect(choosePartSize(100 * MiB, 8 * MiB)).toBe(8 * MiB);
  });

  test.each([1 * TiB, 4.9 * TiB, 40 * TiB, 160_000 * MiB + 1])('keeps %d bytes within 10 000 parts, in whole MiB', (size) => {
    const part = choosePartSize(size);
    expect(Math.ceil(size / part)).toBeLessThanOrEqual(S3_MAX_PARTS);
    expect(part % MiB).toBe(0);
  });

  test('refuses what would need parts over 5 GiB', () => {
    expect(() => choosePartSize(60 * TiB)).toThrow(/parts over 5 GiB/);
  });

  test('composite checksum: SHA-256 of the part digests, suffixed with the count', () => {
    const parts = ['a', 'b'].map((s, i) => ({ PartNumber: i + 1, ETag: 'x', Size: 1, ChecksumSHA256: createHash('sha256').update(s).digest('base64') }));
    const expected = createHash('sha256')
      .update(Buffer.concat(['a', 'b'].map((s) => createHash('sha256').update(s).digest())))
      .digest('base64');
    expect(compositeSha256(parts)).toBe(`${expected}-2`);
    expect(compositeSha256([{ PartNumber: 1, ETag: 'x', Size: 1 }])).toBeUndefined();
  });
});
