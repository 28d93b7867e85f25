/**
 * Export of the jobs the table shows (its filters, search and sort) as CSV or JSON: on the desktop
 * to a place the user picks in the save dialog, in a browser as a download.
 */
import { REST_PREFIX, REST_STREAMS, restQuery } from '../../../../shared/restApi';
import { plural } from '../../../../shared/plural';
import { downloadFromHost } from '../../lib/download';
import { listInput } from '../../lib/jobQuery';
import { ferry } from '../../transport';
import { useFerryStore } from '../store';
import { showError, showToast } from './toasts';

export async function exportJobList(format: 'csv' | 'json'): Promise<void> {
  const s = useFerryStore.getState();
  const filters = listInput(s.jobs.view.query, s.jobs.view.sort);
  const name = `jobs-${new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19)}.${format}`;
  try {
    if (s.ui.capabilities?.saveDialog) {
      const { path } = await ferry.pickSavePath({ name, kind: format });
      if (!path) return;
      const result = await ferry.exportJobs({ format, path, ...filters });
      showToast('success', `Exported ${result.count} ${plural(result.count, 'job')}`, result.path);
      return;
    }
    // In a browser the download is the export: the API streams it, and nothing stays on the engine's disk.
    const headers = await downloadFromHost(`${REST_PREFIX}${REST_STREAMS.export}?${restQuery({ format, ...filters })}`, name);
    const count = Number(headers.get('X-Ferry-Count'));
    showToast('success', `Exported ${count} ${plural(count, 'job')}`, `${name} is in your downloads.`);
  } catch (err) {
    showError('Could not export the jobs', err);
  }
}
