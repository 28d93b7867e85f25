/**
 * The active job's live log, virtualized by line so a job writing thousands of lines a second stays
 * smooth. It follows the end while the reader is there; scrolling up stops following and offers
 * "Jump to end". Search marks matches and steps through them; the log can be copied, saved, or
 * (desktop) shown in the file manager.
 */
import { memo, useEffect, useLayoutEffect, useRef, useState } from 'react';
import type { CSSProperties, ReactElement } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { useFixedRows } from '../../hooks/useFixedRows';
import { cachedCount } from '../../lib/formatCache';
import { copyLog, openLogFile, saveFullLog } from '../../store/actions/log';
import { lineAt, shownLineCount } from '../../store/logLines';
import { selectCapabilities, selectConnection, selectLogView } from '../../store/selectors';
import { useFerryStore } from '../../store/store';
import { ArrowDownIcon, CopyIcon, DownloadIcon, ExternalIcon } from '../common/icons';
import { LogLine } from './LogLine';
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

export const LogTail = memo(function LogTail({ jobId }: { jobId: number }): ReactElement {
  const log = useFerryStore(useShallow(selectLogView));
  const online = useFerryStore((s) => selectConnection(s).state === 'online');
  const reveal = useFerryStore((s) => selectCapabilities(s)?.reveal ?? false);
  const scrollRef = useRef<HTMLDivElement>(null);
  const followingRef = useRef(true);
  const [following, setFollowing] = useState(true);
  const [query, setQuery] = useState('');
  const [current, setCurrent] = useState(-1);
  const mine = log.jobId === jobId;
  const text = log.text;
  const count = mine ? shownLineCount(text) : 0;
  const trimmed = mine && text.dropped > 0;
  const ended = mine && log.eof;
  const search = useLogSearch(text, query);

  const paddingTop = trimmed ? NOTE_HEIGHT : 8;
  // Following the end needs no rows below it and few above; a reader scrolling needs a margin.
  const rows = useFixedRows(scrollRef, { count, rowHeight: LINE_HEIGHT, paddingTop, overscan: following ? 6 : 30, atEnd: following });
  const totalHeight = paddingTop + count * LINE_HEIGHT + END_HEIGHT;

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
  }, [count, ended, log.waiting, log.error, trimmed]);
  useEffect(() => () => {
    if (followFrame.current !== null) window.cancelAnimationFrame(followFrame.current);
  }, []);

  // Lines dropped from the front move everything up; a reader scrolled back keeps their place.
  const droppedRef = useRef(text.dropped);
  useLayoutEffect(() => {
    const delta = text.dropped - droppedRef.current;
    droppedRef.current = text.dropped;
    const el = scrollRef.current;
    if (el && delta > 0 && !followingRef.current) el.scrollTop = Math.max(0, el.scrollTop - delta * LINE_HEIGHT);
  }, [text.dropped]);

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

  const matches = search.matches;
  const currentIndex = current >= 0 && current < matches.length ? current : -1;
  const goToMatch = (index: number): void => {
    if (matches.length === 0) return;
    const next = ((index % matches.length) + matches.length) % matches.length;
    setCurrent(next);
    setFollow(false);
    rows.scrollToRow((matches[next] as number) - text.dropped);
  };
  // A new query starts at its first match.
  useEffect(() => setCurrent(-1), [query]);

  const currentLine = currentIndex >= 0 ? (matches[currentIndex] as number) : -1;
  const renderLines = (start: number, end: number): ReactElement[] => {
    const out: ReactElement[] = [];
    for (let i = start; i < end; i++) {
      const abs = text.dropped + i;
      // Keyed by slot, not by line: as lines stream past, the same few DOM nodes take new text
      // instead of being removed and created thousands of times a second.
      out.push(<LogLine key={i - start} number={abs + 1} text={lineAt(text, i)} top={paddingTop + i * LINE_HEIGHT} needle={search.needle} current={abs === currentLine} />);
    }
    return out;
  };

  const state = !mine || log.waiting ? 'waiting' : log.error ? 'error' : log.eof ? 'ended' : online ? 'live' : 'offline';
  const digits = String(text.dropped + count).length;
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
          className="log-tail"
          data-testid="log-tail"
          data-following={following}
          data-eof={ended}
          data-status={state}
          data-line-count={text.dropped + count}
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
          style={{ '--ln-digits': Math.max(4, digits) } as CSSProperties}
        >
          <div className="log-tail-inner" style={{ height: totalHeight }}>
            {trimmed ? (
              <div className="log-tail-note" data-testid="log-trimmed">
                {cachedCount(text.dropped)} earlier lines not shown —{' '}
                <button type="button" className="log-tail-link" onClick={() => void saveFullLog(jobId)}>
                  save the whole log
                </button>
              </div>
            ) : null}
            {mine ? renderLines(rows.start, rows.end) : null}
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
