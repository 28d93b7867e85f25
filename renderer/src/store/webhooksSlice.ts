/** Webhooks: the configured list and the editor's target. Secrets never reach the renderer. */
import type { StateCreator } from 'zustand';
import type { WebhookView } from '../../../shared/automation';
import type { FerryState } from './store';

/** `new` opens an empty editor; an id edits that webhook. */
export type WebhookEditorTarget = { mode: 'new' } | { mode: 'edit'; id: string };

export interface WebhooksState {
  list: WebhookView[];
  status: 'loading' | 'ready' | 'error';
  error: string | null;
  editor: WebhookEditorTarget | null;
}

export interface WebhooksSlice {
  webhooks: WebhooksState;
  applyWebhooks(list: WebhookView[]): void;
  failWebhooks(message: string): void;
  setWebhookEditor(target: WebhookEditorTarget | null): void;
}

export const createWebhooksSlice: StateCreator<FerryState, [], [], WebhooksSlice> = (set) => ({
  webhooks: { list: [], status: 'loading', error: null, editor: null },
  applyWebhooks: (list) => set((s) => ({ webhooks: { ...s.webhooks, list, status: 'ready', error: null } })),
  failWebhooks: (error) => set((s) => ({ webhooks: { ...s.webhooks, status: s.webhooks.list.length ? 'ready' : 'error', error } })),
  setWebhookEditor: (editor) => set((s) => ({ webhooks: { ...s.webhooks, editor } })),
});
