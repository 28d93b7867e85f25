/**
 * A dataset's files, a page at a time (listJobItems, polled every second while the job runs):
 * state, path (with where it landed, copyable), progress, size and SHA-256 (monospace, copyable).
 */
import type { ReactElement } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { JobItemView } from '../../../../shared/contract';
import { formatBytes, formatCount, progressFraction } from '../../../../shared/format';
import type { JobView } from '../../../../shared/model';
import { setItemsFilter, setItemsPage } from '../../store/actions/detail';
import { copyAndTell } from '../../store/actions/toasts';
import type { ItemStateFilter } from '../../store/detailSlice';
import { useFerryStore } from '../../store/store';
import { EmptyState } from '../common/EmptyState';
import { AlertIcon, ChevronRightIcon, CopyIcon, FileIcon } from '../common/icons';
import { ProgressBar } from '../common/ProgressBar';
import { StateBadge } from '../common/StateBadge';
import { LocationActions } from './Landing';
import { PathText } from '../common/PathText';
import './FilesTab.css';

const FILTERS: readonly ItemStateFilter[] = ['all', 'pending', 'uploading', 'done', 'failed'];

async function copyHash(item: JobItemView): Promise<void> {
  if (item.sha256) await copyAndTell(item.sha256, 'SHA-256 copied', item.relativePath);
}

function FileRow({ item, jobId, local, download }: { item: JobItemView; jobId: number; local: boolean; download: boolean }): ReactElement {
  const fraction = item.state === 'done' ? 1 : progressFraction(item.bytesDone, item.size);
  return (
    <tr className="file-row" data-testid="file-row" data-state={item.state}>
      <td className="file-cell-state">
        <StateBadge state={item.state} />
      </td>
      <td className="file-cell-path">
        <PathText path={item.relativePath} />
        {item.error ? (
          <span className="file-error" title={item.error}>
            {item.error}
          </span>
        ) : null}
        {/* A download says what its bytes were checked against (the manifest, the store's checksum, the ETag, or the size alone). */}
        {download && item.verified ? (
          <span className="file-check" data-testid="file-check">
            checked by {item.verified}
          </span>
        ) : null}
        {item.where ? (
          <span className="file-where" data-testid="file-where">
            {/* Right to left so that a long location loses its start, not the file's name. */}
            <code title={item.where}>
              <span dir="ltr">{item.where}</span>
            </code>
            <LocationActions jobId={jobId} seq={item.seq} where={item.where} what={item.relativePath} local={local} />
          </span>
        ) : null}
      </td>
      <td className="file-cell-progress">
        <ProgressBar fraction={fraction} state={item.state} label={`Progress of ${item.relativePath}`} />
      </td>
      <td className="file-cell-size">{formatBytes(item.size)}</td>
      <td className="file-cell-hash">
        {item.sha256 ? (
          <span className="file-hash">
            <code title={item.sha256} aria-label={`SHA-256 ${item.sha256}`}>
              {item.sha256}
            </code>
            <button type="button" className="btn btn-icon btn-ghost btn-tiny" aria-label={`Copy SHA-256 of ${item.relativePath}`} onClick={() => void copyHash(item)}>
              <CopyIcon />
            </button>
          </span>
        ) : (
          <span className="muted">—</span>
        )}
      </td>
    </tr>
  );
}

export function FilesTab({ job }: { job: JobView }): ReactElement {
  const items = useFerryStore(useShallow((s) => s.detail.items));
  const local = useFerryStore((s) => (s.detail.landing?.jobId === job.id ? (s.detail.landing.place?.local ?? false) : false));
  const mine = items.jobId === job.id;
  const shownTo = items.offset + items.items.length;
  const hasNext = items.matching < 0 ? items.items.length === items.limit : shownTo < items.matching;
  const range =
    items.items.length === 0
      ? '0 files'
      : `${formatCount(items.offset + 1)}–${formatCount(shownTo)} of ${items.matching >= 0 ? formatCount(items.matching) : `${formatCount(shownTo)}+`}`;
  return (
    <div className="files-tab" data-testid="files-tab">
      <div className="files-toolbar">
        <div className="filter-group" role="group" aria-label="File state">
          {FILTERS.map((f) => (
            <button key={f} type="button" className={`chip state-${f}`} aria-pressed={items.filter === f} onClick={() => setItemsFilter(f)}>
              {f === 'all' ? `All ${mine ? formatCount(items.total) : ''}` : f === 'uploading' && job.kind === 's3download' ? 'downloading' : f}
            </button>
          ))}
        </div>
        <div className="files-pager">
          <span className="muted" data-testid="files-range">
            {range}
          </span>
          <button type="button" className="btn btn-icon btn-ghost btn-tiny" aria-label="Previous page of files" disabled={items.offset === 0} onClick={() => setItemsPage(items.offset - items.limit)}>
            <ChevronRightIcon style={{ transform: 'scaleX(-1)' }} />
          </button>
          <button type="button" className="btn btn-icon btn-ghost btn-tiny" aria-label="Next page of files" disabled={!hasNext} onClick={() => setItemsPage(items.offset + items.limit)}>
            <ChevronRightIcon />
          </button>
        </div>
      </div>
      {!mine || (items.status === 'loading' && items.items.length === 0) ? (
        <EmptyState title="Loading files…" />
      ) : items.status === 'error' && items.items.length === 0 ? (
        <EmptyState glyph={<AlertIcon />} title="Could not list the files" hint={items.error ?? undefined} />
      ) : items.items.length === 0 ? (
        <EmptyState glyph={<FileIcon />} title={items.filter === 'all' ? 'No files yet' : `No ${items.filter} files`} hint={items.filter === 'all' ? 'The dataset is still being scanned.' : undefined} />
      ) : (
        <div className="files-scroll">
          <table className="files-table" aria-label={`Files of job ${job.id}`}>
            <thead>
              <tr>
                <th scope="col">State</th>
                <th scope="col">Path</th>
                <th scope="col">Progress</th>
                <th scope="col" className="file-cell-size">
                  Size
                </th>
                <th scope="col">SHA-256</th>
              </tr>
            </thead>
            <tbody>
              {items.items.map((item) => (
                <FileRow key={item.seq} item={item} jobId={job.id} local={local} download={job.kind === 's3download'} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
