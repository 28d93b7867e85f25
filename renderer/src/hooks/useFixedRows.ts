/**
 * Windowing for rows of one fixed height (log lines): which rows are in view, from the scroll
 * position alone. Unlike a general virtualizer it keeps no per-row state, so a list that grows by
 * thousands of rows a second costs nothing until the rows in view change.
 */
import { useCallback, useState } from 'react';
import type { RefObject } from 'react';
import { useScrollMeasure } from './useScrollMeasure';

export interface RowWindow {
  /** First and one-past-last row index to render. */
  start: number;
  end: number;
}

interface Options {
  count: number;
  rowHeight: number;
  /** Pixels above the first row (a note). */
  paddingTop: number;
  overscan: number;
  /** Pixels at the top of the view covered by a sticky header: a row under it is not in view. */
  stickyTop?: number;
  /**
   * The view follows the end: its rows are the last ones, whatever the scroll position says yet,
   * so rows can be rendered before the scroll to the end happens (in the next frame).
   */
  atEnd?: boolean;
}

export interface FixedRows extends RowWindow {
  /** Centres a row in view. */
  scrollToRow(index: number): void;
  /** Scrolls just enough to show a row (keyboard moves). */
  revealRow(index: number): void;
}

export function useFixedRows(scrollRef: RefObject<HTMLElement | null>, { count, rowHeight, paddingTop, overscan, stickyTop = 0, atEnd = false }: Options): FixedRows {
  const [view, setView] = useState({ top: 0, height: 0 });
  const measure = useCallback(
    (el: HTMLElement) => {
      const top = el.scrollTop;
      const height = el.clientHeight;
      // Re-render only when the rows in view change, not for every pixel scrolled.
      setView((v) => (Math.floor(v.top / rowHeight) === Math.floor(top / rowHeight) && v.height === height ? v : { top, height }));
    },
    [rowHeight],
  );
  useScrollMeasure(scrollRef, measure);

  const visible = Math.ceil(view.height / rowHeight) + 1;
  const first = atEnd ? count - visible : Math.floor((view.top - paddingTop) / rowHeight);
  const start = Math.max(0, Math.min(count, first - overscan));
  const end = Math.max(start, Math.min(count, first + visible + overscan));

  const scrollToRow = useCallback(
    (index: number) => {
      const el = scrollRef.current;
      if (!el) return;
      el.scrollTop = Math.max(0, paddingTop + index * rowHeight - el.clientHeight / 2 + rowHeight / 2);
      measure(el);
    },
    [scrollRef, paddingTop, rowHeight, measure],
  );

  const revealRow = useCallback(
    (index: number) => {
      const el = scrollRef.current;
      if (!el) return;
      const top = paddingTop + index * rowHeight;
      if (top < el.scrollTop + stickyTop) el.scrollTop = top - stickyTop;
      else if (top + rowHeight > el.scrollTop + el.clientHeight) el.scrollTop = top + rowHeight - el.clientHeight;
      else return;
      measure(el);
    },
    [scrollRef, paddingTop, stickyTop, rowHeight, measure],
  );

  return { start, end, scrollToRow, revealRow };
}
