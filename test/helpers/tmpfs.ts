import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * A small tmpfs for real "disk full" failures (root ignores chmod, so a real limit is the way).
 * Mounting needs privileges: `canMountTmpfs` is probed once at load so that a test can skip (and
 * be reported as skipped) where it is not allowed.
 */
export function tryMount(dir: string, sizeBytes: number): boolean {
  return spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeBytes}`, 'tmpfs', dir], { stdio: 'ignore' }).status === 0;
}

export function unmount(dir: string): void {
  spawnSync('umount', [dir], { stdio: 'ignore' });
}

export const canMountTmpfs: boolean = (() => {
  if (process.platform !== 'linux') return false;
  const probe = mkdtempSync(path.join(os.tmpdir(), 'ferry-mount-probe-'));
  const ok = tryMount(probe, 64 * 1024);
  if (ok) unmount(probe);
  rmdirSync(probe);
  return ok;
})();

export interface MountedTmpfs {
  dir: string;
  /** Unmounts and removes the folder. */
  release(): void;
}

/** A fresh temp folder with a tmpfs of `sizeBytes` mounted on it (call only where canMountTmpfs). */
export function mountTmpfs(sizeBytes: number): MountedTmpfs {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ferry-tmpfs-'));
  if (!tryMount(dir, sizeBytes)) {
    rmdirSync(dir);
    throw new Error(`could not mount a tmpfs on ${dir}`);
  }
  return {
    dir,
    release: () => {
      unmount(dir);
      rmdirSync(dir);
    },
  };
}
