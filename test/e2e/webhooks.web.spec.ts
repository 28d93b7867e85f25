import { createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, test } from './fixtures';
import { WebhooksPage } from './pages/webhooksPage';

interface Delivery {
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** A real HTTP receiver on 127.0.0.1 that keeps every delivery's raw bytes. */
async function startReceiver(): Promise<{ url: string; deliveries: Delivery[]; close(): Promise<void> }> {
  const deliveries: Delivery[] = [];
  const server = http.createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => {
      deliveries.push({ headers: req.headers, body: Buffer.concat(parts) });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/hook`, deliveries, close: () => new Promise((r) => server.close(() => r())) };
}

test.describe('webhooks', () => {
  test('add a webhook, see a signed delivery when a job completes, edit it, delete it', async ({ page, ferry }) => {
    const receiver = await startReceiver();
    try {
      const hooks = new WebhooksPage(page);
      await hooks.shell.open(ferry.url);
      await hooks.open();
      await expect(hooks.empty).toContainText('Ferry-Signature');

      const secret = 'lab-secret-0123456789abcdef';
      await hooks.add(receiver.url, { secret, events: ['job.completed'] });
      await expect(hooks.card(receiver.url)).toContainText('Every job');
      await expect(hooks.card(receiver.url)).toContainText('completed');
      await expect(hooks.card(receiver.url)).not.toContainText('failed');

      await ferry.call('createDemoJob', { name: 'hooked', items: 3, failRate: 0, itemDelayMs: 5 });
      await expect.poll(() => receiver.deliveries.length, { timeout: 20_000 }).toBeGreaterThan(0);
      const [delivery] = receiver.deliveries;
      const timestamp = String(delivery!.headers['ferry-timestamp']);
      const expected = 'sha256=' + createHmac('sha256', secret).update(`${timestamp}.`).update(delivery!.body).digest('hex');
      expect(delivery!.headers['ferry-signature']).toBe(expected);
      const payload = JSON.parse(delivery!.body.toString('utf8')) as { event: string };
      expect(payload.event).toBe('job.completed');

      // Editing: the secret stays write-only, the webhook can be switched off.
      await hooks.edit(receiver.url);
      await expect(hooks.editor.getByTestId('webhook-secret-set')).toBeVisible();
      await expect(hooks.editor.getByLabel('Signing secret')).toHaveCount(0);
      await expect(hooks.editor.getByRole('checkbox', { name: /job\.completed/ })).toBeChecked();
      await hooks.editor.getByRole('checkbox', { name: /job\.failed/ }).check();
      await hooks.editor.getByLabel('Jobs', { exact: true }).selectOption({ label: 'Jobs to This computer (built-in receiver)' });
      await hooks.editor.getByLabel('Enabled').uncheck();
      await hooks.editor.getByRole('button', { name: 'Save' }).click();
      await expect(hooks.editor).toBeHidden();
      await expect(hooks.card(receiver.url)).toContainText('Off');
      await expect(hooks.card(receiver.url)).toContainText('Jobs to This computer (built-in receiver) · completed, failed · signed');
      // What the engine kept, after a reload: the edit, the secret still set, and never sent back.
      await page.reload();
      await hooks.open();
      await expect(hooks.card(receiver.url)).toContainText('completed, failed');
      const [stored] = await ferry.call<Record<string, unknown>[]>('listWebhooks');
      expect(stored).toMatchObject({ url: receiver.url, enabled: false, hasSecret: true, events: ['job.completed', 'job.failed'] });
      expect(JSON.stringify(stored)).not.toContain(secret);

      // A URL that is not http(s) is refused in the form, before the engine is asked.
      await page.getByRole('button', { name: 'Add webhook' }).first().click();
      await hooks.editor.getByLabel('URL').fill('ftp://example.org/x');
      await hooks.editor.getByRole('button', { name: 'Add webhook' }).click();
      await expect(hooks.editor.getByRole('alert').first()).toContainText('http');
      await hooks.editor.getByRole('button', { name: 'Cancel' }).click();

      await hooks.remove(receiver.url);
      await expect(hooks.empty).toBeVisible();
      expect(await ferry.call<unknown[]>('listWebhooks')).toEqual([]);
    } finally {
      await receiver.close();
    }
  });
});
