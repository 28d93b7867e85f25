import { createHmac } from 'node:crypto';
import { startWebhookReceiver } from '../helpers/webhookReceiver';
import { expect, test } from './fixtures';
import { WebhooksPage } from './pages/webhooksPage';
import { shootBothThemes } from './support/screens';

test.describe('webhooks', () => {
  test('add a webhook, see a signed delivery when a job completes, edit it, delete it', async ({ page, ferry }) => {
    const secret = 'lab-secret-0123456789abcdef';
    const receiver = await startWebhookReceiver(secret, () => ({ status: 204 }));
    const hookUrl = receiver.url();
    try {
      const hooks = new WebhooksPage(page);
      await hooks.shell.open(ferry.url);
      await hooks.open();
      await expect(hooks.empty).toContainText('Ferry-Signature');

      await hooks.add(hookUrl, { secret, events: ['job.completed'] });
      await expect(hooks.card(hookUrl)).toContainText('Every job');
      await expect(hooks.card(hookUrl)).toContainText('completed');
      await expect(hooks.card(hookUrl)).not.toContainText('failed');

      await ferry.call('createDemoJob', { name: 'hooked', items: 3, failRate: 0, itemDelayMs: 5 });
      await expect.poll(() => receiver.received.length, { timeout: 20_000 }).toBeGreaterThan(0);
      const [delivery] = receiver.received;
      const timestamp = String(delivery!.headers['ferry-timestamp']);
      const expected = 'sha256=' + createHmac('sha256', secret).update(`${timestamp}.`).update(delivery!.raw).digest('hex');
      expect(delivery!.headers['ferry-signature']).toBe(expected);
      const payload = JSON.parse(delivery!.raw.toString('utf8')) as { event: string };
      expect(payload.event).toBe('job.completed');

      // Editing: the secret stays write-only, the webhook can be switched off.
      await hooks.edit(hookUrl);
      await expect(hooks.editor.getByTestId('webhook-secret-set')).toBeVisible();
      await expect(hooks.editor.getByLabel('Signing secret')).toHaveCount(0);
      await expect(hooks.editor.getByRole('checkbox', { name: /job\.completed/ })).toBeChecked();
      await hooks.editor.getByRole('checkbox', { name: /job\.failed/ }).check();
      await hooks.editor.getByLabel('Jobs', { exact: true }).selectOption({ label: 'Jobs to This computer (built-in receiver)' });
      await hooks.editor.getByLabel('Enabled').uncheck();
      await hooks.editor.getByRole('button', { name: 'Save' }).click();
      await expect(hooks.editor).toBeHidden();
      await expect(hooks.card(hookUrl)).toContainText('Off');
      await expect(hooks.card(hookUrl)).toContainText('Jobs to This computer (built-in receiver) · completed, failed · signed');
      // What the engine kept, after a reload: the edit, the secret still set, and never sent back.
      await page.reload();
      await hooks.open();
      await expect(hooks.card(hookUrl)).toContainText('completed, failed');
      const [stored] = await ferry.call<Record<string, unknown>[]>('listWebhooks');
      expect(stored).toMatchObject({ url: hookUrl, enabled: false, hasSecret: true, events: ['job.completed', 'job.failed'] });
      expect(JSON.stringify(stored)).not.toContain(secret);

      // A URL that is not http(s) is refused in the form, before the engine is asked.
      await page.getByRole('button', { name: 'Add webhook' }).first().click();
      await hooks.editor.getByLabel('URL').fill('ftp://example.org/x');
      await hooks.editor.getByRole('button', { name: 'Add webhook' }).click();
      await expect(hooks.editor.getByRole('alert').first()).toContainText('http');
      await hooks.editor.getByRole('button', { name: 'Cancel' }).click();

      await hooks.remove(hookUrl);
      await expect(hooks.empty).toBeVisible();
      expect(await ferry.call<unknown[]>('listWebhooks')).toEqual([]);
    } finally {
      await receiver.close();
    }
  });

  test('"Send test" delivers one signed test event and shows the answer in plain words', async ({ page, ferry }) => {
    const secret = 'lab-secret-0123456789abcdef';
    // The first test is taken, the second refused, as a receiver being set up would.
    const receiver = await startWebhookReceiver(secret, (n) => (n === 0 ? { status: 200 } : { status: 401, body: 'bad signature' }));
    const good = receiver.url('/ferry');
    try {
      const hooks = new WebhooksPage(page);
      await hooks.shell.open(ferry.url);
      await hooks.open();
      await hooks.add(good, { secret, events: ['job.completed'] });

      const passed = await hooks.sendTest(good);
      await expect(passed).toHaveAttribute('data-status', 'ok');
      await expect(passed).toContainText(/Delivered\s*The receiver answered 200 OK in \d+ ms\./);
      expect(receiver.received).toHaveLength(1);
      expect(receiver.received[0]!.verified).toBe(true);
      expect(receiver.received[0]!.headers['ferry-event']).toBe('test');

      const refused = await hooks.sendTest(good);
      await expect(refused).toHaveAttribute('data-status', 'failed');
      await expect(refused).toContainText(/Not delivered\s*The receiver answered 401 Unauthorized in \d+ ms: “bad signature”\./);
      await shootBothThemes(page, 'webhook-send-test');

      // A receiver that is not running: said as such, not as "fetch failed".
      await receiver.close();
      const nobody = await hooks.sendTest(good);
      await expect(nobody).toContainText(`Nothing is listening at 127.0.0.1:${receiver.port}: the connection was refused.`);
    } finally {
      await receiver.close().catch(() => undefined);
    }
  });
});
