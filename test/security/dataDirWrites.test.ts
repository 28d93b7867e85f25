/**
 * The command-jobs gate lives in a file of the data directory (local-config.json): no job may
 * write there, or an API client could grant itself command jobs with a download or an upload.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { dispatchCommand } from '../../main/engine/api/dispatch';
import { LOCAL_CONFIG_FILE } from '../../main/engine/kinds/commandJobsGate';
import { startEngine, waitForJob } from '../helpers/engineFixture';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function fresh() {
  // The data directory one level down, so that a folder destination can sit beside it.
  const outer = mkdtempSync(join(tmpdir(), 'ferry-datadir-writes-'));
  cleanups.push(() => rmSync(outer, { recursive: true, force: true }));
  const fixture = startEngine({ dataDir: join(outer, 'data') });
  cleanups.push(() => fixture.dispose());
  return { outer, ...fixture };
}

describe('no job writes into Ferry’s data directory', () => {
  it('a download to local-config.json is refused before a job exists, through a symlinked folder too', async () => {
    const { outer, engine, dataDir } = fresh();
    const direct = await dispatchCommand(engine, 'createDownloadJob', { url: 'http://127.0.0.1:9/x', dest: join(dataDir, LOCAL_CONFIG_FILE) });
    expect(direct).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', message: expect.stringContaining('data directory') } });
    const link = join(outer, 'innocent');
    symlinkSync(dataDir, link);
    const linked = await dispatchCommand(engine, 'createDownloadJob', { url: 'http://127.0.0.1:9/x', dest: join(link, LOCAL_CONFIG_FILE) });
    expect(linked).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    expect(existsSync(join(dataDir, LOCAL_CONFIG_FILE))).toBe(false);
    expect(engine.services.commandJobs.allowed()).toBe(false);
  });

  it('a folder destination beside the data directory cannot land a dataset named after it there', async () => {
    const { outer, engine, dataDir } = fresh();
    const src = join(outer, 'src', basename(dataDir));
    mkdirSync(src, { recursive: true });
    writeFileSync(join(src, LOCAL_CONFIG_FILE), JSON.stringify({ allowCommandJobs: true }));
    const saved = await dispatchCommand(engine, 'saveDestination', { name: 'Beside', kind: 'folder', config: { path: dirname(dataDir) } });
    expect(saved).toMatchObject({ ok: true });
    const destinationId = (saved as { value: { id: string } }).value.id;
    const created = await dispatchCommand(engine, 'createUpload', { paths: [src], destinationId, name: basename(dataDir) });
    if (created.ok) {
      const id = (created.value as { id: number }).id;
      const ended = await waitForJob(engine, id, (j) => j.state === 'completed' || j.state === 'failed', 30_000);
      expect(ended.state).toBe('failed');
    }
    expect(existsSync(join(dataDir, LOCAL_CONFIG_FILE))).toBe(false);
    expect(engine.services.commandJobs.allowed()).toBe(false);
  });
});
