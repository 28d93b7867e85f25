/**
 * A labelled form control with an optional hint and an inline error; the control gets its id,
 * `aria-describedby` and `aria-invalid` from here.
 */
import { cloneElement, useId } from 'react';
import type { ReactElement, ReactNode } from 'react';
import './Field.css';

interface FieldProps {
  label: ReactNode;
  hint?: ReactNode;
  error?: string | null;
  children: ReactElement<Record<string, unknown>>;
  /** Lays the label beside the control (checkboxes and switches). */
  inline?: boolean;
  className?: string;
}

export function Field({ label, hint, error, children, inline = false, className }: FieldProps): ReactElement {
  const id = useId();
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const describedBy = [hint ? hintId : null, error ? errorId : null].filter(Boolean).join(' ') || undefined;
  const control = cloneElement(children, {
    id,
    'aria-describedby': describedBy,
    'aria-invalid': error ? true : undefined,
  });
  return (
    <div className={`field${inline ? ' field-inline' : ''}${error ? ' field-has-error' : ''}${className ? ` ${className}` : ''}`}>
      {inline ? control : null}
      <label htmlFor={id} className="field-label">
        {label}
      </label>
      {inline ? null : control}
      {hint ? (
        <p id={hintId} className="field-hint">
          {hint}
        </p>
      ) : null}
      {error ? (
        <p id={errorId} className="field-error" role="alert">
          {error}
        </p>
      ) : null}
    </div>
  );
}
