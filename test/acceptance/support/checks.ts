import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';

/**
 * Checks of a data directory once its process has stopped: the database opened read-only, the
 * job logs read as files.
 */

/** `PRAGMA integrity_check` of the engine's database (main/engine/engine.ts names it ferry.db). */
export function databaseIntegrity(dataDir: string): string {
  const db = new Database(join(dataDir, 'ferry.db'), { readonly: true, fileMustExist: true });
  try {
    return String(db.pragma('integrity_check', { simple: true }));
  } finally {
    db.close();
  }
}

/**
 * Problems with a job's human log: every attempt opens a `<log>` section and ends with exactly one
 * footer; the log ends with the footer of its last attempt, whose result is `expectedResult`.
 */
export function logProblems(dataDir: string, id: number, expectedResult = 'success'): string[] {
  const file = join(dataDir, 'jobs', String(id), 'job.log');
  if (!existsSync(file)) return [`job ${id}: no job.log`];
  const log = readFileSync(file, 'utf8');
  const problems: string[] = [];
  const sections = (log.match(/^<log( attempt="\d+")?>$/gm) ?? []).length;
  const footers = [...log.matchAll(/<footer_json>\n([\s\S]*?)\n<\/footer_json>\n/g)];
  if (sections !== footers.length) problems.push(`job ${id}: ${sections} attempt sections but ${footers.length} footers`);
  if (!log.endsWith('</footer_json>\n')) problems.push(`job ${id}: the log does not end with a footer; it ends: ${JSON.stringify(log.slice(-300))}`);
  const last = footers.at(-1);
  if (last) {
    const footer = JSON.parse(last[1]!) as { result?: string };
    if (footer.result !== expectedResult) problems.push(`job ${id}: last footer says ${footer.result}, expected ${expectedResult}`);
  }
  return problems;
}
