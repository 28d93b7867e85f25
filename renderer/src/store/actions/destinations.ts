/** Destinations: list, save (create or edit), test, make default, delete. */
import type { DestinationInput, DestinationView } from '../../../../shared/destinations';
import { ferry } from '../../transport';
import type { EditorTarget } from '../destinationsSlice';
import { useFerryStore } from '../store';
import { confirmAction } from './dialogs';
import { fieldErrors } from '../../lib/fieldErrors';
import { asFerryError, describeError, showError, showToast } from './toasts';

const store = useFerryStore.getState;

export async function loadDestinations(): Promise<void> {
  try {
    store().applyDestinations(await ferry.listDestinations({}));
  } catch (err) {
    store().failDestinations(describeError(err));
  }
}

export const openDestinationEditor = (target: EditorTarget): void => store().setDestinationEditor(target);
export const closeDestinationEditor = (): void => store().setDestinationEditor(null);

/** Saves; answers field errors (by config path) when the engine refused the input, else null. */
export async function saveDestination(input: DestinationInput): Promise<{ saved: DestinationView | null; errors: Record<string, string> }> {
  try {
    const saved = await ferry.saveDestination(input);
    await loadDestinations();
    showToast('success', input.id ? 'Destination saved' : 'Destination added', saved.name);
    return { saved, errors: {} };
  } catch (err) {
    const error = asFerryError(err);
    const errors = error.code === 'INVALID_INPUT' ? fieldErrors(error.details) : {};
    if (Object.keys(errors).length === 0) showError('Could not save the destination', error);
    return { saved: null, errors };
  }
}

export async function testDestination(id: string): Promise<void> {
  store().setDestinationTest(id, { status: 'testing' });
  try {
    const result = await ferry.testDestination({ id });
    store().setDestinationTest(id, { status: 'done', result, at: Date.now() });
  } catch (err) {
    const error = asFerryError(err);
    store().setDestinationTest(id, { status: 'error', message: error.message, code: error.code });
  }
}

export async function setDefaultDestination(id: string): Promise<void> {
  try {
    const view = await ferry.setDefaultDestination({ id });
    await loadDestinations();
    showToast('success', 'Default destination', `New uploads go to ${view.name}.`);
  } catch (err) {
    showError('Could not change the default destination', err);
  }
}

export async function deleteDestination(destination: DestinationView): Promise<void> {
  const ok = await confirmAction({
    title: `Delete “${destination.name}”?`,
    message: `Ferry forgets this destination${destination.hasSecret ? ' and its stored secret' : ''}. Files already uploaded stay where they are.`,
    confirmLabel: 'Delete destination',
    danger: true,
  });
  if (!ok) return;
  try {
    await ferry.deleteDestination({ id: destination.id });
    store().setDestinationTest(destination.id, null);
    await loadDestinations();
    showToast('success', 'Destination deleted', destination.name);
  } catch (err) {
    showError(`Could not delete ${destination.name}`, err);
  }
}
