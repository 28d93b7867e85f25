/** A job (or file) state as a small coloured pill. */
import type { ReactElement } from 'react';
import { formatState } from '../../../../shared/format';
import '../../styles/states.css';
import './StateBadge.css';

export function StateBadge({ state }: { state: string }): ReactElement {
  return (
    <span className={`state-badge state-${state}`} data-state={state}>
      <span className="state-badge-dot" aria-hidden="true" />
      {formatState(state)}
    </span>
  );
}
