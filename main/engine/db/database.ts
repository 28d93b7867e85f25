import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { FerryError } from '../../../shared/errors';
import { createLogger } from '../util/logger';
import { ensurePrivateFile, PRIVATE_DIR_MODE } from '../util/privateFiles';
import { MIGRATIONS } from './migrations';

const log = createLogger('db');

export type Db = Database.Database;

export interface OpenDatabaseOptions {
  /** Path of a better-sqlite3 addon built for this runtime (the desktop host passes Electron's). */
  nativeBinding?: string;
}

/** Opens (or creates) the metadata database in WAL mode and brings its schema up to date. */
export function openDatabase(file: string, options: OpenDatabaseOptions = {}): Db {
  mkdirSync(dirname(file), { recursive: true, mode: PRIVATE_DIR_MODE });
  // SQLite gives the -wal and -shm files the mode of the database file, so 0600 here covers them.
  ensurePrivateFile(file);
  const started = performance.now();
  const db = new Database(file, options.nativeBinding ? { nativeBinding: options.nativeBinding } : {});
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrate(db);
  // Fresh statistics for the query planner, cheaply (SQLite's advice for long-lived connections).
  db.pragma('analysis_limit = 400');
  db.pragma('optimize = 0x10002');
  log.debug(`opened ${file} in ${(performance.now() - started).toFixed(1)} ms`);
  return db;
}

/** Closes the database after letting SQLite refresh the planner's statistics if they are stale. */
export function closeDatabase(db: Db): void {
  try {
    db.pragma('optimize');
  } finally {
    db.close();
  }
}

/**
 * SQLite's own check of the file: `quick_check`, or when deep the slower `integrity_check` that
 * also compares indexes with their tables. Answers its messages, `['ok']` when all is well.
 */
export function checkIntegrity(db: Db, deep: boolean): string[] {
  const rows = db.pragma(deep ? 'integrity_check' : 'quick_check') as Record<string, string>[];
  return rows.map((r) => Object.values(r)[0]!);
}

function migrate(db: Db): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > MIGRATIONS.length) {
    throw new FerryError('CONFLICT', `database schema ${current} is newer than this Ferry (${MIGRATIONS.length})`);
  }
  for (let version = current; version < MIGRATIONS.length; version++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[version]!);
      db.pragma(`user_version = ${version + 1}`);
    })();
    log.info(`migrated database to schema ${version + 1}`);
  }
}
