import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TmpDir {
  /** Absolute path of a fresh, empty directory under os.tmpdir(). */
  dir: string;
  /** Removes the directory and everything in it; safe to call twice. */
  cleanup: () => Promise<void>;
}

/** A fresh directory per test, so tests never see each other's files (name: `<prefix>XXXXXX`). */
export function makeTmpDir(prefix: string): TmpDir {
  const dir = mkdtempSync(join(tmpdir(), prefix.endsWith('-') ? prefix : `${prefix}-`));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}
