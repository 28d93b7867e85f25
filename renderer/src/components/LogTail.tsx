/**
 * The selected job's live log. It follows the end while the reader is there; scrolling up stops
 * following and shows "Jump to end". Only the last ~2 MB are kept; the full log can be saved.
 */
import { useLayoutEffect, useRef, useState } from 'react';
import type { ReactElement } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { saveFullLog } from '../store/actions';
import { selectConnection, selectLogView } from '../store/selectors';
import { useFerryStore } from '../store/store';
import { ArrowDownIcon } from './icons';
import './LogTail.css';

const STATUS_LABELS = {
  waiting: 'connecting…',
  live: 'live',
  offline: 'offline: resumes on reconnect',
  ended: 'complete',
  error: 'stopped',
} as const;

/** Within this many pixels of the bottom counts as "at the end". */
const END_SLACK_PX = 8;

export function LogTail({ jobId }: { jobId: number }): ReactElement {
  const log = useFerryStore(useShallow(selectLogView));
  const online = useFerryStore((s) => selectConnection(s).state === 'online');
  const scrollRef = useRef<HTMLDivElement>(null);
  const followingRef = useRef(true);
  const [following, setFollowing] = useState(true);
  const current = log.jobId === jobId;

  const setFollow = (value: boolean): void => {
    if (followingRef.current === value) return;
    followingRef.current = value;
    setFollowing(value);
  };

  useLayoutEffect(() => {
    const el = scrollRef.current;
    if (el && followingRef.current) el.scrollTop = el.scrollHeight;
  }, [log.pieces, log.eof, log.waiting, log.error]);

  const onScroll = (): void => {
    const el = scrollRef.current;
    if (!el) return;
    setFollow(el.scrollHeight - el.scrollTop - el.clientHeight <= END_SLACK_PX);
  };

  const jumpToEnd = (): void => {
    const el = scrollRef.current;
    setFollow(true);
    if (el) el.scrollTop = el.scrollHeight;
  };

  const state = !current || log.waiting ? 'waiting' : log.error ? 'error' : log.eof ? 'ended' : online ? 'live' : 'offline';
  return (
    <section className="log-tail-section" aria-label={`Log of job ${jobId}`}>
      <div className="log-tail-header">
        <h3 className="log-tail-title">Log</h3>
        <span className={`log-tail-status log-tail-status-${state}`}>
          {STATUS_LABELS[state]}
        </span>
        <button type="button" className="btn btn-small btn-ghost log-tail-save" onClick={() => void saveFullLog(jobId)}>
          Save full log
        </button>
      </div>
      <div className="log-tail-body">
        <div
          ref={scrollRef}
          className="log-tail"
          data-testid="log-tail"
          data-following={following}
          data-eof={current && log.eof}
          data-status={state}
          tabIndex={0}
          role="log"
          aria-live="off"
          aria-label={`Log of job ${jobId}`}
          onScroll={onScroll}
          onWheel={(event) => {
            if (event.deltaY < 0) setFollow(false);
          }}
        >
          {current && log.trimmed ? (
            <div className="log-tail-note" data-testid="log-trimmed">
              Earlier lines trimmed —{' '}
              <button type="button" className="log-tail-link" onClick={() => void saveFullLog(jobId)}>
                open full log
              </button>
            </div>
          ) : null}
          <pre className="log-tail-text">{current ? log.pieces.map((piece) => <span key={piece.key}>{piece.text}</span>) : null}</pre>
          {state === 'waiting' ? <div className="log-tail-placeholder">Waiting for output…</div> : null}
          {current && log.eof ? <div className="log-tail-end">End of log</div> : null}
          {current && log.error ? (
            <div className="log-tail-error" role="alert">
              Log stream stopped: {log.error}
            </div>
          ) : null}
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
}
