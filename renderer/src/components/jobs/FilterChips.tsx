/** Filters: state chips (any of the pressed ones), a kind menu, and a way back to everything. */
import { useState } from 'react';
import type { ReactElement } from 'react';
import { formatState } from '../../../../shared/format';
import { JOB_KINDS } from '../../../../shared/model';
import type { JobStateFilter } from '../../../../shared/model';
import { setJobQuery, toggleKindFilter, toggleStateFilter } from '../../store/actions/jobs';
import { selectJobQuery } from '../../store/selectors';
import { useFerryStore } from '../../store/store';
import { ChevronDownIcon } from '../common/icons';
import { Menu } from '../common/Menu';
import '../../styles/states.css';

const STATES: readonly JobStateFilter[] = ['running', 'queued', 'paused', 'completed', 'partial', 'failed', 'canceled'];

function KindFilter(): ReactElement {
  const kinds = useFerryStore((s) => s.jobs.view.query.kinds);
  const [menu, setMenu] = useState<{ x: number; y: number } | null>(null);
  const label = kinds.length === 0 ? 'Any kind' : kinds.join(', ');
  return (
    <>
      <button
        type="button"
        className="chip chip-menu"
        aria-haspopup="menu"
        aria-expanded={menu !== null}
        aria-pressed={kinds.length > 0}
        aria-label={`Kind filter: ${label}`}
        onClick={(event) => {
          const r = event.currentTarget.getBoundingClientRect();
          setMenu(menu ? null : { x: r.left, y: r.bottom + 4 });
        }}
      >
        {label}
        <ChevronDownIcon className="chip-caret" />
      </button>
      {menu ? (
        <Menu
          x={menu.x}
          y={menu.y}
          label="Kinds"
          testId="kind-menu"
          onClose={() => setMenu(null)}
          entries={[
            ...JOB_KINDS.map((kind) => ({ label: kind, checked: kinds.includes(kind), onSelect: () => toggleKindFilter(kind) })),
            'separator' as const,
            { label: 'Any kind', disabled: kinds.length === 0, onSelect: () => setJobQuery({ kinds: [] }) },
          ]}
        />
      ) : null}
    </>
  );
}

export function FilterChips(): ReactElement {
  const query = useFerryStore(selectJobQuery);
  const any = query.states.length > 0 || query.kinds.length > 0 || query.text !== '';
  return (
    <div className="filter-bar" role="toolbar" aria-label="Filters">
      <div className="filter-group" role="group" aria-label="State">
        {STATES.map((state) => (
          <button
            key={state}
            type="button"
            className={`chip state-${state}`}
            aria-pressed={query.states.includes(state)}
            onClick={() => toggleStateFilter(state)}
            data-filter-state={state}
          >
            <span className="chip-dot" aria-hidden="true" />
            {formatState(state)}
          </button>
        ))}
      </div>
      <span className="filter-sep" aria-hidden="true" />
      <KindFilter />
      {any ? (
        <button type="button" className="btn btn-small btn-ghost filter-clear" onClick={() => setJobQuery({ states: [], kinds: [], text: '' })}>
          Clear filters
        </button>
      ) : null}
    </div>
  );
}
