/** The detail panel's own choices: its tab and the page and filter of the files list. */
import type { DetailTab, ItemStateFilter } from '../detailSlice';
import { useFerryStore } from '../store';

const store = useFerryStore.getState;

export const setDetailTab = (tab: DetailTab): void => store().setDetailTab(tab);

export function setItemsPage(offset: number): void {
  const { items } = store().detail;
  store().setItemsQuery(items.jobId, Math.max(0, offset), items.filter);
}

export function setItemsFilter(filter: ItemStateFilter): void {
  const { items } = store().detail;
  store().setItemsQuery(items.jobId, 0, filter);
}

/** The Files tab of a job, showing only the files that failed (with their reasons). */
export function showFailedFiles(jobId: number): void {
  store().setItemsQuery(jobId, 0, 'failed');
  store().setDetailTab('files');
}
