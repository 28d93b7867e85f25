/**
 * New uploads. Sources: local paths (desktop drop, the OS dialog, Browse) that the engine previews
 * and reads itself, or files a browser dropped, which are counted here, streamed to the web host's
 * staging area on submit, and then uploaded from there.
 */
import type { UploadPreview } from '../../../../shared/files';
import { stageFiles } from '../../lib/staging';
import { carriesFiles, collectDropped, collectInput, takeDropSources } from '../../lib/webDrop';
import type { DroppedSet } from '../../lib/webDrop';
import { naturalCompare } from '../../lib/naturalSort';
import type { PipelineStep } from '../../../../shared/automation';
import { ferry } from '../../transport';
import type { AfterUpload } from '../uploadSlice';
import { useFerryStore } from '../store';
import { showJob } from './selection';
import { asFerryError, describeError, showError, showToast } from './toasts';

const store = useFerryStore.getState;
const SAMPLE = 50;

/** Dropped File objects stay out of the store; the sheet shows their summary. */
let pendingFiles: DroppedSet | null = null;
let staging: AbortController | null = null;

function defaultDestinationId(): string {
  const list = store().destinations.list;
  return (list.find((d) => d.isDefault) ?? list[0])?.id ?? '';
}

/** Opens the sheet at its first step: drop here, choose files or folders, or browse. */
export function openNewUpload(): void {
  pendingFiles = null;
  store().openUpload('source', null);
  store().patchUploadForm({ destinationId: defaultDestinationId() });
}

export function closeNewUpload(): void {
  staging?.abort();
  staging = null;
  pendingFiles = null;
  store().closeUpload();
}

export const suggestName = (topLevel: string[]): string =>
  topLevel.length <= 1 ? (topLevel[0] ?? 'Dataset') : `${topLevel[0]} and ${topLevel.length - 1} more`;

/** Local paths: the engine counts them. */
export async function uploadPaths(paths: string[]): Promise<void> {
  if (paths.length === 0) return;
  pendingFiles = null;
  store().openUpload('details', { kind: 'paths', paths });
  store().patchUploadForm({ destinationId: defaultDestinationId() });
  try {
    const preview = await ferry.previewUpload({ paths });
    if (store().upload.source?.kind === 'paths') store().setUploadPreview(preview, 'ready');
  } catch (err) {
    store().setUploadPreview(null, 'error', describeError(err));
  }
}

/** Browser files: counted here, staged on submit. */
export function uploadFiles(set: DroppedSet): void {
  if (set.files.length === 0) {
    showToast('info', 'Nothing to upload', 'The dropped folders hold no files.');
    return;
  }
  pendingFiles = set;
  store().openUpload('details', { kind: 'files', topLevel: set.topLevel });
  store().patchUploadForm({ destinationId: defaultDestinationId() });
  const sorted = set.files.slice().sort((a, b) => naturalCompare(a.relativePath, b.relativePath));
  // One dropped folder is the dataset itself: its name is not repeated inside (as the engine does).
  const strip = set.topLevel.length === 1 && sorted.some((f) => f.relativePath.includes('/'));
  const preview: UploadPreview = {
    files: set.files.length,
    bytes: set.bytes,
    sample: sorted.slice(0, SAMPLE).map((f) => ({ relativePath: strip ? f.relativePath.slice(f.relativePath.indexOf('/') + 1) : f.relativePath, size: f.file.size })),
    skipped: [],
    suggestedName: suggestName(set.topLevel),
    truncated: false,
  };
  store().setUploadPreview(preview, 'ready');
}

/** A drop anywhere in the window. */
export function handleDrop(dt: DataTransfer): void {
  if (!carriesFiles(dt)) return;
  const caps = store().ui.capabilities;
  if (caps?.dropPaths && window.ferryDesktop) {
    const paths = Array.from(dt.files).map((file) => window.ferryDesktop?.pathForFile(file) ?? '').filter(Boolean);
    void uploadPaths(paths);
    return;
  }
  const sources = takeDropSources(dt);
  collectDropped(sources).then(uploadFiles, (err: unknown) => showError('Could not read the dropped files', err));
}

export function handleFileInput(list: FileList | null): void {
  if (list && list.length > 0) uploadFiles(collectInput(list));
}

/** The OS dialog (desktop). */
export async function pickPaths(kind: 'files' | 'folders'): Promise<void> {
  try {
    const paths = await ferry.pickPaths({ kind });
    if (paths.length > 0) await uploadPaths(paths);
  } catch (err) {
    showError('Could not open the file dialog', err);
  }
}

/** Why the dataset name cannot be used, or null. */
export function datasetNameProblem(name: string): string | null {
  const trimmed = name.trim();
  if (!trimmed) return 'Give the dataset a name.';
  if (trimmed.length > 200) return 'At most 200 characters.';
  if (/[/\\]/.test(trimmed) || trimmed === '.' || trimmed === '..') return 'A dataset name cannot contain slashes.';
  if (/[\u0000-\u001f\u007f]/.test(trimmed)) return 'A dataset name cannot contain a line break or tab.';
  return null;
}

/** Why the approval's timeout cannot be used, or null (hours, as the gate allows: up to 30 days). */
export function gateTimeoutProblem(after: AfterUpload): string | null {
  if (!after.approval || after.onTimeout === 'wait') return null;
  const hours = Number(after.timeoutHours);
  if (after.timeoutHours.trim() === '' || !Number.isFinite(hours)) return 'Enter a number of hours.';
  if (hours < 0.01 || hours > 720) return 'Between 0.01 and 720 hours.';
  return null;
}

/** The pipeline the "After the upload" section describes; the gate sits on the first step. */
export function followUps(after: AfterUpload): PipelineStep[] {
  const steps: PipelineStep[] = [];
  if (after.verify) steps.push({ kind: 'verify' });
  if (after.program.trim()) {
    steps.push({ kind: 'command', program: after.program.trim(), args: after.args.split('\n').filter((a) => a.length > 0) });
  }
  if (after.approval && steps[0]) {
    const decides = after.onTimeout !== 'wait' ? { timeoutMs: Math.round(Number(after.timeoutHours) * 3_600_000), onTimeout: after.onTimeout } : { onTimeout: 'reject' as const };
    steps[0] = { ...steps[0], gate: { prompt: 'Approve the follow-up of this upload?', ...decides } };
  }
  return steps;
}

export async function submitUpload(): Promise<void> {
  const { source, form, submitting } = store().upload;
  if (!source || submitting) return;
  const problem = datasetNameProblem(form.name) ?? gateTimeoutProblem(form.after);
  if (problem) {
    store().setUploadSubmitting(false, problem);
    return;
  }
  store().setUploadSubmitting(true);
  try {
    let paths: string[];
    if (source.kind === 'paths') paths = source.paths;
    else paths = await stageDropped();
    const job = await ferry.createUpload({
      paths,
      name: form.name.trim(),
      metadata: form.metadata,
      priority: form.priority,
      ...(form.destinationId ? { destinationId: form.destinationId } : {}),
      ...(followUps(form.after).length ? { then: followUps(form.after) } : {}),
      ...(form.incremental ? { incremental: true, ...(form.deleteRemoved ? { deleteRemoved: true } : {}) } : {}),
    });
    store().upsertJobs([job]);
    store().setView('jobs');
    showJob(job.id);
    pendingFiles = null;
    staging = null;
    store().closeUpload();
    showToast('success', 'Upload started', `${job.name} (job #${job.id})`);
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') return;
    const error = asFerryError(err);
    store().setUploadSubmitting(false, `${error.code}: ${error.message}`);
    store().setStaging(null);
  }
}

async function stageDropped(): Promise<string[]> {
  const set = pendingFiles;
  if (!set) throw new Error('the dropped files are gone; drop them again');
  const area = await ferry.beginStaging({});
  const controller = new AbortController();
  staging = controller;
  store().setStaging({ sentBytes: 0, totalBytes: set.bytes, doneFiles: 0, totalFiles: set.files.length, current: null });
  await stageFiles(
    set.files,
    area.uploadUrl,
    (report) => store().setStaging({ ...report, totalBytes: set.bytes, totalFiles: set.files.length }),
    controller.signal,
  );
  return set.topLevel.map((name) => `${area.path}/${name}`);
}
