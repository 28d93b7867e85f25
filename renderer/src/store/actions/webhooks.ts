/** Webhooks: list, save (create or edit), delete; the secret goes in and never comes back. */
import type { z } from 'zod';
import type { WebhookTestResult, WebhookView, webhookInput } from '../../../../shared/automation';
import { ferry } from '../../transport';
import { useFerryStore } from '../store';
import type { WebhookEditorTarget } from '../webhooksSlice';
import { confirmAction } from './dialogs';
import { fieldErrors } from '../../lib/fieldErrors';
import { asFerryError, describeError, showError, showToast } from './toasts';

export type WebhookInput = z.input<typeof webhookInput>;

const store = useFerryStore.getState;

export async function loadWebhooks(): Promise<void> {
  try {
    store().applyWebhooks(await ferry.listWebhooks({}));
  } catch (err) {
    store().failWebhooks(describeError(err));
  }
}

export const openWebhookEditor = (target: WebhookEditorTarget): void => store().setWebhookEditor(target);
export const closeWebhookEditor = (): void => store().setWebhookEditor(null);

/** Saves and closes the editor; answers field errors (by input path) when the engine refused the input. */
export async function saveWebhook(input: WebhookInput): Promise<{ saved: WebhookView | null; errors: Record<string, string> }> {
  try {
    const saved = await ferry.saveWebhook(input);
    closeWebhookEditor();
    await loadWebhooks();
    showToast('success', input.id ? 'Webhook saved' : 'Webhook added', saved.url);
    return { saved, errors: {} };
  } catch (err) {
    const error = asFerryError(err);
    const errors = error.code === 'INVALID_INPUT' ? fieldErrors(error.details) : {};
    if (Object.keys(errors).length === 0) showError('Could not save the webhook', error);
    return { saved: null, errors };
  }
}

export async function deleteWebhook(hook: WebhookView): Promise<void> {
  const ok = await confirmAction({
    title: 'Delete this webhook?',
    message: `Ferry stops calling ${hook.url} and forgets its secret. Deliveries still waiting are dropped.`,
    confirmLabel: 'Delete webhook',
    danger: true,
  });
  if (!ok) return;
  try {
    await ferry.deleteWebhook({ id: hook.id });
    await loadWebhooks();
    showToast('success', 'Webhook deleted', hook.url);
  } catch (err) {
    showError('Could not delete the webhook', err);
  }
}

/** A random signing secret (32 bytes, hex). */
export { randomSecret as generateSecret } from '../../lib/randomSecret';

/** Sends one signed test delivery and answers what the receiver said (null when Ferry could not try). */
export async function sendWebhookTest(hook: WebhookView): Promise<WebhookTestResult | null> {
  try {
    return await ferry.testWebhook({ id: hook.id });
  } catch (err) {
    showError('Could not send a test delivery', err);
    return null;
  }
}
