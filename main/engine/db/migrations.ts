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
];
