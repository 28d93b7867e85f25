/**
 * The sidebar: the primary action, jobs by state with live counts (the `stats` stream), and the
 * other screens. A state entry is a shortcut for the table's state filter.
 */
import { Fragment } from 'react';
import type { ReactElement, ReactNode } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { formatCount, formatState } from '../../../../shared/format';
import type { JobState } from '../../../../shared/model';
import { openShortcuts } from '../../store/actions/dialogs';
import { plural } from '../../../../shared/plural';
import { goTo, showJobsIn } from '../../store/actions/navigation';
import { openNewJob } from '../../store/actions/newJobs';
import { openNewUpload } from '../../store/actions/upload';
import { selectStateCounts } from '../../store/selectors';
import { useFerryStore } from '../../store/store';
import type { View } from '../../store/uiSlice';
import { BoltIcon, ChartIcon, DownloadIcon, FerryMark, FolderIcon, GearIcon, KeyboardIcon, ListIcon, ServerIcon, UploadIcon } from '../common/icons';
import { MOD_LABEL } from '../common/Kbd';
import { ThemeSwitch } from './ThemeSwitch';
import '../../styles/states.css';
import './Sidebar.css';

const STATES: readonly JobState[] = ['running', 'queued', 'paused', 'awaiting_approval', 'completed', 'failed', 'canceled'];

/** The sidebar entry that matches what the screen shows. */
const selectCurrent = (s: { ui: { view: View }; jobs: { view: { query: { states: string[]; kinds: unknown[]; text: string } } } }): string => {
  if (s.ui.view !== 'jobs') return s.ui.view;
  const { states } = s.jobs.view.query;
  if (states.length === 0) return 'jobs:all';
  return states.length === 1 ? `jobs:${states[0]}` : 'jobs:custom';
};

function NavItem({ id, current, label, icon, count, tone, onClick }: { id: string; current: string; label: string; icon?: ReactNode; count?: number; tone?: string; onClick: () => void }): ReactElement {
  const active = current === id;
  return (
    <li>
      <button
        type="button"
        className={`sidebar-item${active ? ' sidebar-item-active' : ''}${tone ? ` ${tone}` : ''}`}
        aria-current={active ? 'page' : undefined}
        data-nav={id}
        onClick={onClick}
      >
        {icon ? <span className="sidebar-icon">{icon}</span> : <span className="sidebar-dot" aria-hidden="true" />}
        <span className="sidebar-label">{label}</span>
        {count !== undefined ? (
          <span className="sidebar-count" data-testid={`count-${id}`} aria-label={`${formatCount(count)} ${plural(count, 'job')}`}>
            {count > 0 ? formatCount(count) : ''}
          </span>
        ) : null}
      </button>
    </li>
  );
}

export function Sidebar(): ReactElement {
  const counts = useFerryStore(useShallow(selectStateCounts));
  const current = useFerryStore(selectCurrent);
  const partial = useFerryStore((s) => s.stats.current?.partial ?? 0);
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  return (
    <nav className="sidebar" aria-label="Ferry">
      <div className="sidebar-brand">
        <FerryMark />
        <span className="sidebar-name">Ferry</span>
      </div>
      <button type="button" className="btn btn-primary sidebar-new" onClick={openNewUpload} title={`New upload (${MOD_LABEL}+O)`}>
        <UploadIcon />
        New upload
      </button>
      <div className="sidebar-more">
        <button type="button" className="btn btn-small" onClick={() => openNewJob('download')} title="Download a URL to this computer as a job">
          <DownloadIcon />
          Download
        </button>
        <button type="button" className="btn btn-small" onClick={() => openNewJob('command')} title="Run a program as a job">
          <BoltIcon />
          Command
        </button>
      </div>
      <div className="sidebar-scroll">
        <h2 className="sidebar-heading" id="sidebar-jobs">
          Jobs
        </h2>
        <ul className="sidebar-list" aria-labelledby="sidebar-jobs">
          <NavItem id="jobs:all" current={current} label="All jobs" icon={<ListIcon />} count={total} onClick={() => showJobsIn([])} />
          {STATES.filter((state) => state !== 'awaiting_approval' || counts[state] > 0).map((state) => (
            <Fragment key={state}>
              <NavItem
                id={`jobs:${state}`}
                current={current}
                label={formatState(state).replace(/^./, (c) => c.toUpperCase())}
                count={counts[state]}
                tone={`state-${state}`}
                onClick={() => showJobsIn([state])}
              />
              {/* Of the completed jobs, those with failed files: shown while there are some. */}
              {state === 'completed' && (partial > 0 || current === 'jobs:partial') ? (
                <NavItem id="jobs:partial" current={current} label="With failures" count={partial} tone="state-partial sidebar-item-sub" onClick={() => showJobsIn(['partial'])} />
              ) : null}
            </Fragment>
          ))}
        </ul>
        <h2 className="sidebar-heading" id="sidebar-places">
          Transfer
        </h2>
        <ul className="sidebar-list" aria-labelledby="sidebar-places">
          <NavItem id="browse" current={current} label="Browse" icon={<FolderIcon />} onClick={() => goTo('browse')} />
          <NavItem id="destinations" current={current} label="Destinations" icon={<ServerIcon />} onClick={() => goTo('destinations')} />
          <NavItem id="watch" current={current} label="Watched folders" icon={<FolderIcon />} onClick={() => goTo('watch')} />
          <NavItem id="webhooks" current={current} label="Webhooks" icon={<BoltIcon />} onClick={() => goTo('webhooks')} />
          <NavItem id="stats" current={current} label="Stats" icon={<ChartIcon />} onClick={() => goTo('stats')} />
        </ul>
      </div>
      <div className="sidebar-footer">
        <ul className="sidebar-list">
          <NavItem id="settings" current={current} label="Settings" icon={<GearIcon />} onClick={() => goTo('settings')} />
        </ul>
        <div className="sidebar-footer-row">
          <ThemeSwitch />
          <button type="button" className="btn btn-icon btn-ghost" aria-label="Keyboard shortcuts" title="Keyboard shortcuts (?)" onClick={openShortcuts}>
            <KeyboardIcon />
          </button>
        </div>
      </div>
    </nav>
  );
}
