/** What the upload amounts to: files, bytes, what was skipped, and the first files. */
import type { ReactElement } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { formatBytes, formatCount } from '../../../../shared/format';
import { useFerryStore } from '../../store/store';
import { AlertIcon, FileIcon } from '../common/icons';

export function UploadSummary(): ReactElement {
  const { preview, status, error, source } = useFerryStore(
    useShallow((s) => ({ preview: s.upload.preview, status: s.upload.previewStatus, error: s.upload.previewError, source: s.upload.source })),
  );
  if (status === 'loading') {
    return (
      <div className="upload-summary" aria-busy="true">
        <div className="upload-summary-figures">
          <span className="muted">Counting files…</span>
        </div>
      </div>
    );
  }
  if (status === 'error' || !preview) {
    return (
      <div className="upload-summary upload-summary-error" role="alert">
        <AlertIcon /> {error ?? 'Could not count the files.'}
      </div>
    );
  }
  const from = source?.kind === 'paths' ? source.paths : (source?.topLevel ?? []);
  return (
    <div className="upload-summary" data-testid="upload-summary">
      <div className="upload-summary-figures">
        <div className="upload-figure">
          <span className="upload-figure-value" data-testid="upload-file-count">
            {formatCount(preview.files)}
            {preview.truncated ? '+' : ''}
          </span>
          <span className="upload-figure-label">{preview.files === 1 ? 'file' : 'files'}</span>
        </div>
        <div className="upload-figure">
          <span className="upload-figure-value" data-testid="upload-total-size">
            {formatBytes(preview.bytes)}
          </span>
          <span className="upload-figure-label">in total</span>
        </div>
        <div className="upload-from" title={from.join('\n')}>
          <span className="upload-figure-label">From</span>
          <span className="upload-from-list">{from.length === 1 ? from[0] : `${from[0] ?? ''} and ${formatCount(from.length - 1)} more`}</span>
        </div>
      </div>
      {preview.skipped.length > 0 ? (
        <details className="upload-skipped">
          <summary>
            <AlertIcon /> {formatCount(preview.skipped.length)} skipped
          </summary>
          <ul>
            {preview.skipped.slice(0, 20).map((s) => (
              <li key={s.path}>
                <code>{s.path}</code> — {s.reason}
              </li>
            ))}
          </ul>
        </details>
      ) : null}
      {preview.sample.length > 0 ? (
        <ul className="upload-sample" aria-label="Files to upload">
          {preview.sample.map((f) => (
            <li key={f.relativePath}>
              <FileIcon />
              <span className="upload-sample-path">{f.relativePath}</span>
              <span className="upload-sample-size">{formatBytes(f.size)}</span>
            </li>
          ))}
          {preview.files > preview.sample.length ? <li className="upload-sample-more">and {formatCount(preview.files - preview.sample.length)} more</li> : null}
        </ul>
      ) : null}
    </div>
  );
}
