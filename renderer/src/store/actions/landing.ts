/** Where an upload landed and what failed in it: copy a location, show it in the file manager, send the failed files again. */
import { plural } from '../../../../shared/plural';
import { ferry } from '../../transport';
import { useFerryStore } from '../store';
import { copyAndTell, showError, showToast } from './toasts';

const store = useFerryStore.getState;

export function copyLocation(where: string, what: string): Promise<void> {
  return copyAndTell(where, 'Location copied', what);
}

/** Shows the dataset (or, with `seq`, one of its files) where it landed, in the OS file manager (desktop). */
export async function revealLanded(id: number, seq?: number): Promise<void> {
  try {
    await ferry.revealPath({ id, what: 'destination', ...(seq === undefined ? {} : { seq }) });
  } catch (err) {
    showError('Could not show it in the file manager', err);
  }
}

/** A new attempt of a completed upload's failed files only. */
export async function resendFailedFiles(id: number): Promise<void> {
  const failed = store().jobs.byId[id]?.counts.failed ?? 0;
  try {
    store().upsertJobs([await ferry.resendFailed({ id })]);
    showToast('success', `Sending ${failed === 1 ? 'the failed file' : `${failed} failed ${plural(failed, 'file')}`} again`, `Job #${id}: the files that landed stay as they are.`);
  } catch (err) {
    showError(`Could not send the failed files of job ${id} again`, err);
  }
}
