import { chmodSync, closeSync, mkdirSync, openSync, statSync } from 'node:fs';

/**
 * Modes of Ferry's own files in the data directory: the database holds job parameters and the
 * logs hold what programs printed, so no other user of the computer may read them. The folder is
 * 0700 (nothing inside is reachable to others even if a mode is missed) and each file is 0600.
 * Explicit modes rather than a process umask: that would also change the files Ferry writes for
 * the user elsewhere (downloads, received uploads) and the programs command jobs start.
 */
export const PRIVATE_FILE_MODE = 0o600;
export const PRIVATE_DIR_MODE = 0o700;

/**
 * Creates the folder (and its parents) 0700, and tightens it if it exists already; a shared
 * sticky folder (/tmp, given by mistake as the data directory) is left as it is.
 */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  if ((statSync(dir).mode & 0o1000) === 0) chmodSync(dir, PRIVATE_DIR_MODE);
}

/** Creates the file empty with mode 0600 if it is missing, and tightens it if it exists already. */
export function ensurePrivateFile(file: string): void {
  closeSync(openSync(file, 'a', PRIVATE_FILE_MODE));
  chmodSync(file, PRIVATE_FILE_MODE);
}
