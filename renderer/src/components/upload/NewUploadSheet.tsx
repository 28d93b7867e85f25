/**
 * The new-upload sheet. First what to upload (drop, choose, or browse), then what it amounts to,
 * where it goes and the dataset's metadata; submitting creates the job (after staging the files
 * of a browser drop) and shows it.
 */
import type { ReactElement } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { formatBytes, formatCount, formatPercent } from '../../../../shared/format';
import { closeNewUpload, submitUpload } from '../../store/actions/upload';
import { useFerryStore } from '../../store/store';
import { Modal } from '../common/Modal';
import { UploadForm } from './UploadForm';
import { UploadSourceStep } from './UploadSourceStep';
import { UploadPlanPanel } from './UploadPlanPanel';
import { UploadSummary } from './UploadSummary';
import './NewUploadSheet.css';

function StagingBar(): ReactElement | null {
  const staging = useFerryStore((s) => s.upload.staging);
  if (!staging) return null;
  const fraction = staging.totalBytes > 0 ? staging.sentBytes / staging.totalBytes : staging.doneFiles / Math.max(1, staging.totalFiles);
  return (
    <div className="staging" data-testid="staging-progress" role="status" aria-label="Sending files to Ferry">
      <div className="staging-row">
        <span>
          Sending files to Ferry… {formatCount(staging.doneFiles)} of {formatCount(staging.totalFiles)} files
        </span>
        <span className="muted">
          {formatBytes(staging.sentBytes)} of {formatBytes(staging.totalBytes)} · {formatPercent(fraction)}
        </span>
      </div>
      <div className="progress-track staging-track" role="progressbar" aria-label="Staging progress" aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.floor(fraction * 100)}>
        <div className="progress-fill" style={{ transform: `scaleX(${fraction})` }} />
      </div>
      {staging.current ? <div className="staging-current">{staging.current}</div> : null}
    </div>
  );
}

export function NewUploadSheet(): ReactElement | null {
  const { open, step, submitting, previewStatus, files, error, toSend } = useFerryStore(
    useShallow((s) => ({
      open: s.upload.open,
      step: s.upload.step,
      submitting: s.upload.submitting,
      previewStatus: s.upload.previewStatus,
      files: s.upload.preview?.files ?? 0,
      error: s.upload.error,
      // An incremental send names the files it sends: the new and changed ones.
      toSend: s.upload.form.incremental && s.upload.plan.plan ? s.upload.plan.plan.counts.new + s.upload.plan.plan.counts.changed : null,
    })),
  );
  if (!open) return null;
  if (step === 'source') {
    return (
      <Modal title="New upload" subtitle="Choose what to upload. You can also drop files anywhere in the window." onClose={closeNewUpload} testId="new-upload-sheet">
        <UploadSourceStep />
      </Modal>
    );
  }
  return (
    <Modal
      title="New upload"
      subtitle="Check what will be sent, pick where it goes and describe the dataset."
      onClose={closeNewUpload}
      size="large"
      testId="new-upload-sheet"
      locked={false}
      footer={
        <>
          {error ? (
            <span className="modal-footer-note upload-error" role="alert" data-testid="upload-error">
              {error}
            </span>
          ) : (
            <span className="modal-footer-note">{submitting ? 'Starting the upload…' : 'Files are verified with SHA-256 as they are sent.'}</span>
          )}
          <button type="button" className="btn" onClick={closeNewUpload}>
            Cancel
          </button>
          <button
            type="submit"
            form="upload-form"
            className="btn btn-primary"
            disabled={submitting || previewStatus !== 'ready' || files === 0}
            onClick={(event) => {
              event.preventDefault();
              void submitUpload();
            }}
          >
            {submitting
              ? 'Uploading…'
              : toSend === null
                ? `Upload ${formatCount(files)} ${files === 1 ? 'file' : 'files'}`
                : toSend === 0
                  ? 'Update the manifest'
                  : `Send ${formatCount(toSend)} new or changed ${toSend === 1 ? 'file' : 'files'}`}
          </button>
        </>
      }
    >
      <UploadSummary />
      <UploadPlanPanel />
      <StagingBar />
      <UploadForm />
    </Modal>
  );
}
