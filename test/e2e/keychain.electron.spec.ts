import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { keychainProblem } from '../../main/hosts/desktop/keychainCodec';
import { callFerry, electronForSuite, ELECTRON_SKIP_REASON, launchFerry } from './electronApp';

const bin = electronForSuite('desktop keychain suite');
const SECRET = 'a-long-enough-secret-1234';

test.describe('secrets in the OS keychain (Electron safeStorage)', () => {
  test.skip(!bin, ELECTRON_SKIP_REASON);

  test('a secret is stored encrypted by the keychain and survives a restart; without a keychain it is refused', async () => {
    const first = await launchFerry(bin!);
    let second: Awaited<ReturnType<typeof launchFerry>> | undefined;
    try {
      const { app, page, dataDir } = first;
      const keychain = await app.evaluate(({ safeStorage }) => ({ available: safeStorage.isEncryptionAvailable(), backend: safeStorage.getSelectedStorageBackend() }));
      const problem = keychainProblem({ isEncryptionAvailable: () => keychain.available, getSelectedStorageBackend: () => keychain.backend }, process.platform);
      const file = join(dataDir, 'secrets.json');
      const save = callFerry(page, 'saveWebhook', { url: 'https://lims.example.org/api/ferry-events', secret: SECRET });

      if (problem) {
        // No keychain running (a bare Linux session): nothing is stored under a hard-coded key.
        await expect(save).rejects.toThrow(problem);
        if (existsSync(file)) expect(readFileSync(file, 'utf8')).not.toContain(SECRET);
        return;
      }
      const hook = await save;
      expect(hook).toMatchObject({ hasSecret: true });
      const stored = Object.values(JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>);
      expect(readFileSync(file, 'utf8')).not.toContain(SECRET);
      const opened = await app.evaluate(({ safeStorage }, values) => values.map((v) => safeStorage.decryptString(Buffer.from(v, 'base64'))), stored);
      expect(opened).toContain(SECRET);

      await first.app.close();
      second = await launchFerry(bin!, { dataDir });
      expect(await callFerry(second.page, 'listWebhooks', {})).toContainEqual(expect.objectContaining({ id: hook.id, hasSecret: true }));
    } finally {
      await second?.close();
      await first.close();
    }
  });
});
