import { execFile } from 'node:child_process';
import { open } from 'node:fs/promises';
import { ioError } from './transferErrors';

/**
 * Makes many freshly written files (or renames) durable at once. On Linux one `syncfs` of the file
 * system holding them (coreutils `sync -f`) costs about as much as two or three fsyncs, whatever
 * the number of files; elsewhere, or when that is unavailable, every file is fsynced (several at a
 * time, so the file system can group them into one journal commit).
 */
export interface DurableFlush {
  /** Data and names of `files` (and the folders `dirs`) are on stable storage when this resolves. */
  flush(files: string[], dirs: string[]): Promise<void>;
}

const FSYNC_PARALLEL = 16;

async function fsyncEach(paths: string[], what: 'file' | 'dir'): Promise<void> {
  const queue = [...paths];
  await Promise.all(
    Array.from({ length: Math.min(FSYNC_PARALLEL, queue.length) }, async () => {
      for (let p = queue.shift(); p !== undefined; p = queue.shift()) {
        let fh;
        try {
          fh = await open(p, 'r');
          await fh.sync();
        } catch (err) {
          // Some platforms (Windows, some network file systems) cannot fsync a folder.
          if (what === 'file') throw ioError(`fsync(${p})`, err);
        } finally {
          await fh?.close().catch(() => undefined);
        }
      }
    }),
  );
}

function syncfs(anyPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    execFile('sync', ['-f', anyPath], { timeout: 120_000, windowsHide: true }, (err) => resolve(!err));
  });
}

/** The platform's best way; `syncfs` is tried once and dropped for good if it does not work. */
export function createDurableFlush(platform: NodeJS.Platform = process.platform): DurableFlush {
  let useSyncfs = platform === 'linux';
  return {
    async flush(files, dirs) {
      const probe = files[0] ?? dirs[0];
      if (probe === undefined) return;
      if (useSyncfs) {
        if (await syncfs(probe)) return;
        useSyncfs = false;
      }
      await fsyncEach(files, 'file');
      await fsyncEach(dirs, 'dir');
    },
  };
}
