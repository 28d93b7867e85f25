import Database from 'better-sqlite3';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FerryError } from '../../../shared/errors';
import { ensurePrivateFile } from '../util/privateFiles';

/** Who holds a data directory, as the holder describes itself for the next one that tries. */
export interface LockHolder {
  pid: number;
  /** Which host runs it: `ferry serve` or the desktop app. */
  host: 'web' | 'desktop';
  /** Where its interface answers, once it does (no token: the file is readable by the user only anyway). */
  address?: string;
  startedAt: number;
}

export interface DataDirLock {
  /** Adds where the holder answers to what a refused second instance is told. */
  describe(address: string): void;
  release(): void;
}

const LOCK_FILE = 'ferry.lock';
const HOLDER_FILE = 'ferry.lock.json';

/**
 * One instance per data directory. The lock is a kernel file lock (SQLite's, on a file of its
 * own, in exclusive locking mode): it dies with the process, so a kill -9 leaves nothing that
 * blocks the next start, and taking it is atomic, so two instances starting at once cannot both
 * win. A second instance is refused with the holder's pid and address.
 */
export function lockDataDir(dataDir: string, holder: Omit<LockHolder, 'startedAt'>, options: { nativeBinding?: string } = {}): DataDirLock {
  mkdirSync(dataDir, { recursive: true });
  // 0600 like every file of the data directory; SQLite gives its journal the same mode.
  ensurePrivateFile(join(dataDir, LOCK_FILE));
  const db = new Database(join(dataDir, LOCK_FILE), options.nativeBinding ? { nativeBinding: options.nativeBinding } : {});
  try {
    db.pragma('busy_timeout = 0');
    db.pragma('locking_mode = EXCLUSIVE');
    // In exclusive locking mode the lock a write transaction takes is kept until the connection closes.
    db.exec('BEGIN EXCLUSIVE; COMMIT;');
  } catch (err) {
    db.close();
    if ((err as { code?: string }).code !== 'SQLITE_BUSY') throw err;
    throw new FerryError('CONFLICT', `Another Ferry instance is using ${dataDir}: ${describeHolder(readHolder(dataDir))}. Stop it first, or use another data directory.`, {
      holder: readHolder(dataDir) ?? null,
    });
  }
  let info: LockHolder = { ...holder, startedAt: Date.now() };
  const write = () => writeFileSync(join(dataDir, HOLDER_FILE), JSON.stringify(info) + '\n', { mode: 0o600 });
  write();
  let released = false;
  return {
    describe(address) {
      info = { ...info, address };
      write();
    },
    release() {
      if (released) return;
      released = true;
      rmSync(join(dataDir, HOLDER_FILE), { force: true });
      db.close();
    },
  };
}

function readHolder(dataDir: string): LockHolder | undefined {
  try {
    const raw = JSON.parse(readFileSync(join(dataDir, HOLDER_FILE), 'utf8')) as Partial<LockHolder>;
    return Number.isInteger(raw.pid) ? (raw as LockHolder) : undefined;
  } catch {
    return undefined;
  }
}

function describeHolder(h: LockHolder | undefined): string {
  if (!h) return 'a process that is still starting';
  const what = h.host === 'desktop' ? 'the desktop app' : '`ferry serve`';
  return `${what}, pid ${h.pid}${h.address ? `, at ${h.address}` : ''}`;
}
