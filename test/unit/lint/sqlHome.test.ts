import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = process.cwd();
/** The one folder where SQL may be written: a repository per table, the migrations, the connection. */
const SQL_HOME = 'main/engine/db/';

/** What SQL looks like in our sources; RegExp#exec takes a variable, SQL's exec a literal. */
const SQL_SIGNS: { what: string; pattern: RegExp }[] = [
  { what: 'better-sqlite3 import', pattern: /from\s+['"]better-sqlite3['"]|require\(\s*['"]better-sqlite3['"]\s*\)/ },
  { what: 'prepared statement', pattern: /\.prepare\s*[(<]/ },
  { what: 'SQL run by exec', pattern: /\.exec\s*\(\s*[`'"]|\bdb\.exec\s*\(/i },
  { what: 'pragma', pattern: /\.pragma\s*\(/ },
  { what: 'transaction on a connection', pattern: /\bdb\.transaction\s*\(/i },
  {
    what: 'SQL text',
    pattern: /\bSELECT\b.*\bFROM\b|\bINSERT\s+INTO\b|\bDELETE\s+FROM\b|\bUPDATE\s+\w+\s+SET\b|\b(?:CREATE|ALTER|DROP)\s+(?:VIRTUAL\s+)?(?:TABLE|INDEX|TRIGGER)\b/,
  },
];

/** Every `file:line: sign` where a source file outside the SQL home holds SQL. */
function sqlOutsideHome(files: readonly { path: string; text: string }[]): string[] {
  const found: string[] = [];
  for (const f of files) {
    if (f.path.startsWith(SQL_HOME)) continue;
    f.text.split('\n').forEach((line, i) => {
      for (const sign of SQL_SIGNS) if (sign.pattern.test(line)) found.push(`${f.path}:${i + 1}: ${sign.what}: ${line.trim()}`);
    });
  }
  return found;
}

function sources(dir: string): { path: string; text: string }[] {
  return (readdirSync(join(ROOT, dir), { recursive: true, encoding: 'utf8' }) as string[])
    .filter((p) => /\.(?:[cm]?[jt]s|tsx)$/.test(p))
    .map((p) => {
      const path = relative(ROOT, join(ROOT, dir, p)).split(sep).join('/');
      return { path, text: readFileSync(join(ROOT, path), 'utf8') };
    });
}

describe('SQL has one home', () => {
  it(`main/ writes SQL only in ${SQL_HOME} (one repository per table)`, () => {
    const files = sources('main');
    expect(files.some((f) => f.path === 'main/engine/engine.ts'), 'the scan reads main/').toBe(true);
    expect(files.filter((f) => f.path.startsWith(SQL_HOME)).flatMap((f) => sqlOutsideHome([{ ...f, path: 'main/x.ts' }])).length, 'the scan sees the SQL that is there').toBeGreaterThan(0);
    expect(sqlOutsideHome(files)).toEqual([]);
  });

  it('finds each form of SQL outside the home, and leaves regular expressions and the home alone', () => {
    const probes = [
      "import Database from 'better-sqlite3';",
      "const rows = this.db.prepare('SELECT * FROM jobs').all();",
      'const s = db.prepare<unknown[]>(sql);',
      'this.db.exec(`CREATE TABLE t (a)`);',
      'db.exec(MIGRATIONS[0]);',
      "engine.db.pragma('quick_check');",
      'this.db.transaction(() => work())();',
      "const sql = 'DELETE FROM webhooks WHERE id = ?';",
      'const q = `UPDATE jobs SET pipeline = ? WHERE id = ?`;',
      "run('INSERT INTO settings (key, value) VALUES (?, ?)');",
    ];
    for (const probe of probes) expect(sqlOutsideHome([{ path: 'main/engine/pipelines/x.ts', text: probe }]), probe).not.toEqual([]);
    expect(sqlOutsideHome([{ path: 'main/engine/kinds/x.ts', text: 'const m = /^bytes (\\d+)-(\\d+)$/i.exec(value.trim());' }])).toEqual([]);
    expect(sqlOutsideHome([{ path: 'main/engine/jobs/x.ts', text: 'this.repo.transaction(() => save());' }])).toEqual([]);
    expect(sqlOutsideHome([{ path: `${SQL_HOME}x.ts`, text: probes.join('\n') }])).toEqual([]);
  });
});
