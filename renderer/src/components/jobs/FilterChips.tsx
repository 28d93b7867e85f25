/**
 * Filters: state chips (any of the pressed ones), a kind menu, and a way back to everything. Where
 * the jobs pane is too narrow for the chips on one line (beside the detail in a small window), the
 * states are offered in a menu instead, so the filters keep to one line (JobsView.css).
 */
import { useState } from 'react';
import type { ReactElement } from 'react';
import { formatState } from '../../../../shared/format';
import { JOB_KINDS } from '../../../../shared/model';
import type { JobStateFilter } from '../../../../shared/model';
import { setJobQuery, toggleKindFilter, toggleStateFilter } from '../../store/actions/jobs';
import { selectJobQuery } from '../../store/selectors';
import { useFerryStore } from '../../store/store';
import { ChevronDownIcon, CloseIcon } from '../common/icons';
import { Menu } from '../common/Menu';
import type { MenuEntry } from '../common/Menu';
import '../../styles/states.css';

const STATES: readonly JobStateFilter[] = ['running', 'queued', 'paused', 'completed', 'partial', 'failed', 'canceled'];

/** A chip that opens a menu of choices under it. */
function FilterMenu({ label, name, pressed, testId, className, entries }: { label: string; name: string; pressed: boolean; testId: string; className?: string; entries: MenuEntry[] }): ReactElement {
  const [menu, setMenu] = useState<{ x: number; y: number } | null>(null);
  return (
    <>
      <button
        type="button"
        className={`chip chip-menu${className ? ` ${className}` : ''}`}
        aria-haspopup="menu"
        aria-expanded={menu !== null}
        aria-pressed={pressed}
        aria-label={`${name}: ${label}`}
        title={`${name}: ${label}`}
        onClick={(event) => {
          const r = event.currentTarget.getBoundingClientRect();
          setMenu(menu ? null : { x: r.left, y: r.bottom + 4 });
        }}
      >
        <span className="chip-menu-label">{label}</span>
        <ChevronDownIcon className="chip-caret" />
      </button>
      {menu ? <Menu x={menu.x} y={menu.y} label={name} testId={testId} onClose={() => setMenu(null)} entries={entries} /> : null}
    </>
  );
}

function KindFilter(): ReactElement {
  const kinds = useFerryStore((s) => s.jobs.view.query.kinds);
  return (
    <FilterMenu
      name="Kind filter"
      label={kinds.length === 0 ? 'Any kind' : kinds.join(', ')}
      pressed={kinds.length > 0}
      testId="kind-menu"
      entries={[
        ...JOB_KINDS.map((kind) => ({ label: kind, checked: kinds.includes(kind), onSelect: () => toggleKindFilter(kind) })),
        'separator' as const,
        { label: 'Any kind', disabled: kinds.length === 0, onSelect: () => setJobQuery({ kinds: [] }) },
      ]}
    />
  );
}

/** The state chips as one menu, for a pane too narrow to show them side by side. */
function StateMenu({ states }: { states: readonly JobStateFilter[] }): ReactElement {
  const label = states.length === 0 ? 'Any state' : states.length <= 2 ? states.map(formatState).join(', ') : `${states.length} states`;
  return (
    <FilterMenu
      name="State filter"
      label={label.charAt(0).toUpperCase() + label.slice(1)}
      pressed={states.length > 0}
      testId="state-menu"
      className="filter-state-menu"
      entries={[
        ...STATES.map((state) => ({
          label: formatState(state),
          checked: states.includes(state),
          icon: <span className={`chip-dot state-${state}`} />,
          onSelect: () => toggleStateFilter(state),
        })),
        'separator' as const,
        { label: 'Any state', disabled: states.length === 0, onSelect: () => setJobQuery({ states: [] }) },
      ]}
    />
  );
}

export function FilterChips(): ReactElement {
  const query = useFerryStore(selectJobQuery);
  const any = query.states.length > 0 || query.kinds.length > 0 || query.text !== '';
  return (
    <div className="filter-bar" role="toolbar" aria-label="Filters" data-testid="filter-bar">
      <div className="filter-group filter-chips" role="group" aria-label="State">
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
      <StateMenu states={query.states} />
      <span className="filter-sep" aria-hidden="true" />
      <KindFilter />
      {any ? (
        <button type="button" className="btn btn-small btn-ghost filter-clear" onClick={() => setJobQuery({ states: [], kinds: [], text: '' })} aria-label="Clear filters" title="Clear filters">
          <CloseIcon className="filter-clear-icon" aria-hidden="true" />
          <span className="filter-clear-label">Clear filters</span>
        </button>
      ) : null}
    </div>
  );
}
