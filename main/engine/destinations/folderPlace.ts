import { realpath, statfs } from 'node:fs/promises';
import { dirname, resolve, sep } from 'node:path';
import { FerryError, invalidInput } from '../../../shared/errors';

/**
 * Where the kernel shows itself as files. Nothing written there is stored, and some of it never
 * ends a read or a directory walk (a folder destination in /proc/self once held the app at 100 %
 * CPU, at every start, since the job was recovered).
 */
const PSEUDO_ROOTS = process.platform === 'win32' ? [] : ['/proc', '/sys', '/dev'];

/** statfs magic numbers of Linux pseudo-filesystems (linux/magic.h), for such a mount elsewhere. */
const PSEUDO_FS_TYPES = new Map<number, string>([
  [0x9fa0, 'proc'],
  [0x62656572, 'sysfs'],
  [0x1cd1, 'devpts'],
  [0x64626720, 'debugfs'],
  [0x74726163, 'tracefs'],
  [0x73636673, 'securityfs'],
  [0x27e0eb, 'cgroup'],
  [0x63677270, 'cgroup2'],
  [0xcafe4a11, 'bpf'],
  [0x6e736673, 'nsfs'],
  [0x42494e4d, 'binfmt_misc'],
  [0x19800202, 'mqueue'],
]);

/** How long a destination's file system may take to answer these checks (a hung NAS, say). */
export const FOLDER_CHECK_TIMEOUT_MS = 5000;

function underPseudoRoot(path: string): string | undefined {
  return PSEUDO_ROOTS.find((root) => path === root || path.startsWith(root + sep));
}

/** Races an fs call against a timer: the call may go on in the thread pool, but nobody waits on it. */
function answered<T>(what: string, work: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new FerryError('UNAVAILABLE', `${what}: no answer from the file system within ${timeoutMs / 1000} s`, { timeout: true })), timeoutMs);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Why files cannot be stored under `path` (a pseudo-filesystem, directly or through a link), or
 * undefined. The folder itself may not exist yet: its nearest existing parent is checked. Only
 * async calls with a timeout, so a file system that does not answer cannot hold the app.
 */
export async function pseudoFolderProblem(path: string, timeoutMs = FOLDER_CHECK_TIMEOUT_MS): Promise<string | undefined> {
  const wanted = resolve(path);
  const root = underPseudoRoot(wanted);
  if (root) return `${path} is inside ${root}, where the system shows itself as files; nothing can be stored there`;
  for (let at = wanted; ; at = dirname(at)) {
    let real: string;
    try {
      real = await answered(`checking ${path}`, realpath(at), timeoutMs);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT' && dirname(at) !== at) continue;
      if (err instanceof FerryError) throw err;
      return undefined; // unreadable: the write test and the upload say why, in their words
    }
    const linked = underPseudoRoot(real);
    if (linked) return `${path} leads to ${real}, inside ${linked}, where the system shows itself as files; nothing can be stored there`;
    const fs = await answered(`checking ${path}`, statfs(real), timeoutMs).catch((err: unknown) => {
      if (err instanceof FerryError) throw err;
      return undefined;
    });
    const type = fs ? PSEUDO_FS_TYPES.get(Number(fs.type)) : undefined;
    if (type) return `${path} is on a ${type} file system, where the system shows itself as files; nothing can be stored there`;
    return undefined;
  }
}

/** The same check as an error: INVALID_INPUT (never retried) for a pseudo-filesystem. */
export async function assertStorableFolder(operation: string, path: string): Promise<void> {
  const problem = await pseudoFolderProblem(path);
  if (problem) throw invalidInput(`${operation}: ${problem}`, { path, retriable: false });
}
