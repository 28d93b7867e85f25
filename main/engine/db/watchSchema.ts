/**
 * Schema for watched folders: the rules, and the ledger of every file a rule has handed to an
 * upload, so that nothing is sent twice across restarts and a changed file is sent again. One entry
 * of the numbered list in migrations.ts.
 */
export const WATCH_SCHEMA = `
  CREATE TABLE watch_rules (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    path TEXT NOT NULL,
    enabled INTEGER NOT NULL DEFAULT 1,
    config TEXT NOT NULL DEFAULT '{}',
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );
  CREATE TABLE watch_ledger (
    rule_id TEXT NOT NULL REFERENCES watch_rules(id) ON DELETE CASCADE,
    path TEXT NOT NULL,
    size INTEGER NOT NULL,
    mtime_ms INTEGER NOT NULL,
    sha256 TEXT,
    state TEXT NOT NULL,
    job_id INTEGER,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (rule_id, path)
  ) WITHOUT ROWID;
  CREATE INDEX watch_ledger_job ON watch_ledger(job_id) WHERE job_id IS NOT NULL;
  CREATE INDEX watch_ledger_state ON watch_ledger(rule_id, state);
`;
