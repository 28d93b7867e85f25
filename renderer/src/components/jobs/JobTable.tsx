/**
 * The jobs table: sortable headers and virtualized rows (tens of thousands scroll smoothly). Rows
 * beyond those loaded show as placeholders and load, a page at a time, as they come into view.
 */
import { useEffect, useLayoutEffect, useRef } from 'react';
import type { CSSProperties, KeyboardEvent, ReactElement } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { useFixedRows } from '../../hooks/useFixedRows';
import { isDefaultSort } from '../../lib/jobQuery';
import { loadMoreJobs, MAX_LOADED, sortBy } from '../../store/actions/jobs';
import { moveActive } from '../../store/actions/selection';
import { selectActiveId, selectDisplayIds, selectJobSort, selectViewStatus } from '../../store/selectors';
import { useFerryStore } from '../../store/store';
import { ChevronDownIcon, ChevronUpIcon } from '../common/icons';
import { COLUMNS, ROW_HEIGHT } from './columns';
import { jobRowDomId, JobRow, PlaceholderRow } from './JobRow';
import './JobTable.css';

/** Start loading the next page this many rows before the loaded end comes into view. */
const PREFETCH_ROWS = 100;
/** The header row sticks to the top of the scrolling grid and covers this much of it. */
const HEAD_HEIGHT = 30;

function onGridKey(event: KeyboardEvent<HTMLDivElement>): void {
  const page = Math.max(1, Math.floor(event.currentTarget.clientHeight / ROW_HEIGHT) - 1);
  const moves: Record<string, number | 'first' | 'last'> = { PageDown: page, PageUp: -page, Home: 'first', End: 'last' };
  const to = moves[event.key];
  if (to === undefined) return;
  event.preventDefault();
  moveActive(to, event.shiftKey);
}

function SortHeader(): ReactElement {
  const sort = useFerryStore(selectJobSort);
  return (
    <div className="job-table-head job-grid" role="row" aria-rowindex={1} style={{ height: HEAD_HEIGHT }}>
      {COLUMNS.map((column) => {
        const sorted = sort.key === column.key;
        return (
          <span
            key={column.key}
            role="columnheader"
            className={`job-cell job-cell-${column.key}`}
            aria-sort={sorted ? (sort.dir === 'asc' ? 'ascending' : 'descending') : 'none'}
          >
            <button
              type="button"
              className={`job-sort${sorted ? ' job-sort-active' : ''}${column.align === 'right' ? ' job-sort-right' : ''}`}
              onClick={() => sortBy(column.key)}
              title={`Sort by ${column.title.toLowerCase()}`}
            >
              {column.label}
              {sorted ? sort.dir === 'asc' ? <ChevronUpIcon className="job-sort-icon" /> : <ChevronDownIcon className="job-sort-icon" /> : null}
            </button>
          </span>
        );
      })}
    </div>
  );
}

function renderRows(ids: number[], start: number, end: number): ReactElement[] {
  const out: ReactElement[] = [];
  for (let index = start; index < end; index++) {
    const id = ids[index];
    const top = index * ROW_HEIGHT;
    out.push(id === undefined ? <PlaceholderRow key={`placeholder-${index}`} top={top} /> : <JobRow key={id} id={id} top={top} index={index + 2} />);
  }
  return out;
}

export function JobTable(): ReactElement {
  const ids = useFerryStore(selectDisplayIds);
  const activeId = useFerryStore(selectActiveId);
  const defaultSort = useFerryStore((s) => isDefaultSort(s.jobs.view.sort));
  const { total, complete } = useFerryStore(useShallow(selectViewStatus));
  const count = complete ? ids.length : Math.max(ids.length, Math.min(total, MAX_LOADED));
  const scrollRef = useRef<HTMLDivElement>(null);
  // Rows are one fixed height: the window comes from the scroll position alone, with no per-row
  // bookkeeping for tens of thousands of rows.
  const rows = useFixedRows(scrollRef, { count, rowHeight: ROW_HEIGHT, paddingTop: HEAD_HEIGHT, stickyTop: HEAD_HEIGHT, overscan: 8 });
  const lastIndex = Math.max(0, rows.end - 1);

  // Rows near the loaded end are in view: fetch the next page.
  useEffect(() => {
    if (!complete && lastIndex >= ids.length - PREFETCH_ROWS) void loadMoreJobs();
  }, [lastIndex, ids.length, complete]);

  // New jobs arrive on top; a reader scrolled down the list keeps their rows where they were.
  const firstId = useRef<number | undefined>(undefined);
  useLayoutEffect(() => {
    const previous = firstId.current;
    firstId.current = ids[0];
    const el = scrollRef.current;
    if (!defaultSort || !el || previous === undefined || previous === ids[0] || el.scrollTop === 0) return;
    const shift = ids.indexOf(previous);
    if (shift > 0) el.scrollTop += shift * ROW_HEIGHT;
  }, [ids, defaultSort]);

  // Keep the active row in view when it moves (keyboard, a new job, a notification).
  const { revealRow } = rows;
  useEffect(() => {
    if (activeId === null) return;
    const index = selectDisplayIds(useFerryStore.getState()).indexOf(activeId);
    if (index >= 0) revealRow(index);
  }, [activeId, revealRow]);

  const activeDescendant = activeId !== null && ids.includes(activeId) ? jobRowDomId(activeId) : undefined;
  // Ids are a growing sequence: the largest is the longest.
  const idDigits = String(Math.max(ids[0] ?? 0, ids[ids.length - 1] ?? 0)).length;
  // The grid is the element that scrolls and takes focus, so keyboard users can scroll it (the
  // header sticks inside it); rows are not tab stops, the active one is the active descendant.
  return (
    <div className="job-table" style={{ '--id-digits': Math.max(3, idDigits) } as CSSProperties}>
      <div
        ref={scrollRef}
        className="job-table-scroll"
        data-testid="job-list"
        role="grid"
        aria-label="Jobs"
        aria-multiselectable="true"
        aria-rowcount={count + 1}
        tabIndex={0}
        aria-activedescendant={activeDescendant}
        onKeyDown={onGridKey}
      >
        <SortHeader />
        <div className="job-table-inner" role="rowgroup" style={{ height: count * ROW_HEIGHT }}>
          {renderRows(ids, rows.start, rows.end)}
        </div>
      </div>
    </div>
  );
}
