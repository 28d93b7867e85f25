/**
 * The plan of the new-upload sheet: what the destination already holds of the dataset, asked of
 * the engine (planUpload) for local paths whenever the destination or the dataset name changes.
 * Files a browser dropped are only on the engine's side once staged, so they get no plan.
 */
import { ferry } from '../../transport';
import { useFerryStore } from '../store';
import { asFerryError } from './toasts';

const store = useFerryStore.getState;
/** Answers of older requests are dropped: only the latest question's plan is shown. */
let asked = 0;

/** The destination and name a plan answers for. */
export const planKey = (destinationId: string, name: string): string => `${destinationId}\n${name.trim()}`;

export async function refreshUploadPlan(): Promise<void> {
  const { source, form, previewStatus } = store().upload;
  const key = planKey(form.destinationId, form.name);
  if (source?.kind !== 'paths' || previewStatus !== 'ready' || !form.name.trim()) {
    store().setUploadPlan({ status: 'idle', plan: null, error: null, key: '' });
    return;
  }
  const mine = ++asked;
  store().setUploadPlan({ ...store().upload.plan, status: 'loading', error: null });
  try {
    const plan = await ferry.planUpload({ paths: source.paths, name: form.name.trim(), ...(form.destinationId ? { destinationId: form.destinationId } : {}) });
    if (mine === asked) store().setUploadPlan({ status: 'ready', plan, error: null, key });
  } catch (err) {
    const error = asFerryError(err);
    if (mine === asked) store().setUploadPlan({ status: 'error', plan: null, error: error.message, key });
  }
}
