/** A centred glyph, title, hint and actions for places with nothing to show. */
import type { ReactElement, ReactNode } from 'react';
import { AlertIcon } from './icons';

interface EmptyStateProps {
  title: string;
  hint?: ReactNode;
  glyph?: ReactNode;
  actions?: ReactNode;
  testId?: string;
}

export function EmptyState({ title, hint, glyph, actions, testId }: EmptyStateProps): ReactElement {
  return (
    <div className="empty-state" data-testid={testId}>
      {glyph ? <div className="empty-state-glyph">{glyph}</div> : null}
      <p className="empty-state-title">{title}</p>
      {hint ? <p className="empty-state-hint">{hint}</p> : null}
      {actions ? <div className="empty-state-actions">{actions}</div> : null}
    </div>
  );
}

/** What a screen shows when its data could not be loaded: the engine's reason and a way to try again. */
export function LoadFailed({ what, error, retry, testId }: { what: string; error: string | null; retry: () => unknown; testId?: string }): ReactElement {
  return (
    <EmptyState
      glyph={<AlertIcon />}
      title={`Could not load ${what}`}
      hint={error ?? undefined}
      testId={testId}
      actions={
        <button type="button" className="btn" onClick={() => void retry()}>
          Try again
        </button>
      }
    />
  );
}
