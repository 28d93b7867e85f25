/**
 * Finding 7: a fresh data directory started through the shipped bundle is 0700, and Ferry's own
 * files in it (database with its WAL, logs, secrets, instance file) are 0600. received/ is the
 * receiver's storage for the user's data and keeps its own modes.
 */
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Instance } from '../acceptance/support/instance';

function walk(dir: string, out: string[] = []): string[] {
  for (const d of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, d.name);
    out.push(full);
    if (d.isDirectory()) walk(full, out);
  }
  return out;
}

describe('file modes of a fresh data directory', () => {
  const parent = mkdtempSync(join(tmpdir(), 'ferry-sec-modes-'));
  afterAll(() => rmSync(parent, { recursive: true, force: true }));

  it('is 0700 with every file of Ferry 0600, after a job ran and a secret was set', async () => {
    const dataDir = join(parent, 'data');
    const ferry = new Instance(dataDir);
    await ferry.start();
    try {
      const job = await ferry.call('createDemoJob', { items: 3, itemDelayMs: 0, failRate: 0 } as never);
      await ferry.waitForJob((job as { id: number }).id, (j) => j.state === 'completed');
      await ferry.call('setReceiverToken', { token: 'a-receiver-token-0123456789abcdef' } as never);
      const entries = walk(dataDir).filter((p) => !relative(dataDir, p).startsWith('received'));
      const mode = (p: string) => (statSync(p).mode & 0o777).toString(8);
      expect(mode(dataDir)).toBe('700');
      const names = entries.map((p) => relative(dataDir, p));
      expect(names).toEqual(expect.arrayContaining(['ferry.db', 'ferry.db-wal', 'secrets.json', 'instance.json', join('jobs', String((job as { id: number }).id), 'job.log')]));
      const loose = entries.filter((p) => mode(p) !== (statSync(p).isDirectory() ? '700' : '600')).map((p) => `${relative(dataDir, p)} ${mode(p)}`);
      expect(loose).toEqual([]);
    } finally {
      await ferry.stop();
    }
  });
});
