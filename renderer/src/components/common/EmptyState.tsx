/** A centred glyph, title, hint and actions for places with nothing to show. */
import type { ReactElement, ReactNode } from 'react';

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
