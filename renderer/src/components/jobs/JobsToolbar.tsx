/** The jobs screen's header: what is shown and how many, the search, and the secondary actions. */
import { plural } from '../../../../shared/plural';
import { useEffect, useRef, useState } from 'react';
import type { ReactElement } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { formatCount, formatState } from '../../../../shared/format';
import { exportJobList } from '../../store/actions/exportJobs';
import { createDemoJob, setJobQuery } from '../../store/actions/jobs';
import { JOB_SEARCH_ID } from '../../store/actions/navigation';
import { selectJobQuery, selectViewStatus } from '../../store/selectors';
import { useFerryStore } from '../../store/store';
import { BeakerIcon, ChevronDownIcon, DownloadIcon, SearchIcon } from '../common/icons';
import { Menu } from '../common/Menu';
import { Kbd } from '../common/Kbd';

const SEARCH_DEBOUNCE_MS = 250;

function title(states: string[]): string {
  if (states.length === 0) return 'All jobs';
  if (states.length === 1) return formatState(states[0] as string).replace(/^./, (c) => c.toUpperCase());
  return `${states.length} states`;
}

function SearchBox(): ReactElement {
  const text = useFerryStore((s) => s.jobs.view.query.text);
  const [value, setValue] = useState(text);
  const timer = useRef<number | undefined>(undefined);
  // A query set elsewhere (Clear filters) shows here too.
  useEffect(() => setValue(text), [text]);
  useEffect(() => () => window.clearTimeout(timer.current), []);
  const commit = (next: string, now = false) => {
    window.clearTimeout(timer.current);
    if (now) setJobQuery({ text: next });
    else timer.current = window.setTimeout(() => setJobQuery({ text: next }), SEARCH_DEBOUNCE_MS);
  };
  return (
    <div className="search-box">
      <SearchIcon />
      <input
        id={JOB_SEARCH_ID}
        className="input"
        type="search"
        placeholder="Search jobs and logs"
        aria-label="Search jobs"
        value={value}
        onChange={(event) => {
          setValue(event.target.value);
          commit(event.target.value);
        }}
        onKeyDown={(event) => {
          if (event.key === 'Enter') commit(value, true);
          if (event.key === 'Escape' && value) {
            event.stopPropagation();
            setValue('');
            commit('', true);
          }
        }}
      />
      {value ? null : (
        <span className="search-box-hint" aria-hidden="true">
          <Kbd>Mod</Kbd>
          <Kbd>F</Kbd>
        </span>
      )}
    </div>
  );
}

/** Export: the jobs the table shows (filters, search, sort), as CSV or JSON. */
function ExportButton({ filtered, total }: { filtered: boolean; total: number }): ReactElement {
  const [menu, setMenu] = useState<{ x: number; y: number } | null>(null);
  const what = filtered ? `the ${formatCount(total)} matching ${plural(total, 'job')}` : `all ${formatCount(total)} ${plural(total, 'job')}`;
  return (
    <>
      <button
        type="button"
        className="btn btn-ghost"
        aria-haspopup="menu"
        aria-expanded={menu !== null}
        aria-label="Export"
        title={`Export ${what} as CSV or JSON`}
        disabled={total === 0}
        onClick={(event) => {
          const r = event.currentTarget.getBoundingClientRect();
          setMenu(menu ? null : { x: r.left, y: r.bottom + 4 });
        }}
      >
        <DownloadIcon />
        <span className="jobs-toolbar-label">Export</span>
        <ChevronDownIcon className="chip-caret" />
      </button>
      {menu ? (
        <Menu
          x={menu.x}
          y={menu.y}
          label={`Export ${what}`}
          testId="export-menu"
          onClose={() => setMenu(null)}
          entries={[
            { label: 'CSV', hint: 'for spreadsheets', onSelect: () => void exportJobList('csv') },
            { label: 'JSON', hint: 'for scripts', onSelect: () => void exportJobList('json') },
          ]}
        />
      ) : null}
    </>
  );
}

export function JobsToolbar(): ReactElement {
  const query = useFerryStore(selectJobQuery);
  const { status, total } = useFerryStore(useShallow(selectViewStatus));
  const filtered = query.states.length > 0 || query.kinds.length > 0 || query.text.trim() !== '';
  const count = status === 'loading' ? 'Loading…' : `${formatCount(total)} ${filtered && query.states.length !== 1 ? 'matching' : total === 1 ? 'job' : 'jobs'}`;
  return (
    <header className="jobs-toolbar">
      <div className="jobs-toolbar-title">
        <h1 className="screen-title">{title(query.states)}</h1>
        <span className="screen-meta" data-testid="job-count" aria-live="polite">
          {count}
        </span>
      </div>
      <SearchBox />
      <ExportButton filtered={filtered} total={status === 'loading' ? 0 : total} />
      <button type="button" className="btn btn-ghost" onClick={() => void createDemoJob()} aria-label="New demo job" title="Start a demo job with simulated items and a live log">
        <BeakerIcon />
        <span className="jobs-toolbar-label">New demo job</span>
      </button>
    </header>
  );
}
