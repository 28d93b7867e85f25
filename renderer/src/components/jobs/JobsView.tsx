/** The jobs screen: toolbar, filters, the table (or an empty state), and the active job's detail. */
import { useRef } from 'react';
import type { ReactElement } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { createDemoJob, loadJobView, setJobQuery } from '../../store/actions/jobs';
import { openNewUpload } from '../../store/actions/upload';
import { selectActiveId, selectJobQuery, selectViewStatus } from '../../store/selectors';
import { useFerryStore } from '../../store/store';
import { EmptyState, LoadFailed } from '../common/EmptyState';
import { SearchIcon, UploadIcon } from '../common/icons';
import { JobDetail } from '../detail/JobDetail';
import { BulkBar } from './BulkBar';
import { FilterChips } from './FilterChips';
import { JobsToolbar } from './JobsToolbar';
import { JobTable } from './JobTable';
import { SplitHandle } from './SplitHandle';
import './JobsView.css';

function TableOrEmpty(): ReactElement {
  const { status, loaded, error } = useFerryStore(useShallow(selectViewStatus));
  const query = useFerryStore(selectJobQuery);
  const filtered = query.states.length > 0 || query.kinds.length > 0 || query.text.trim() !== '';
  if (status === 'error' && loaded === 0) {
    return (
      <LoadFailed what="jobs" error={error} retry={loadJobView} testId="job-list-error" />
    );
  }
  if (status === 'ready' && loaded === 0) {
    return filtered ? (
      <EmptyState
        glyph={<SearchIcon />}
        title="No jobs match"
        hint="Nothing matches these filters. Try another search or clear the filters."
        testId="job-list-empty"
        actions={
          <button type="button" className="btn" onClick={() => setJobQuery({ states: [], kinds: [], text: '' })}>
            Clear filters
          </button>
        }
      />
    ) : (
      <EmptyState
        glyph={<UploadIcon />}
        title="No jobs yet"
        hint="Drop files or folders anywhere in this window to upload them, or start a demo job to try pausing, cancelling and retrying."
        testId="job-list-empty"
        actions={
          <>
            <button type="button" className="btn btn-primary" onClick={openNewUpload}>
              <UploadIcon />
              New upload
            </button>
            <button type="button" className="btn" onClick={() => void createDemoJob()}>
              New demo job
            </button>
          </>
        }
      />
    );
  }
  return <JobTable />;
}

export function JobsView(): ReactElement {
  const activeId = useFerryStore(selectActiveId);
  const viewRef = useRef<HTMLDivElement>(null);
  const panelRef = useRef<HTMLElement>(null);
  return (
    <div ref={viewRef} className={`jobs-view${activeId !== null ? ' jobs-view-with-detail' : ''}`}>
      <section className="jobs-main" aria-label="Jobs">
        <JobsToolbar />
        <FilterChips />
        <BulkBar />
        <TableOrEmpty />
      </section>
      {activeId !== null ? (
        <>
          <SplitHandle viewRef={viewRef} panelRef={panelRef} />
          <aside ref={panelRef} id="job-detail-panel" className="detail-panel" aria-label="Job detail" data-testid="detail-panel">
            <JobDetail />
          </aside>
        </>
      ) : null}
    </div>
  );
}
