import { useLayoutEffect, useRef, type RefObject } from 'react';

/**
 * Calls `measure(el)` now, after each scroll (at most once a frame) and on each resize of the
 * scroll box; the one subscription the virtualised lists share.
 */
export function useScrollMeasure<E extends HTMLElement>(scrollRef: RefObject<E | null>, measure: (el: E) => void): void {
  const frame = useRef<number | null>(null);
  useLayoutEffect(() => {
    const el = scrollRef.current;
    if (!el) return undefined;
    const run = () => {
      frame.current = null;
      measure(el);
    };
    run();
    const onScroll = () => {
      if (frame.current === null) frame.current = window.requestAnimationFrame(run);
    };
    el.addEventListener('scroll', onScroll, { passive: true });
    const observer = new ResizeObserver(run);
    observer.observe(el);
    return () => {
      el.removeEventListener('scroll', onScroll);
      observer.disconnect();
      if (frame.current !== null) window.cancelAnimationFrame(frame.current);
      frame.current = null;
    };
  }, [scrollRef, measure]);
}
