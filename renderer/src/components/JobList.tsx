/**
 * The job list, newest first, virtualized so tens of thousands of rows scroll smoothly. It is one
 * listbox: arrow keys, Page Up/Down, Home and End move the selection.
 */
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useLayoutEffect, useRef } from 'react';
import type { CSSProperties, KeyboardEvent, ReactElement } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { formatCount } from '../../../shared/format';
import { moveSelection } from '../store/actions';
import { selectJobIds, selectListStatus, selectSelectedId } from '../store/selectors';
import { useFerryStore } from '../store/store';
import { EmptyState } from './EmptyState';
import { jobRowDomId, JobRow } from './JobRow';
import './JobList.css';

/** Matches --row-height in base.css. */
const ROW_HEIGHT = 34;

function onListKey(event: KeyboardEvent<HTMLDivElement>): void {
  const page = Math.max(1, Math.floor(event.currentTarget.clientHeight / ROW_HEIGHT) - 1);
  const moves: Record<string, number | 'first' | 'last'> = {
    ArrowDown: 1,
    ArrowUp: -1,
    PageDown: page,
    PageUp: -page,
    Home: 'first',
    End: 'last',
  };
  const to = moves[event.key];
  if (to === undefined) return;
  event.preventDefault();
  moveSelection(to);
}

export function JobList(): ReactElement {
  const ids = useFerryStore(selectJobIds);
  const selectedId = useFerryStore(selectSelectedId);
  const { status, count, total, error } = useFerryStore(useShallow(selectListStatus));
  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: ids.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    getItemKey: (index) => ids[index] ?? index,
    overscan: 12,
  });

  // New jobs arrive on top; a reader scrolled down the list keeps their rows where they were.
  const firstId = useRef<number | undefined>(undefined);
  useLayoutEffect(() => {
    const previous = firstId.current;
    firstId.current = ids[0];
    const el = scrollRef.current;
    if (!el || previous === undefined || previous === ids[0] || el.scrollTop === 0) return;
    const shift = ids.indexOf(previous);
    if (shift > 0) el.scrollTop += shift * ROW_HEIGHT;
  }, [ids]);

  // Keep the selected row in view when the selection moves (keyboard, new job).
  useEffect(() => {
    if (selectedId === null) return;
    const index = useFerryStore.getState().jobs.ids.indexOf(selectedId);
    if (index >= 0) virtualizer.scrollToIndex(index, { align: 'auto' });
  }, [selectedId, virtualizer]);

  const activeDescendant = selectedId !== null && ids.includes(selectedId) ? jobRowDomId(selectedId) : undefined;
  const countLabel =
    status === 'loading' && count === 0 ? 'Loading…' : `${formatCount(count)}${total > count ? ` of ${formatCount(total)}` : ''} jobs`;

  // Ids are a growing sequence: the first (newest) is the longest.
  const idDigits = String(ids[0] ?? 0).length;
  return (
    <div className="job-list" style={{ '--id-digits': Math.max(3, idDigits) } as CSSProperties}>
      <div className="pane-header">
        <h2 className="pane-title">Jobs</h2>
        <span className="pane-meta" data-testid="job-count">
          {countLabel}
        </span>
      </div>
      <div className="job-list-head job-grid" aria-hidden="true">
        <span className="job-cell job-cell-id">#</span>
        <span className="job-cell job-cell-name">Name</span>
        <span className="job-cell job-cell-kind">Kind</span>
        <span className="job-cell job-cell-state">State</span>
        <span className="job-cell job-cell-progress">Progress</span>
        <span className="job-cell job-cell-rate">Rate</span>
        <span className="job-cell job-cell-eta">ETA</span>
        <span className="job-cell job-cell-created">Created</span>
      </div>
      {status === 'error' && count === 0 ? (
        <EmptyState title="Could not load jobs" hint={error ?? undefined} testId="job-list-error" />
      ) : status !== 'loading' && count === 0 ? (
        <EmptyState
          title="No jobs yet"
          hint="Start one with New demo job: it processes simulated items with a live log, so you can try pausing, cancelling and retrying."
          testId="job-list-empty"
        />
      ) : (
        <div
          ref={scrollRef}
          className="job-list-scroll"
          role="listbox"
          aria-label="Jobs"
          tabIndex={0}
          aria-activedescendant={activeDescendant}
          onKeyDown={onListKey}
          data-testid="job-list"
        >
          <div className="job-list-inner" style={{ height: virtualizer.getTotalSize() }}>
            {virtualizer.getVirtualItems().map((item) => {
              const id = ids[item.index];
              return id === undefined ? null : <JobRow key={id} id={id} top={item.start} />;
            })}
          </div>
        </div>
      )}
    </div>
  );
}
