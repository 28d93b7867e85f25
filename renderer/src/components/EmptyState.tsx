/** A centred title and hint for panes with nothing to show. */
import type { ReactElement, ReactNode } from 'react';

interface EmptyStateProps {
  title: string;
  hint?: ReactNode;
  glyph?: ReactNode;
  testId?: string;
}

export function EmptyState({ title, hint, glyph, testId }: EmptyStateProps): ReactElement {
  return (
    <div className="empty-state" data-testid={testId}>
      {glyph ? <div className="empty-state-glyph">{glyph}</div> : null}
      <p className="empty-state-title">{title}</p>
      {hint ? <p className="empty-state-hint">{hint}</p> : null}
    </div>
  );
}
