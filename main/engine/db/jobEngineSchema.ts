/**
 * Schema for the production job engine: queue order, timings, crash-safe sealing of logs, full-text
 * search and the engine's own persistent flags. One entry of the numbered list in migrations.ts.
 */
export const JOB_ENGINE_SCHEMA = `
  -- FIFO within a priority: the order a job entered the queue (creation or a manual retry).
  -- A paused job that resumes and a job waiting out a retry backoff keep their place.
  ALTER TABLE jobs ADD COLUMN queue_order INTEGER NOT NULL DEFAULT 0;
  UPDATE jobs SET queue_order = id;
  -- Running time over all attempts; queued and paused time do not count.
  ALTER TABLE jobs ADD COLUMN run_ms INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE jobs ADD COLUMN last_progress_at INTEGER;
  -- 0 from the moment a job reaches a final state until its footer is on disk; start-up seals the
  -- rest, so a crash between the two neither loses the footer nor writes it twice.
  ALTER TABLE jobs ADD COLUMN sealed INTEGER NOT NULL DEFAULT 1;
  -- Bytes of the human log already fed to the full-text index.
  ALTER TABLE jobs ADD COLUMN log_indexed INTEGER NOT NULL DEFAULT 0;

  DROP INDEX jobs_queue;
  CREATE INDEX jobs_queue ON jobs(state, priority, queue_order);
  -- Filters and sorts of job lists: a state tab by creation or finish time, a kind or destination
  -- by creation time; counts are answered from these indexes alone.
  CREATE INDEX jobs_state ON jobs(state, kind, id);
  CREATE INDEX jobs_state_finished ON jobs(state, finished_at);
  CREATE INDEX jobs_kind_created ON jobs(kind, created_at);
  CREATE INDEX jobs_finished ON jobs(finished_at);
  CREATE INDEX jobs_destination ON jobs(destination_id, id);
  CREATE INDEX jobs_updated ON jobs(updated_at);
  CREATE INDEX jobs_name ON jobs(name COLLATE NOCASE);
  CREATE INDEX jobs_run ON jobs(run_ms);
  CREATE INDEX jobs_unsealed ON jobs(id) WHERE sealed = 0;

  -- Names and metadata, kept in step with the jobs table by triggers. Trigrams, so that any part
  -- of a name (three characters or more) is found through the index, as a filter box expects.
  CREATE VIRTUAL TABLE jobs_fts USING fts5(
    name, metadata, content='jobs', content_rowid='id', tokenize='trigram remove_diacritics 1'
  );
  INSERT INTO jobs_fts(jobs_fts) VALUES ('rebuild');
  CREATE TRIGGER jobs_fts_insert AFTER INSERT ON jobs BEGIN
    INSERT INTO jobs_fts(rowid, name, metadata) VALUES (new.id, new.name, new.metadata);
  END;
  CREATE TRIGGER jobs_fts_delete AFTER DELETE ON jobs BEGIN
    INSERT INTO jobs_fts(jobs_fts, rowid, name, metadata) VALUES ('delete', old.id, old.name, old.metadata);
  END;
  CREATE TRIGGER jobs_fts_update AFTER UPDATE OF name, metadata ON jobs BEGIN
    INSERT INTO jobs_fts(jobs_fts, rowid, name, metadata) VALUES ('delete', old.id, old.name, old.metadata);
    INSERT INTO jobs_fts(rowid, name, metadata) VALUES (new.id, new.name, new.metadata);
  END;

  -- Log lines are indexed in blocks (a run of whole lines at a byte offset of the job's log). The
  -- index holds no copy of the text (contentless): the log file is the text, read back for snippets.
  CREATE TABLE log_blocks (
    id INTEGER PRIMARY KEY,
    job_id INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
    offset INTEGER NOT NULL,
    length INTEGER NOT NULL
  );
  CREATE INDEX log_blocks_job ON log_blocks(job_id);
  CREATE VIRTUAL TABLE log_fts USING fts5(
    text, content='', contentless_delete=1, tokenize='unicode61 remove_diacritics 2'
  );
  CREATE TRIGGER log_blocks_delete AFTER DELETE ON log_blocks BEGIN
    DELETE FROM log_fts WHERE rowid = old.id;
  END;

  -- Jobs per state, kept exact by triggers whoever writes the table: the status bar, the stats and
  -- the totals of state-only lists read a handful of rows instead of counting an index.
  CREATE TABLE job_counts (state TEXT PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID;
  INSERT INTO job_counts (state, n) SELECT state, COUNT(*) FROM jobs GROUP BY state;
  CREATE TRIGGER job_counts_insert AFTER INSERT ON jobs BEGIN
    INSERT INTO job_counts (state, n) VALUES (new.state, 1) ON CONFLICT(state) DO UPDATE SET n = n + 1;
  END;
  CREATE TRIGGER job_counts_delete AFTER DELETE ON jobs BEGIN
    UPDATE job_counts SET n = n - 1 WHERE state = old.state;
  END;
  CREATE TRIGGER job_counts_update AFTER UPDATE OF state ON jobs WHEN old.state IS NOT new.state BEGIN
    UPDATE job_counts SET n = n - 1 WHERE state = old.state;
    INSERT INTO job_counts (state, n) VALUES (new.state, 1) ON CONFLICT(state) DO UPDATE SET n = n + 1;
  END;

  -- Flags of the engine itself (the held queue, the last retention run).
  CREATE TABLE engine_state (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
  );
`;
