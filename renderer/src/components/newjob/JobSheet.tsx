/** The frame of a "new job" sheet (title, form, Cancel and Start), and the download sheets' source switch. */
import type { ReactElement, ReactNode } from 'react';
import { closeNewJob, openNewJob } from '../../store/actions/newJobs';
import { Modal } from '../common/Modal';

/** Where a download comes from: one URL, or a prefix of a saved S3 destination. */
export function DownloadSource({ current }: { current: 'url' | 's3' }): ReactElement {
  return (
    <div className="field">
      <span className="field-label" id="download-source-label">
        Download from
      </span>
      <div className="segmented" role="radiogroup" aria-labelledby="download-source-label" data-testid="download-source">
        <button type="button" role="radio" aria-checked={current === 'url'} onClick={() => current !== 'url' && openNewJob('download')}>
          A URL
        </button>
        <button type="button" role="radio" aria-checked={current === 's3'} onClick={() => current !== 's3' && openNewJob('s3download')}>
          An S3 bucket
        </button>
      </div>
    </div>
  );
}

export function Sheet({ title, subtitle, busy, onStart, testId, children }: { title: string; subtitle: string; busy: boolean; onStart(): Promise<void>; testId: string; children: ReactNode }): ReactElement {
  return (
    <Modal
      title={title}
      subtitle={subtitle}
      onClose={closeNewJob}
      testId={testId}
      footer={
        <>
          <button type="button" className="btn" onClick={closeNewJob}>
            Cancel
          </button>
          <button type="button" className="btn btn-primary" onClick={() => void onStart()} disabled={busy}>
            {busy ? 'Starting…' : 'Start'}
          </button>
        </>
      }
    >
      <form
        className="newjob-form"
        onSubmit={(e) => {
          e.preventDefault();
          void onStart();
        }}
      >
        {children}
        <button type="submit" hidden />
      </form>
    </Modal>
  );
}

