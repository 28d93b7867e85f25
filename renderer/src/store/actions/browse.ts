/**
 * The file browser: places, opening folders, selection, and folder sizes counted a few at a time
 * for the folders in view (summarizeFolder walks the whole tree, so never all at once).
 */
import { ferry } from '../../transport';
import { useFerryStore } from '../store';
import { describeError } from './toasts';

const store = useFerryStore.getState;
/** Folder summaries counted at once. */
const SUMMARY_PARALLEL = 2;

let listingSeq = 0;
const wanted: string[] = [];
let running = 0;

export async function loadPlaces(): Promise<void> {
  try {
    const places = await ferry.listPlaces({});
    store().setPlaces(places);
    if (store().browse.path === null && places[0]) void openFolder(places[0].path);
  } catch (err) {
    store().failListing(store().browse.path ?? '', describeError(err));
  }
}

export async function openFolder(path: string): Promise<void> {
  const seq = ++listingSeq;
  store().beginListing(path);
  wanted.length = 0;
  try {
    const listing = await ferry.listDirectory({ path, showHidden: store().browse.showHidden });
    if (seq === listingSeq) store().applyListing(listing);
  } catch (err) {
    if (seq === listingSeq) store().failListing(path, describeError(err));
  }
}

export function reloadFolder(): void {
  const path = store().browse.listing?.path ?? store().browse.path;
  if (path) void openFolder(path);
}

export function setShowHidden(show: boolean): void {
  store().setShowHidden(show);
  reloadFolder();
}

export function selectBrowseEntries(paths: string[], anchor: string | null): void {
  store().setBrowseSelection(paths, anchor);
}

/** Asks for the sizes of these folders (the ones on screen), newest requests first. */
export function summarizeVisible(paths: string[]): void {
  const summaries = store().browse.summaries;
  for (const path of paths) {
    if (summaries[path] || wanted.includes(path)) continue;
    wanted.push(path);
  }
  pump();
}

function pump(): void {
  while (running < SUMMARY_PARALLEL && wanted.length > 0) {
    const path = wanted.shift() as string;
    if (store().browse.summaries[path]) continue;
    running += 1;
    store().setSummary(path, { status: 'pending' });
    ferry
      .summarizeFolder({ path })
      .then((summary) => store().setSummary(path, { status: 'ready', summary }))
      .catch(() => store().setSummary(path, { status: 'error' }))
      .finally(() => {
        running -= 1;
        pump();
      });
  }
}
