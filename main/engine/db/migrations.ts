/**
 * Numbered schema migrations; PRAGMA user_version holds the number applied last.
 * Never edit a shipped migration: add the next one.
 */
import { JOB_ENGINE_SCHEMA } from './jobEngineSchema';
import { TRANSFERS_AUTOMATION_SETTINGS_SCHEMA } from './transfersAutomationSettingsSchema';
import { WATCH_SCHEMA } from './watchSchema';

export const MIGRATIONS: readonly string[] = [
  // 1: jobs. AUTOINCREMENT so that an id is never reused, even after deletes.
  `CREATE TABLE jobs (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     kind TEXT NOT NULL,
     name TEXT NOT NULL,
     state TEXT NOT NULL,
     priority INTEGER NOT NULL DEFAULT 1,
     params TEXT NOT NULL DEFAULT '{}',
     metadata TEXT NOT NULL DEFAULT '{}',
     destination_id TEXT,
     stage TEXT,
     done REAL NOT NULL DEFAULT 0,
     total REAL NOT NULL DEFAULT 0,
     unit TEXT NOT NULL DEFAULT 'items',
     processed INTEGER NOT NULL DEFAULT 0,
     failed INTEGER NOT NULL DEFAULT 0,
     result TEXT,
     error TEXT,
     attempts INTEGER NOT NULL DEFAULT 0,
     max_attempts INTEGER NOT NULL DEFAULT 3,
     not_before INTEGER,
     stop_after_current INTEGER NOT NULL DEFAULT 0,
     resume_state TEXT,
     created_at INTEGER NOT NULL,
     started_at INTEGER,
     finished_at INTEGER,
     updated_at INTEGER NOT NULL
   );
   CREATE INDEX jobs_queue ON jobs(state, priority, id);
   CREATE INDEX jobs_created ON jobs(created_at);
   CREATE INDEX jobs_kind ON jobs(kind, id);`,
  // 2: destinations, the files of dataset jobs, webhooks, pipeline columns of jobs, settings.
  TRANSFERS_AUTOMATION_SETTINGS_SCHEMA,
  // 3: queue order, timings, log sealing, full-text search of names, metadata and logs, engine flags.
  JOB_ENGINE_SCHEMA,
  // 4: watched-folder rules and the ledger of files they uploaded.
  WATCH_SCHEMA,
  // 5: seed 001's sensor types (data formats) replace the instrument names stored in upload jobs
  // and watch rules: camera becomes RGB, every other name OTHER (LEGACY_SENSOR_TYPES says the same).
  `UPDATE jobs SET params = json_set(params, '$.metadata.sensorType',
       CASE json_extract(params, '$.metadata.sensorType') WHEN 'camera' THEN 'RGB' ELSE 'OTHER' END)
     WHERE json_valid(params) AND json_type(params, '$.metadata.sensorType') = 'text'
       AND json_extract(params, '$.metadata.sensorType') NOT IN ('IDX', 'TIFF', 'TIFF RGB', 'NETCDF', 'HDF5', '4D_NEXUS', 'RGB', 'MAPIR', 'OTHER');
   UPDATE jobs SET metadata = json_set(metadata, '$.metadata.sensorType',
       CASE json_extract(metadata, '$.metadata.sensorType') WHEN 'camera' THEN 'RGB' ELSE 'OTHER' END)
     WHERE json_valid(metadata) AND json_type(metadata, '$.metadata.sensorType') = 'text'
       AND json_extract(metadata, '$.metadata.sensorType') NOT IN ('IDX', 'TIFF', 'TIFF RGB', 'NETCDF', 'HDF5', '4D_NEXUS', 'RGB', 'MAPIR', 'OTHER');
   UPDATE watch_rules SET config = json_set(config, '$.metadata.sensorType',
       CASE json_extract(config, '$.metadata.sensorType') WHEN 'camera' THEN 'RGB' ELSE 'OTHER' END)
     WHERE json_valid(config) AND json_type(config, '$.metadata.sensorType') = 'text'
       AND json_extract(config, '$.metadata.sensorType') NOT IN ('IDX', 'TIFF', 'TIFF RGB', 'NETCDF', 'HDF5', '4D_NEXUS', 'RGB', 'MAPIR', 'OTHER');`,
  // 6: completed jobs with failed items, counted every second for the status figures and
  // filtered on in the jobs table.
  `CREATE INDEX jobs_partial ON jobs(id) WHERE state = 'completed' AND result = 'partial';`,
  // 7: the event feed: every flush of a job's events gets the next global event ids, so one
  // cursor follows every job's events across restarts (GET /api/v1/events).
  `CREATE TABLE event_feed (
     last_gid INTEGER PRIMARY KEY,
     job_id INTEGER NOT NULL,
     from_seq INTEGER NOT NULL,
     to_seq INTEGER NOT NULL
   );
   CREATE INDEX event_feed_job ON event_feed(job_id, last_gid);`,
  // 8: the stages of a job's runs with their times (jobs/stageTimes.ts), for getJob.
  `ALTER TABLE jobs ADD COLUMN stages TEXT;`,
  // 9: a history of a million jobs. The back of the queue is read at every start (MAX of
  // queue_order, which no index gave: every row was read). Jobs per state, kind, destination,
  // priority and partial completion, kept exact by triggers like job_counts: the total of a list
  // filtered by any of these alone is a sum of a few hundred rows instead of a count of the
  // matching jobs (100 000 index entries and more, or as many row reads when no index covers the
  // filter). `destination` is '' for jobs without one. The name index carries the finish time, so
  // that a list by name of jobs finished in a window walks the index alone (it read a row per entry).
  `CREATE INDEX jobs_queue_order ON jobs(queue_order);
   DROP INDEX jobs_name;
   CREATE INDEX jobs_name ON jobs(name COLLATE NOCASE, finished_at);
   CREATE TABLE job_tally (
     state TEXT NOT NULL,
     kind TEXT NOT NULL,
     destination TEXT NOT NULL,
     priority INTEGER NOT NULL,
     partial INTEGER NOT NULL,
     n INTEGER NOT NULL,
     PRIMARY KEY (state, kind, destination, priority, partial)
   ) WITHOUT ROWID;
   INSERT INTO job_tally (state, kind, destination, priority, partial, n)
     SELECT state, kind, COALESCE(destination_id, ''), priority, state = 'completed' AND result IS 'partial', COUNT(*)
     FROM jobs GROUP BY 1, 2, 3, 4, 5;
   CREATE TRIGGER job_tally_insert AFTER INSERT ON jobs BEGIN
     INSERT INTO job_tally (state, kind, destination, priority, partial, n)
       VALUES (new.state, new.kind, COALESCE(new.destination_id, ''), new.priority, new.state = 'completed' AND new.result IS 'partial', 1)
       ON CONFLICT DO UPDATE SET n = n + 1;
   END;
   CREATE TRIGGER job_tally_delete AFTER DELETE ON jobs BEGIN
     UPDATE job_tally SET n = n - 1
       WHERE state = old.state AND kind = old.kind AND destination = COALESCE(old.destination_id, '') AND priority = old.priority
         AND partial = (old.state = 'completed' AND old.result IS 'partial');
   END;
   CREATE TRIGGER job_tally_update AFTER UPDATE OF state, kind, destination_id, priority, result ON jobs
     WHEN old.state IS NOT new.state OR old.kind IS NOT new.kind OR old.destination_id IS NOT new.destination_id
       OR old.priority IS NOT new.priority OR (old.result IS 'partial') IS NOT (new.result IS 'partial')
   BEGIN
     UPDATE job_tally SET n = n - 1
       WHERE state = old.state AND kind = old.kind AND destination = COALESCE(old.destination_id, '') AND priority = old.priority
         AND partial = (old.state = 'completed' AND old.result IS 'partial');
     INSERT INTO job_tally (state, kind, destination, priority, partial, n)
       VALUES (new.state, new.kind, COALESCE(new.destination_id, ''), new.priority, new.state = 'completed' AND new.result IS 'partial', 1)
       ON CONFLICT DO UPDATE SET n = n + 1;
   END;`,
];
