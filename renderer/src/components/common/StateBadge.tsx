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
/**
 * The label with a line break allowed only after its first word ("completed / with failures",
 * "awaiting / approval"), so a narrow column shows it whole on two lines instead of cutting it.
 */
function BadgeLabel({ text }: { text: string }): ReactElement {
  const space = text.indexOf(' ');
  if (space < 0) return <span className="state-badge-label">{text}</span>;
  return (
    <span className="state-badge-label">
      {text.slice(0, space)} <span className="state-badge-words">{text.slice(space + 1)}</span>
    </span>
  );
}

export function StateBadge({ state, result }: { state: string; result?: string | null }): ReactElement {
  const tone = jobTone({ state: state as JobState, result: (result ?? null) as JobResult | null });
  const partial = tone === 'partial';
  return (
    <span className={`state-badge state-${tone}`} data-state={state} data-result={result ?? undefined}>
      <span className="state-badge-dot" aria-hidden="true" />
      <BadgeLabel text={partial ? 'completed with failures' : formatState(state)} />
    </span>
  );
}
