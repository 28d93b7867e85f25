/**
 * The job's events as a timeline (listEvents, then the live `job.events` stream; heartbeats are
 * not shown). Progress events are frequent, so they are hidden unless asked for.
 */
import { useVirtualizer } from '@tanstack/react-virtual';
import { useLayoutEffect, useMemo, useRef, useState } from 'react';
import type { ReactElement } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { formatCount, formatFullTimestamp, formatTimestamp } from '../../../../shared/format';
import type { JobEvent, JobEventType } from '../../../../shared/model';
import { plural } from '../../../../shared/plural';
import { useFerryStore } from '../../store/store';
import { EmptyState } from '../common/EmptyState';
import {
  AlertIcon,
  BoltIcon,
  CancelIcon,
  CheckIcon,
  ClockIcon,
  FlagIcon,
  LinkIcon,
  ListIcon,
  PauseIcon,
  PlayIcon,
  PlusIcon,
  RetryIcon,
  StarIcon,
  StopAfterIcon,
} from '../common/icons';
import './EventsTab.css';

const ROW = 44;

/** Each type's icon, tone and name in plain words. */
const LOOK: Record<JobEventType, { Icon: typeof PlusIcon; tone: string; label: string }> = {
  created: { Icon: PlusIcon, tone: 'queued', label: 'Created' },
  started: { Icon: PlayIcon, tone: 'running', label: 'Started' },
  stage_started: { Icon: FlagIcon, tone: 'running', label: 'Stage started' },
  stage_completed: { Icon: CheckIcon, tone: 'running', label: 'Stage completed' },
  stage_failed: { Icon: AlertIcon, tone: 'failed', label: 'Stage failed' },
  progress: { Icon: BoltIcon, tone: 'running', label: 'Progress' },
  log: { Icon: ListIcon, tone: 'queued', label: 'Note' },
  paused: { Icon: PauseIcon, tone: 'paused', label: 'Paused' },
  job_resumed: { Icon: PlayIcon, tone: 'running', label: 'Resumed' },
  retried: { Icon: RetryIcon, tone: 'running', label: 'Retried' },
  stalled: { Icon: AlertIcon, tone: 'paused', label: 'Stalled' },
  unstalled: { Icon: PlayIcon, tone: 'running', label: 'Progressing again' },
  stop_requested: { Icon: StopAfterIcon, tone: 'paused', label: 'Stop requested' },
  recovered: { Icon: CheckIcon, tone: 'running', label: 'Recovered' },
  completed: { Icon: CheckIcon, tone: 'completed', label: 'Completed' },
  failed: { Icon: AlertIcon, tone: 'failed', label: 'Failed' },
  canceled: { Icon: CancelIcon, tone: 'canceled', label: 'Canceled' },
  priority: { Icon: StarIcon, tone: 'awaiting_approval', label: 'Priority changed' },
  gate_waiting: { Icon: ClockIcon, tone: 'awaiting_approval', label: 'Waiting for approval' },
  gate_approved: { Icon: CheckIcon, tone: 'completed', label: 'Approved' },
  gate_rejected: { Icon: CancelIcon, tone: 'canceled', label: 'Rejected' },
  gate_timed_out: { Icon: ClockIcon, tone: 'awaiting_approval', label: 'Approval timed out' },
  webhook: { Icon: LinkIcon, tone: 'queued', label: 'Webhook' },
  heartbeat: { Icon: ClockIcon, tone: 'queued', label: 'Heartbeat' },
  events_dropped: { Icon: ListIcon, tone: 'queued', label: 'Older events dropped' },
};

function EventRow({ event, top }: { event: JobEvent; top: number }): ReactElement {
  const { Icon, tone, label } = LOOK[event.type] ?? LOOK.log;
  return (
    <li className={`event-row state-${tone}`} style={{ transform: `translateY(${top}px)` }} data-type={event.type} aria-label={`${label}: ${event.message}`}>
      <span className="event-icon" aria-hidden="true">
        <Icon />
      </span>
      <div className="event-text">
        <span className="event-type">{label}</span>
        <span className="event-message" title={event.message}>
          {event.message}
        </span>
      </div>
      <time className="event-time" dateTime={new Date(event.ts).toISOString()} title={formatFullTimestamp(event.ts)}>
        {formatTimestamp(event.ts)}
      </time>
    </li>
  );
}

export function EventsTab({ jobId }: { jobId: number }): ReactElement {
  const { list, status, error, mine } = useFerryStore(
    useShallow((s) => ({ list: s.detail.events.list, status: s.detail.events.status, error: s.detail.events.error, mine: s.detail.events.jobId === jobId })),
  );
  const [showProgress, setShowProgress] = useState(false);
  const shown = useMemo(() => (showProgress ? list : list.filter((e) => e.type !== 'progress')), [list, showProgress]);
  const hidden = list.length - shown.length;
  const scrollRef = useRef<HTMLDivElement>(null);
  const atEnd = useRef(true);
  const virtualizer = useVirtualizer({ count: shown.length, getScrollElement: () => scrollRef.current, estimateSize: () => ROW, overscan: 8 });

  useLayoutEffect(() => {
    const el = scrollRef.current;
    if (el && atEnd.current) el.scrollTop = el.scrollHeight;
  }, [shown.length]);

  return (
    <div className="events-tab" data-testid="events-tab">
      <div className="events-toolbar">
        <span className="muted">
          {formatCount(shown.length)} {plural(shown.length, 'event')}
          {hidden > 0 ? ` · ${formatCount(hidden)} progress ${plural(hidden, 'update')} hidden` : ''}
        </span>
        <label className="events-toggle">
          <input type="checkbox" className="checkbox" checked={showProgress} onChange={(e) => setShowProgress(e.target.checked)} />
          Show progress updates
        </label>
      </div>
      {!mine || status === 'loading' ? (
        <EmptyState title="Loading events…" />
      ) : status === 'error' ? (
        <EmptyState glyph={<AlertIcon />} title="Could not load events" hint={error ?? undefined} />
      ) : shown.length === 0 ? (
        <EmptyState title="No events yet" hint="Events appear as the job is queued, started, paused and finished." />
      ) : (
        <div
          ref={scrollRef}
          className="events-scroll"
          onScroll={(e) => {
            const el = e.currentTarget;
            atEnd.current = el.scrollHeight - el.scrollTop - el.clientHeight < 8;
          }}
        >
          <ol className="events-list" aria-label={`Events of job ${jobId}`} style={{ height: virtualizer.getTotalSize() }}>
            {virtualizer.getVirtualItems().map((item) => {
              const event = shown[item.index];
              return event ? <EventRow key={event.seq} event={event} top={item.start} /> : null;
            })}
          </ol>
        </div>
      )}
    </div>
  );
}
