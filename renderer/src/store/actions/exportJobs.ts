/**
 * Export of the jobs the table shows (its filters, search and sort) as CSV or JSON: on the desktop
 * to a place the user picks in the save dialog, in a browser as a download.
 */
import { HTTP_ROUTES } from '../../../../shared/wire';
import { plural } from '../../../../shared/plural';
import { downloadFromHost } from '../../lib/download';
import { listInput } from '../../lib/jobQuery';
import { ferry } from '../../transport';
import { useFerryStore } from '../store';
import { showError, showToast } from './toasts';

const baseName = (path: string): string => path.split(/[\\/]/).pop() ?? path;

export async function exportJobList(format: 'csv' | 'json'): Promise<void> {
  const s = useFerryStore.getState();
  const filters = listInput(s.jobs.view.query, s.jobs.view.sort);
  try {
    if (s.ui.capabilities?.saveDialog) {
      const stamp = new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);
      const { path } = await ferry.pickSavePath({ name: `jobs-${stamp}.${format}`, kind: format });
      if (!path) return;
      const result = await ferry.exportJobs({ format, path, ...filters });
      showToast('success', `Exported ${result.count} ${plural(result.count, 'job')}`, result.path);
      return;
    }
    const result = await ferry.exportJobs({ format, ...filters });
    const name = baseName(result.path);
    await downloadFromHost(HTTP_ROUTES.exportFile(name), name);
    showToast('success', `Exported ${result.count} ${plural(result.count, 'job')}`, `${name} is in your downloads.`);
  } catch (err) {
    showError('Could not export the jobs', err);
  }
}
