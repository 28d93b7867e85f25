/**
 * The new-upload sheet: what is being uploaded (local paths, or files a browser dropped, which are
 * kept outside the store), what it amounts to, the form, and staging progress for web drops.
 */
import type { StateCreator } from 'zustand';
import { datasetMetadata } from '../../../shared/destinations';
import type { DatasetMetadata } from '../../../shared/destinations';
import type { UploadPlan } from '../../../shared/contract';
import type { UploadPreview } from '../../../shared/files';
import type { Priority } from '../../../shared/model';
import type { FerryState } from './store';

export type UploadSource = { kind: 'paths'; paths: string[] } | { kind: 'files'; topLevel: string[] };

/** Follow-up steps once the upload completes (a pipeline), as the sheet asks for them. */
export interface AfterUpload {
  verify: boolean;
  /** Program of a command step; empty: none. */
  program: string;
  /** Its arguments, one per line; `{path}`, `{name}`, `{meta.<field>}` are filled in. */
  args: string;
  /** The first follow-up step waits in `awaiting_approval` until someone approves it. */
  approval: boolean;
  /** Nobody decided in time: wait on, or let the gate reject or approve by itself. */
  onTimeout: 'wait' | 'reject' | 'approve';
  /** Hours before the timeout rule decides (text as typed). */
  timeoutHours: string;
}

export interface UploadForm {
  name: string;
  destinationId: string;
  priority: Priority;
  metadata: DatasetMetadata;
  after: AfterUpload;
  /** Send only what differs from what the destination holds of the dataset. */
  incremental: boolean;
  /** With `incremental`: delete at the destination the files gone from the source. */
  deleteRemoved: boolean;
}

/** What the destination holds of the dataset compared with the files (local paths only). */
export interface UploadPlanState {
  status: 'idle' | 'loading' | 'ready' | 'error';
  plan: UploadPlan | null;
  error: string | null;
  /** The destination and name the plan was made for. */
  key: string;
}

export interface StagingProgress {
  sentBytes: number;
  totalBytes: number;
  doneFiles: number;
  totalFiles: number;
  current: string | null;
}

export interface UploadState {
  open: boolean;
  step: 'source' | 'details';
  source: UploadSource | null;
  preview: UploadPreview | null;
  previewStatus: 'idle' | 'loading' | 'ready' | 'error';
  previewError: string | null;
  form: UploadForm;
  submitting: boolean;
  staging: StagingProgress | null;
  error: string | null;
  plan: UploadPlanState;
}

export interface UploadSlice {
  upload: UploadState;
  openUpload(step: 'source' | 'details', source: UploadSource | null): void;
  closeUpload(): void;
  setUploadPreview(preview: UploadPreview | null, status: UploadState['previewStatus'], error?: string | null): void;
  patchUploadForm(patch: Partial<UploadForm>): void;
  patchUploadMetadata(patch: Partial<DatasetMetadata>): void;
  setUploadSubmitting(submitting: boolean, error?: string | null): void;
  setStaging(staging: StagingProgress | null): void;
  setUploadPlan(plan: UploadPlanState): void;
}

export const emptyUploadForm = (): UploadForm => ({
  name: '',
  destinationId: '',
  priority: 'normal',
  metadata: datasetMetadata.parse({}),
  after: { verify: false, program: '', args: '', approval: false, onTimeout: 'wait', timeoutHours: '24' },
  incremental: false,
  deleteRemoved: false,
});

const closed = (): UploadState => ({
  open: false,
  step: 'source',
  source: null,
  preview: null,
  previewStatus: 'idle',
  previewError: null,
  form: emptyUploadForm(),
  submitting: false,
  staging: null,
  error: null,
  plan: { status: 'idle', plan: null, error: null, key: '' },
});

export const createUploadSlice: StateCreator<FerryState, [], [], UploadSlice> = (set) => ({
  upload: closed(),
  openUpload: (step, source) =>
    set((s) => ({
      upload: { ...closed(), open: true, step, source, previewStatus: source ? 'loading' : 'idle', form: { ...emptyUploadForm(), destinationId: s.upload.form.destinationId } },
    })),
  closeUpload: () => set({ upload: closed() }),
  setUploadPreview: (preview, previewStatus, previewError = null) =>
    set((s) => ({
      upload: {
        ...s.upload,
        preview,
        previewStatus,
        previewError,
        form: preview && !s.upload.form.name ? { ...s.upload.form, name: preview.suggestedName } : s.upload.form,
      },
    })),
  patchUploadForm: (patch) => set((s) => ({ upload: { ...s.upload, form: { ...s.upload.form, ...patch } } })),
  patchUploadMetadata: (patch) => set((s) => ({ upload: { ...s.upload, form: { ...s.upload.form, metadata: { ...s.upload.form.metadata, ...patch } } } })),
  setUploadSubmitting: (submitting, error = null) => set((s) => ({ upload: { ...s.upload, submitting, error } })),
  setStaging: (staging) => set((s) => ({ upload: { ...s.upload, staging } })),
  setUploadPlan: (plan) =>
    set((s) => ({
      upload: {
        ...s.upload,
        plan,
        // A dataset the destination already holds is sent incrementally unless the user says otherwise.
        form:
          plan.status === 'ready' && plan.key !== s.upload.plan.key
            ? { ...s.upload.form, incremental: plan.plan?.found === true && plan.plan.readable, deleteRemoved: false }
            : s.upload.form,
      },
    })),
});
