import { expect, test } from './fixtures';
import { SettingsPage } from './pages/settingsPage';
import { dismissToasts, shootBothThemes } from './support/screens';

test.describe('settings', () => {
  test('theme and concurrency survive a reload; bad values are refused inline', async ({ page, ferry }) => {
    const settings = new SettingsPage(page);
    await settings.shell.open(ferry.url);
    await settings.open();
    await expect(settings.dataDir).toHaveValue(ferry.dataDir);

    // The theme applies at once and is saved with the settings.
    await settings.theme('Dark');
    await expect.poll(async () => (await ferry.call<{ theme: string }>('getSettings')).theme).toBe('dark');

    await settings.field('Jobs at once').fill('0');
    await settings.save.click();
    await expect(settings.errorFor('Jobs at once')).toHaveText('Jobs at once must be at least 1');
    await settings.field('Jobs at once').fill('7');
    await expect(settings.errorFor('Jobs at once')).toHaveCount(0);
    await settings.field('Limit upload speed').check();
    await settings.field('Bandwidth limit').fill('2.5');
    await settings.field('Bandwidth limit unit').selectOption('MB/s');
    await page.getByRole('button', { name: 'Add rule' }).click();
    await page.getByRole('group', { name: 'Rule 1' }).getByRole('button', { name: 'Saturday' }).click();
    await page.getByRole('group', { name: 'Rule 1' }).getByLabel('To').fill('09:00');
    await settings.save.click();
    await expect(page.getByRole('group', { name: 'Rule 1' })).toContainText('Ends when it starts');
    await page.getByRole('group', { name: 'Rule 1' }).getByLabel('To').fill('18:30');
    await settings.field('Keep finished jobs for (days)').fill('14');
    await settings.field('When a source file changes while it is sent').selectOption('restart');
    await settings.field('When a job completes').uncheck();
    await settings.saveChanges();
    await settings.shell.expectToast('Settings saved', 'success');

    const saved = await ferry.call<Record<string, unknown>>('getSettings');
    expect(saved).toMatchObject({
      concurrency: 7,
      bandwidthLimit: 2_500_000,
      retentionDays: 14,
      onSourceChange: 'restart',
      notifyOnComplete: false,
      bandwidthSchedule: [{ days: [1, 2, 3, 4, 5, 6], from: '09:00', to: '18:30', bytesPerSecond: 10_000_000 }],
    });

    await page.reload();
    await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
    await settings.open();
    await expect(settings.field('Jobs at once')).toHaveValue('7');
    await expect(settings.field('Bandwidth limit')).toHaveValue('2.5');
    await expect(page.getByRole('radio', { name: 'Dark' })).toHaveAttribute('aria-checked', 'true');
    const health = await ferry.call<{ scheduler: { concurrency: number } }>('health');
    expect(health.scheduler.concurrency).toBe(7);

    // Switching the theme from the sidebar changes the theme and nothing else.
    await settings.shell.setTheme('light');
    await expect.poll(async () => (await ferry.call<{ theme: string }>('getSettings')).theme).toBe('light');
    expect(await ferry.call('getSettings')).toMatchObject({ concurrency: 7, retentionDays: 14, bandwidthLimit: 2_500_000 });
  });

  test('the built-in receiver: a token generated and shown once, then sharing on the network with a fixed port', async ({ page, ferry }) => {
    const settings = new SettingsPage(page);
    await settings.shell.open(ferry.url);
    await settings.open();
    const status = page.getByTestId('receiver-status');
    await expect(status).toContainText('Listening at http://127.0.0.1:');
    await expect(status).toContainText('this computer only');
    await expect(page.getByTestId('receiver-token-state')).toHaveText('Not set');
    // Sharing needs a token first.
    await expect(settings.field('Let other computers on the network upload here')).toBeDisabled();

    await page.getByRole('button', { name: 'Generate a token' }).click();
    await settings.shell.expectToast('Access token set', 'success');
    const token = await page.getByLabel('New access token').inputValue();
    expect(token).toMatch(/^[0-9a-f]{64}$/);
    await expect(page.getByTestId('receiver-token-state')).toHaveText('Set');
    await dismissToasts(page);
    await page.getByRole('heading', { name: 'Built-in receiver' }).scrollIntoViewIfNeeded();
    await shootBothThemes(page, 'settings-receiver');

    const port = 20000 + Math.floor(Math.random() * 20000);
    await settings.field('Port').fill(String(port));
    await settings.field('Let other computers on the network upload here').check();
    await settings.saveChanges();
    await settings.shell.expectToast('Settings saved', 'success');
    await expect(status).toContainText(`Listening at http://127.0.0.1:${port}/files/ and on the network`);
    const receiver = await ferry.call<{ onLan: boolean; port: number; tokenSet: boolean }>('getReceiver');
    expect(receiver).toMatchObject({ onLan: true, port, tokenSet: true });
    // The receiver wants the token now; the page never got it back from the engine.
    const anonymous = await fetch(`http://127.0.0.1:${port}/files/`, { method: 'OPTIONS', headers: { 'Tus-Resumable': '1.0.0' } });
    expect(anonymous.status).toBe(401);
    const withToken = await fetch(`http://127.0.0.1:${port}/files/`, { method: 'OPTIONS', headers: { 'Tus-Resumable': '1.0.0', Authorization: `Bearer ${token}` } });
    expect(withToken.status).toBe(204);
    await page.reload();
    await settings.open();
    await expect(page.getByLabel('New access token')).toHaveCount(0);
    await expect(page.getByTestId('receiver-token-state')).toHaveText('Set');
    await expect(settings.field('Port')).toHaveValue(String(port));
  });

  test('limits per kind of job and per destination are saved, refused inline when bad, and shown in health', async ({ page, ferry }) => {
    const settings = new SettingsPage(page);
    await settings.shell.open(ferry.url);
    await settings.open();
    await settings.field('verify: jobs at once').fill('0');
    await settings.save.click();
    await expect(settings.errorFor('verify: jobs at once')).toHaveText('Verify: jobs at once must be at least 1');
    await settings.field('verify: jobs at once').fill('');
    await settings.field('upload: jobs at once').fill('2');
    await settings.field('Jobs at once per destination').fill('3');
    await settings.field('command: time limit (s)').fill('600');
    await settings.saveChanges();
    await settings.shell.expectToast('Settings saved', 'success');

    expect(await ferry.call('getSettings')).toMatchObject({ kindConcurrency: { upload: 2 }, destinationConcurrency: 3, kindTimeoutSeconds: { command: 600 } });
    const health = await ferry.call<{ scheduler: Record<string, unknown> }>('health');
    expect(health.scheduler).toMatchObject({ perKind: { upload: 2 }, perDestination: 3, timeouts: { command: 600_000, verify: null } });
    await page.reload();
    await settings.open();
    await expect(settings.field('upload: jobs at once')).toHaveValue('2');
    await expect(settings.field('verify: jobs at once')).toHaveValue('');
  });
});
