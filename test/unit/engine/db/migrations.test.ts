import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { datasetMetadata } from '../../../../shared/destinations';
import { openDatabase } from '../../../../main/engine/db/database';
import { MIGRATIONS } from '../../../../main/engine/db/migrations';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('schema migrations', () => {
  it('5 maps the instrument names of older Ferry to seed 001 sensor types in jobs and watch rules, leaving other fields alone', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ferry-migrate-'));
    dirs.push(dir);
    const file = join(dir, 'ferry.db');
    // A database as Ferry before schema 5 left it.
    const old = new Database(file);
    for (const sql of MIGRATIONS.slice(0, 4)) old.exec(sql);
    old.pragma('user_version = 4');
    const insertJob = old.prepare(
      `INSERT INTO jobs (kind, name, state, params, metadata, created_at, updated_at) VALUES ('upload', ?, 'completed', ?, ?, 1, 1)`,
    );
    const meta = (sensorType: unknown) => JSON.stringify({ dataset: 'd', metadata: { sensorType, team: 'optics' } });
    insertJob.run('camera', meta('camera'), meta('camera'));
    insertJob.run('microscope', meta('microscope'), meta('microscope'));
    insertJob.run('already', meta('TIFF RGB'), meta('TIFF RGB'));
    insertJob.run('command', JSON.stringify({ argv: ['true'] }), '{}');
    old
      .prepare(`INSERT INTO watch_rules (id, name, path, config, created_at, updated_at) VALUES ('r1', 'rule', '/tmp', ?, 1, 1)`)
      .run(JSON.stringify({ mode: 'files', metadata: { sensorType: 'hyperspectral', nameTemplate: '{folder}' } }));
    old.close();

    const db = openDatabase(file);
    try {
      expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
      const jobs = db.prepare(`SELECT name, params, metadata FROM jobs ORDER BY id`).all() as { name: string; params: string; metadata: string }[];
      const sensor = (json: string) => (JSON.parse(json) as { metadata?: { sensorType?: string } }).metadata?.sensorType;
      expect(jobs.map((j) => [j.name, sensor(j.params), sensor(j.metadata)])).toEqual([
        ['camera', 'RGB', 'RGB'],
        ['microscope', 'OTHER', 'OTHER'],
        ['already', 'TIFF RGB', 'TIFF RGB'],
        ['command', undefined, undefined],
      ]);
      expect((JSON.parse(jobs[0]!.params) as { metadata: { team: string } }).metadata.team).toBe('optics');
      expect(JSON.parse(jobs[3]!.params)).toEqual({ argv: ['true'] });
      const rule = db.prepare(`SELECT config FROM watch_rules`).get() as { config: string };
      expect(JSON.parse(rule.config)).toEqual({ mode: 'files', metadata: { sensorType: 'OTHER', nameTemplate: '{folder}' } });
    } finally {
      db.close();
    }
  });

  it('accepts the seed names in any case and legacy names from scripts, and refuses anything else with the list', () => {
    expect(datasetMetadata.parse({ sensorType: 'tiff rgb' }).sensorType).toBe('TIFF RGB');
    expect(datasetMetadata.parse({ sensorType: 'camera' }).sensorType).toBe('RGB');
    expect(datasetMetadata.parse({}).sensorType).toBe('OTHER');
    const bad = datasetMetadata.safeParse({ sensorType: 'JPEG' });
    expect(bad.success).toBe(false);
    expect(JSON.stringify(bad.error?.issues)).toContain('NETCDF');
  });

  it('never edits a shipped migration: each keeps the text it shipped with', () => {
    const digests = MIGRATIONS.map((sql) => createHash('sha256').update(sql).digest('hex').slice(0, 16));
    expect(digests.slice(0, SHIPPED.length)).toEqual(SHIPPED);
    expect(digests.length, 'a migration was removed').toBeGreaterThanOrEqual(SHIPPED.length);
  });
});

/** SHA-256 (first 16 hex) of each migration as shipped; a new migration appends its own. */
const SHIPPED: string[] = ['f3f8008fcfac6148', '19cdab5d96e84eb4', 'd1bb69c2e4a4f49d', 'b73f73b781c1b963', '0f81da587eba5c97'];
