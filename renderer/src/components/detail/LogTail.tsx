/**
 * The active job's live log, virtualized by line so a job writing 20,000 lines a second stays
 * smooth. Long lines wrap (or scroll sideways); the log's JSON header and footers show as
 * summaries in plain words, and "Raw" shows the file exactly. It follows the end while the reader
 * is there; scrolling up stops following and offers "Jump to end". Search marks matches (in
 * wrapped lines too) and steps through them; the log can be copied, saved, or (desktop) shown in
 * the file manager.
 */
import { memo, useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import type { CSSProperties, ReactElement } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { useScrollMeasure } from '../../hooks/useScrollMeasure';
import { cachedCount } from '../../lib/formatCache';
import { copyLog, openLogFile, saveFullLog } from '../../store/actions/log';
import { lineAt, shownLineCount } from '../../store/logLines';
import type { LogLines } from '../../store/logLines';
import { selectCapabilities, selectConnection, selectLogView } from '../../store/selectors';
import { useFerryStore } from '../../store/store';
import { ArrowDownIcon, CopyIcon, DownloadIcon, ExternalIcon } from '../common/icons';
import { attemptLabel, frameLineKind, summarizeFrame } from './logFrame';
import type { FrameSummary } from './logFrame';
import { blockText, layoutLog, lineAtRow, rowsFor, rowsOf, topOf, totalRows } from './logLayout';
import type { LogLayout } from './logLayout';
import { LogLine, LogSummary } from './LogLine';
import { LogSearchBox } from './LogSearchBox';
import { useLogSearch } from './useLogSearch';
import './LogTail.css';

const STATUS_LABELS = {
  waiting: 'connecting…',
  live: 'live',
  offline: 'offline: resumes on reconnect',
  ended: 'complete',
  error: 'stopped',
} as const;

/** Matches .log-line's height in LogTail.css. */
const LINE_HEIGHT = 18;
const NOTE_HEIGHT = 30;
const END_HEIGHT = 36;
/** Within this many pixels of the bottom counts as "at the end". */
const END_SLACK_PX = 8;
/** .log-line's right padding, and the gutter's fixed part (see --gutter in LogTail.css). */
const LINE_PAD_RIGHT = 14;
const GUTTER_PAD = 22;
const WRAP_KEY = 'ferry.logWrap';

function storedWrap(): boolean {
  try {
    return localStorage.getItem(WRAP_KEY) !== 'off';
  } catch {
    return true;
  }
}

/** The scroll box's position and size, updated when the rows in view or the width change. */
function useView(scrollRef: React.RefObject<HTMLDivElement | null>, measureRef: React.RefObject<HTMLSpanElement | null>) {
  const [view, setView] = useState({ top: 0, height: 0, width: 0, charWidth: 7.2 });
  const measure = useCallback(
    (el: HTMLDivElement) => {
      const top = el.scrollTop;
      const height = el.clientHeight;
      const width = el.clientWidth;
      const probe = measureRef.current;
      const charWidth = probe && probe.getBoundingClientRect().width > 0 ? probe.getBoundingClientRect().width / 100 : 7.2;
      // Re-render only when the rows in view or the box change, not for every pixel scrolled.
      setView((v) =>
        Math.floor(v.top / LINE_HEIGHT) === Math.floor(top / LINE_HEIGHT) && v.height === height && v.width === width && v.charWidth === charWidth ? v : { top, height, width, charWidth },
      );
    },
    [measureRef],
  );
  useScrollMeasure(scrollRef, measure);
  return view;
}

/** The summaries of frame blocks in view, parsed once per block (a finished block never changes). */
function useSummaries(text: LogLines): (openAbs: number) => FrameSummary {
  const cache = useRef(new Map<number, { summary: FrameSummary; whole: boolean }>());
  return useMemo(() => {
    return (openAbs: number) => {
      const hit = cache.current.get(openAbs);
      if (hit?.whole) return hit.summary;
      const block = blockText(text, openAbs);
      const whole = block.endsWith('_json>\n') && block.indexOf('</') > 0;
      const summary = summarizeFrame(block);
      cache.current.set(openAbs, { summary, whole });
      return summary;
    };
  }, [text]);
}

export const LogTail = memo(function LogTail({ jobId }: { jobId: number }): ReactElement {
  const log = useFerryStore(useShallow(selectLogView));
  const online = useFerryStore((s) => selectConnection(s).state === 'online');
  const reveal = useFerryStore((s) => selectCapabilities(s)?.reveal ?? false);
  const scrollRef = useRef<HTMLDivElement>(null);
  const measureRef = useRef<HTMLSpanElement>(null);
  const followingRef = useRef(true);
  const [following, setFollowing] = useState(true);
  const [query, setQuery] = useState('');
  const [current, setCurrent] = useState(-1);
  const [raw, setRaw] = useState(false);
  const [wrap, setWrapState] = useState(storedWrap);
  const setWrap = (value: boolean): void => {
    setWrapState(value);
    try {
      localStorage.setItem(WRAP_KEY, value ? 'on' : 'off');
    } catch {
      // Private windows may refuse storage: the choice lasts this session.
    }
  };
  const mine = log.jobId === jobId;
  const text = log.text;
  const count = mine ? shownLineCount(text) : 0;
  const trimmed = mine && text.dropped > 0;
  const ended = mine && log.eof;
  const search = useLogSearch(text, query);
  const summaryOf = useSummaries(text);
  const view = useView(scrollRef, measureRef);

  // Room for six digits from the start: the gutter (and with it every wrapped line's rows) changes
  // only at the millionth line, not at the 10,000th and 100,000th while a fast job streams.
  const digits = Math.max(6, String(text.dropped + count).length);
  const gutter = digits * view.charWidth + GUTTER_PAD;
  const cols = wrap && view.width > 0 ? Math.max(10, Math.floor((view.width - gutter - LINE_PAD_RIGHT - 1) / view.charWidth)) : Infinity;
  const layoutRef = useRef<LogLayout | null>(null);
  const layout = useMemo(() => {
    layoutRef.current = layoutLog(layoutRef.current, text, { cols, raw });
    return layoutRef.current;
  }, [text, cols, raw]);
  const partialRows = mine && text.partial ? rowsFor(text.partial, cols) : 0;
  const rowCount = mine ? totalRows(layout, text) + partialRows : 0;

  const paddingTop = trimmed ? NOTE_HEIGHT : 8;
  const totalHeight = paddingTop + rowCount * LINE_HEIGHT + END_HEIGHT;
  // Following the end needs no rows below it and few above; a reader scrolling needs a margin.
  const overscan = following ? 6 : 30;
  const visibleRows = Math.ceil(view.height / LINE_HEIGHT) + 1;
  const firstRow = following ? rowCount - visibleRows : Math.floor((view.top - paddingTop) / LINE_HEIGHT);
  const lastAbs = text.dropped + text.count;
  const startAbs = mine ? lineAtRow(layout, text, Math.max(0, firstRow - overscan)) : 0;
  const endAbs = mine ? Math.min(lastAbs, lineAtRow(layout, text, Math.max(0, firstRow + visibleRows + overscan)) + 1) : 0;
  const showPartial = mine && text.partial !== '' && firstRow + visibleRows + overscan >= rowCount - partialRows;

  const setFollow = (value: boolean): void => {
    if (followingRef.current === value) return;
    followingRef.current = value;
    setFollowing(value);
  };

  // Follow the end as lines arrive. The scroll waits for the next frame, where the browser lays
  // the page out anyway: doing it here would force a second layout inside this update's task.
  const followFrame = useRef<number | null>(null);
  /** Where our own last scroll to the end left the view: a scroll event there is ours, not the reader's. */
  const autoTop = useRef<number | null>(null);
  useEffect(() => {
    if (!followingRef.current || followFrame.current !== null) return;
    followFrame.current = window.requestAnimationFrame(() => {
      followFrame.current = null;
      const el = scrollRef.current;
      if (!el || !followingRef.current) return;
      el.scrollTop = el.scrollHeight;
      autoTop.current = el.scrollTop;
    });
  }, [rowCount, ended, log.waiting, log.error, trimmed]);
  useEffect(() => () => {
    if (followFrame.current !== null) window.cancelAnimationFrame(followFrame.current);
  }, []);

  // Lines dropped from the front move everything up; a reader scrolled back keeps their place.
  const droppedRef = useRef(text.dropped);
  useLayoutEffect(() => {
    const before = droppedRef.current;
    droppedRef.current = text.dropped;
    const el = scrollRef.current;
    if (!el || text.dropped <= before || followingRef.current) return;
    const k0 = before - layout.base;
    const k1 = text.dropped - layout.base;
    const rows = k0 >= 0 && k1 <= layout.laidOut ? (layout.sums[k1] as number) - (layout.sums[k0] as number) : text.dropped - before;
    el.scrollTop = Math.max(0, el.scrollTop - rows * LINE_HEIGHT);
  }, [text.dropped, layout]);

  const onScroll = (): void => {
    const el = scrollRef.current;
    if (!el) return;
    // Our own scroll to the end says nothing about the reader; any other scroll does (wheel,
    // scroll bar, keys): following stops unless they scrolled to the very end.
    if (autoTop.current !== null && Math.abs(el.scrollTop - autoTop.current) < 2) return;
    autoTop.current = null;
    setFollow(el.scrollHeight - el.scrollTop - el.clientHeight <= END_SLACK_PX);
  };

  const jumpToEnd = (): void => {
    setFollow(true);
    const el = scrollRef.current;
    if (!el) return;
    el.scrollTop = el.scrollHeight;
    autoTop.current = el.scrollTop;
  };

  /** The line a match shows on: a line folded into a summary shows on the summary's first line. */
  const shownLine = (abs: number): number => {
    let at = abs;
    while (at > text.dropped && at < lastAbs && rowsOf(layout, at) === 0) at--;
    return at;
  };

  const matches = search.matches;
  const currentIndex = current >= 0 && current < matches.length ? current : -1;
  const goToMatch = (index: number): void => {
    if (matches.length === 0) return;
    const next = ((index % matches.length) + matches.length) % matches.length;
    setCurrent(next);
    setFollow(false);
    const el = scrollRef.current;
    if (!el) return;
    const abs = shownLine(matches[next] as number);
    const top = paddingTop + (abs >= lastAbs ? totalRows(layout, text) * LINE_HEIGHT : topOf(layout, text, abs, LINE_HEIGHT));
    const height = (abs >= lastAbs ? partialRows : Math.max(1, rowsOf(layout, abs))) * LINE_HEIGHT;
    el.scrollTop = Math.max(0, top + Math.min(height, el.clientHeight) / 2 - el.clientHeight / 2);
  };
  // A new query starts at its first match.
  useEffect(() => setCurrent(-1), [query]);

  const currentLine = currentIndex >= 0 ? shownLine(matches[currentIndex] as number) : -1;
  const renderLines = (): ReactElement[] => {
    const out: ReactElement[] = [];
    let slot = 0;
    for (let abs = startAbs; abs < endAbs; abs++) {
      const rows = rowsOf(layout, abs);
      if (rows === 0) continue;
      const top = paddingTop + topOf(layout, text, abs, LINE_HEIGHT);
      const line = lineAt(text, abs - text.dropped);
      // Keyed by slot, not by line: as lines stream past, the same few DOM nodes take new text
      // instead of being removed and created thousands of times a second.
      const key = slot++;
      // A line with rows in the summaries view is never inside a folded block.
      const kind = raw ? 'line' : frameLineKind(line, false, abs);
      if (kind === 'open') out.push(<LogSummary key={`s${key}`} number={abs + 1} summary={summaryOf(abs)} top={top} rows={rows} needle={search.needle} current={abs === currentLine} />);
      else if (kind === 'attempt') out.push(<LogLine key={key} number={abs + 1} text={attemptLabel(line)} top={top} rows={1} needle="" current={false} divider />);
      else out.push(<LogLine key={key} number={abs + 1} text={line} top={top} rows={rows} needle={search.needle} current={abs === currentLine} />);
    }
    if (showPartial) {
      const top = paddingTop + totalRows(layout, text) * LINE_HEIGHT;
      out.push(<LogLine key={slot} number={lastAbs + 1} text={text.partial} top={top} rows={partialRows} needle={search.needle} current={lastAbs === currentLine} />);
    }
    return out;
  };

  const state = !mine || log.waiting ? 'waiting' : log.error ? 'error' : log.eof ? 'ended' : online ? 'live' : 'offline';
  return (
    <section className="log-tail-section" aria-label={`Log of job ${jobId}`} data-log-region>
      <div className="log-tail-header">
        <span className={`log-tail-status log-tail-status-${state}`} data-testid="log-status">
          {STATUS_LABELS[state]}
        </span>
        <span className="log-tail-count">{cachedCount(text.dropped + count)} lines</span>
        <LogSearchBox
          query={query}
          onQuery={setQuery}
          total={matches.length}
          current={currentIndex}
          onNext={() => goToMatch(currentIndex + 1)}
          onPrev={() => goToMatch(currentIndex < 0 ? -1 : currentIndex - 1)}
          onEscape={() => scrollRef.current?.focus()}
        />
        <div className="log-tail-toggles" role="group" aria-label="Log display">
          <button type="button" className="btn btn-small btn-ghost log-tail-toggle" aria-pressed={wrap} title={wrap ? 'Long lines wrap; click to scroll them sideways' : 'Long lines scroll sideways; click to wrap them'} onClick={() => setWrap(!wrap)}>
            Wrap
          </button>
          <button type="button" className="btn btn-small btn-ghost log-tail-toggle" aria-pressed={raw} title={raw ? 'Showing the log file exactly; click for summaries' : 'Show the log file exactly as written'} onClick={() => setRaw(!raw)}>
            Raw
          </button>
        </div>
        <div className="log-tail-actions">
          <button type="button" className="btn btn-icon btn-ghost" aria-label="Copy log" title="Copy log" onClick={() => void copyLog(jobId)} disabled={count === 0}>
            <CopyIcon />
          </button>
          <button type="button" className="btn btn-icon btn-ghost" aria-label="Save log" title="Save the whole log as a file" onClick={() => void saveFullLog(jobId)}>
            <DownloadIcon />
          </button>
          {reveal ? (
            <button type="button" className="btn btn-icon btn-ghost" aria-label="Open log file" title="Show the log file" onClick={() => void openLogFile(jobId)}>
              <ExternalIcon />
            </button>
          ) : null}
        </div>
      </div>
      <div className="log-tail-body">
        <div
          ref={scrollRef}
          className={`log-tail${wrap ? ' log-tail-wrap' : ''}`}
          data-testid="log-tail"
          data-following={following}
          data-eof={ended}
          data-status={state}
          data-line-count={text.dropped + count}
          data-raw={raw}
          data-wrap={wrap}
          tabIndex={0}
          role="log"
          aria-live="off"
          aria-label={`Log of job ${jobId}`}
          onScroll={onScroll}
          onWheel={(event) => {
            if (event.deltaY < 0) setFollow(false);
          }}
          onKeyDown={(event) => {
            if (event.key === 'End') {
              event.preventDefault();
              jumpToEnd();
            } else if (event.key === 'Home' || event.key === 'PageUp' || event.key === 'ArrowUp') setFollow(false);
          }}
          style={{ '--ln-digits': digits } as CSSProperties}
        >
          <span ref={measureRef} className="log-tail-measure" aria-hidden="true">
            {'0'.repeat(100)}
          </span>
          <div className="log-tail-inner" style={{ height: totalHeight }}>
            {trimmed ? (
              <div className="log-tail-note" data-testid="log-trimmed">
                {cachedCount(text.dropped)} earlier lines not shown —{' '}
                <button type="button" className="log-tail-link" onClick={() => void saveFullLog(jobId)}>
                  save the whole log
                </button>
              </div>
            ) : null}
            {mine ? renderLines() : null}
            <div className="log-tail-after" style={{ transform: `translateY(${totalHeight - END_HEIGHT}px)` }}>
              {state === 'waiting' ? <div className="log-tail-placeholder">Waiting for output…</div> : null}
              {ended ? <div className="log-tail-end">End of log</div> : null}
              {mine && log.error ? (
                <div className="log-tail-error" role="alert">
                  Log stream stopped: {log.error}
                </div>
              ) : null}
            </div>
          </div>
        </div>
        {following ? null : (
          <button type="button" className="btn btn-small log-tail-jump" onClick={jumpToEnd}>
            <ArrowDownIcon />
            Jump to end
          </button>
        )}
      </div>
    </section>
  );
});
