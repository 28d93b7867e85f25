/**
 * Schema for transfers (destinations, the files of dataset jobs), automation (webhooks, the
 * pipeline columns of jobs) and settings. Kept in its own module so the numbered list in
 * migrations.ts stays readable; it is one entry of that list.
 */
export const TRANSFERS_AUTOMATION_SETTINGS_SCHEMA = `
  CREATE TABLE destinations (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    config TEXT NOT NULL DEFAULT '{}',
    is_default INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );
  CREATE TABLE job_items (
    job_id INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    path TEXT NOT NULL,
    relative_path TEXT NOT NULL,
    size INTEGER NOT NULL,
    mtime_ms INTEGER NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending',
    bytes_done INTEGER NOT NULL DEFAULT 0,
    sha256 TEXT,
    location TEXT,
    verified TEXT,
    error TEXT,
    session TEXT,
    started_at INTEGER,
    finished_at INTEGER,
    PRIMARY KEY (job_id, seq)
  );
  CREATE INDEX job_items_state ON job_items(job_id, state, seq);
  CREATE TABLE webhooks (
    id TEXT PRIMARY KEY,
    url TEXT NOT NULL,
    events TEXT NOT NULL,
    destination_id TEXT,
    enabled INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );
  -- Pipelines: the steps still to come after this job, the job it follows, and a gate's deadline.
  ALTER TABLE jobs ADD COLUMN pipeline TEXT;
  ALTER TABLE jobs ADD COLUMN parent_id INTEGER;
  ALTER TABLE jobs ADD COLUMN gate TEXT;
  ALTER TABLE jobs ADD COLUMN gate_deadline INTEGER;
  CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
  );
`;
