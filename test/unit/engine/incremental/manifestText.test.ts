import { describe, expect, it } from 'vitest';
import { manifestLine } from '../../../../main/engine/kinds/datasetFiles';
import { parseManifest } from '../../../../main/engine/incremental/manifestText';

const A = 'a'.repeat(64);
const B = 'b'.repeat(64);

describe('parseManifest', () => {
  it('reads back every line manifestLine writes, escaped names included', () => {
    // (A name with a backslash is never sent: every destination refuses it, see shared/storedPath.ts.)
    const names = ['plain.tif', 'dir/sub/file with spaces.h5', 'line\nbreak.txt', 'ü/ñ.csv'];
    const text = names.map((n, i) => manifestLine(i % 2 ? A : B, n)).join('');
    expect([...parseManifest(text).entries()]).toEqual(names.map((n, i) => [n, i % 2 ? A : B]));
  });

  it('passes over what a hostile or damaged manifest holds: paths leaving the dataset, absolute paths, junk', () => {
    const text = [`${A}  ../../etc/passwd`, `${A}  /abs/path`, `${A}  a/../../b`, `${A}  C:/win`, 'not a line', `${'z'.repeat(64)}  bad-hash`, `${B}  ok/file.bin`, ''].join('\n');
    expect([...parseManifest(text).entries()]).toEqual([['ok/file.bin', B]]);
  });

  it('takes the binary-mode marker of sha256sum and upper-case digests', () => {
    expect([...parseManifest(`${A.toUpperCase()} *f.bin\n`).entries()]).toEqual([['f.bin', A]]);
  });
});
