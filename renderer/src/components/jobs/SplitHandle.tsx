/**
 * The separator between the jobs table and the job detail: drag it, or focus it and use the arrow
 * keys (Shift for bigger steps, Home and End for the limits), to give the detail more or less room;
 * a double click goes back to the default. The width is remembered across restarts (localStorage,
 * like the theme's first-paint copy) and set as `--detail-width` on the view, so a drag re-lays out
 * the page without re-rendering the table.
 */
import { useCallback, useLayoutEffect, useRef, useState } from 'react';
import type { ReactElement, RefObject } from 'react';

const STORAGE_KEY = 'ferry.detailWidth';
/** The detail never gets narrower than this, and the table keeps at least TABLE_MIN. */
export const DETAIL_MIN = 320;
const TABLE_MIN = 260;
const STEP = 16;
const BIG_STEP = 80;

function stored(): number | null {
  try {
    const value = Number(localStorage.getItem(STORAGE_KEY));
    return Number.isFinite(value) && value >= DETAIL_MIN ? value : null;
  } catch {
    return null;
  }
}

function store(width: number | null): void {
  try {
    if (width === null) localStorage.removeItem(STORAGE_KEY);
    else localStorage.setItem(STORAGE_KEY, String(Math.round(width)));
  } catch {
    // Storage refused (a private window): the width lasts this session.
  }
}

interface Props {
  /** The element holding the table and the detail; it gets the `--detail-width` variable. */
  viewRef: RefObject<HTMLDivElement | null>;
  /** The detail panel, whose drawn width is the starting point of a move. */
  panelRef: RefObject<HTMLElement | null>;
}

export function SplitHandle({ viewRef, panelRef }: Props): ReactElement {
  const [width, setWidth] = useState<number | null>(stored);
  const drag = useRef<{ x: number; width: number; pointer: number } | null>(null);

  const limits = useCallback((): { min: number; max: number } => {
    const total = viewRef.current?.getBoundingClientRect().width ?? 0;
    return { min: DETAIL_MIN, max: Math.max(DETAIL_MIN, total - TABLE_MIN) };
  }, [viewRef]);

  const apply = useCallback(
    (value: number | null): number | null => {
      const { min, max } = limits();
      const clamped = value === null ? null : Math.round(Math.min(max, Math.max(min, value)));
      const view = viewRef.current;
      if (view) {
        if (clamped === null) view.style.removeProperty('--detail-width');
        else view.style.setProperty('--detail-width', `${clamped}px`);
      }
      return clamped;
    },
    [limits, viewRef],
  );

  useLayoutEffect(() => {
    apply(width);
  }, [apply, width]);

  const commit = (value: number | null): void => {
    const clamped = apply(value);
    setWidth(clamped);
    store(clamped);
  };
  const current = (): number => panelRef.current?.getBoundingClientRect().width ?? width ?? DETAIL_MIN;
  const { min, max } = limits();
  const shown = Math.round(width ?? current());

  return (
    <div
      className="split-handle"
      role="separator"
      aria-orientation="vertical"
      aria-label="Resize the job detail"
      aria-controls="job-detail-panel"
      aria-valuemin={min}
      aria-valuemax={max}
      aria-valuenow={shown}
      aria-valuetext={`Job detail ${shown} pixels wide`}
      title="Drag to resize; double-click for the default width"
      tabIndex={0}
      data-testid="split-handle"
      onPointerDown={(event) => {
        if (event.button !== 0) return;
        event.preventDefault();
        event.currentTarget.setPointerCapture(event.pointerId);
        drag.current = { x: event.clientX, width: current(), pointer: event.pointerId };
        document.documentElement.classList.add('is-resizing');
      }}
      onPointerMove={(event) => {
        const d = drag.current;
        if (!d || d.pointer !== event.pointerId) return;
        apply(d.width + (d.x - event.clientX));
      }}
      onPointerUp={(event) => {
        const d = drag.current;
        if (!d || d.pointer !== event.pointerId) return;
        drag.current = null;
        document.documentElement.classList.remove('is-resizing');
        commit(d.width + (d.x - event.clientX));
      }}
      onPointerCancel={() => {
        drag.current = null;
        document.documentElement.classList.remove('is-resizing');
        apply(width);
      }}
      onDoubleClick={() => commit(null)}
      onKeyDown={(event) => {
        const step = event.shiftKey ? BIG_STEP : STEP;
        let next: number | null;
        // The separator moves with the arrow: left widens the detail, right narrows it.
        if (event.key === 'ArrowLeft') next = current() + step;
        else if (event.key === 'ArrowRight') next = current() - step;
        else if (event.key === 'Home') next = min;
        else if (event.key === 'End') next = max;
        else if (event.key === 'Enter') next = null;
        else return;
        event.preventDefault();
        commit(next);
      }}
    />
  );
}
