import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { main } from '../../main/cli/ferry';
import { electronForSuite, ELECTRON_SKIP_REASON, launchFerry } from './electronApp';
import { SettingsPage } from './pages/settingsPage';

const bin = electronForSuite('desktop local scripts suite');

type InstanceFile = { url?: string; port?: number; token?: string; host: string; scripts?: boolean };

/** The CLI, in-process, against the app's data directory: its exit code and what it printed. */
async function ferryCli(dataDir: string, args: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const sink = { write: (chunk: string) => ((out += chunk), true) };
  const code = await main(['--data-dir', dataDir, ...args], { stdout: sink, stderr: sink, env: {} });
  return { code, out };
}

test.describe('Allow local scripts (desktop app)', () => {
  test.skip(!bin, ELECTRON_SKIP_REASON);

  test('off by default; turned on in Settings the API answers curl-style requests and the CLI; the file goes on quit', async () => {
    const ferry = await launchFerry(bin!);
    try {
      const { page, dataDir } = ferry;
      const path = join(dataDir, 'instance.json');
      const file = () => (existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as InstanceFile) : null);

      await expect.poll(() => file()?.scripts).toBe(false);
      const off = await ferryCli(dataDir, ['status']);
      expect(off.code).toBe(3);
      expect(off.out).toContain('turn on Settings → Allow local scripts');

      const settings = new SettingsPage(page);
      await settings.open();
      await expect(settings.field('Allow local scripts')).not.toBeChecked();
      await settings.field('Allow local scripts').check();
      await settings.saveChanges();

      await expect.poll(() => file()?.token ?? null).not.toBeNull();
      const on = file()!;
      expect(on.host).toBe('desktop');
      expect(statSync(path).mode & 0o777).toBe(0o600);
      const res = await fetch(`http://127.0.0.1:${on.port}/api/v1/health`, { headers: { Authorization: `Bearer ${on.token}` } });
      expect(res.status).toBe(200);
      expect(((await res.json()) as { ok: boolean }).ok).toBe(true);
      expect((await ferryCli(dataDir, ['status'])).code).toBe(0);

      await settings.field('Allow local scripts').uncheck();
      await settings.saveChanges();
      await expect.poll(() => file()?.scripts).toBe(false);
      await expect(fetch(`http://127.0.0.1:${on.port}/api/v1/health`, { headers: { Authorization: `Bearer ${on.token}` } })).rejects.toThrow();

      await ferry.app.close();
      expect(existsSync(path)).toBe(false);
    } finally {
      await ferry.close();
    }
  });
});
