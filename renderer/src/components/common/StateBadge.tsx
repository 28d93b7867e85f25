/** A job (or file) state as a small coloured pill. */
import type { ReactElement } from 'react';
import { formatState } from '../../../../shared/format';
import type { JobResult, JobState } from '../../../../shared/model';
import { jobTone } from '../../lib/jobTone';
import '../../styles/states.css';
import './StateBadge.css';

/**
 * A job that completed with some files failed is not a success: it gets its own tone and words
 * (the engine says so with `result: 'partial'`, as the CLI's "completed (partial)" does).
 */
export function StateBadge({ state, result }: { state: string; result?: string | null }): ReactElement {
  const tone = jobTone({ state: state as JobState, result: (result ?? null) as JobResult | null });
  const partial = tone === 'partial';
  return (
    <span className={`state-badge state-${tone}`} data-state={state} data-result={result ?? undefined}>
      <span className="state-badge-dot" aria-hidden="true" />
      {partial ? 'completed with failures' : formatState(state)}
    </span>
  );
}
