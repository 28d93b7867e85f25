/** Webhooks: list, save (create or edit), delete; every call goes through the contract. */
import type { WebhookView } from '../../../../shared/automation';
import type { z } from 'zod';
import type { webhookInput } from '../../../../shared/automation';
import { confirmAction } from '../../store/actions/dialogs';
import { fieldErrors } from '../../store/actions/settings';
import { asFerryError, showError, showToast } from '../../store/actions/toasts';
import { ferry } from '../../transport';

export type WebhookInput = z.input<typeof webhookInput>;

/** Saves; answers field errors (by input path) when the engine refused the input. */
export async function saveWebhook(input: WebhookInput): Promise<{ saved: WebhookView | null; errors: Record<string, string> }> {
  try {
    const saved = await ferry.saveWebhook(input);
    showToast('success', input.id ? 'Webhook saved' : 'Webhook added', saved.url);
    return { saved, errors: {} };
  } catch (err) {
    const error = asFerryError(err);
    const errors = error.code === 'INVALID_INPUT' ? fieldErrors(error.details) : {};
    if (Object.keys(errors).length === 0) showError('Could not save the webhook', error);
    return { saved: null, errors };
  }
}

/** Asks first; resolves true when the webhook is gone. */
export async function deleteWebhook(hook: WebhookView): Promise<boolean> {
  const ok = await confirmAction({
    title: 'Delete this webhook?',
    message: `Ferry stops calling ${hook.url} and forgets its secret. Deliveries still waiting are dropped.`,
    confirmLabel: 'Delete webhook',
    danger: true,
  });
  if (!ok) return false;
  try {
    await ferry.deleteWebhook({ id: hook.id });
    showToast('success', 'Webhook deleted', hook.url);
    return true;
  } catch (err) {
    showError('Could not delete the webhook', err);
    return false;
  }
}

/** A random signing secret (32 bytes, hex) from the browser's CSPRNG. */
export function generateSecret(): string {
  const bytes = new Uint8Array(32);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
