/**
 * A write-only secret: when one is stored it shows as dots with "Replace"; the stored value is
 * never sent to the interface, so there is nothing to pre-fill.
 */
import type { ReactElement, ReactNode } from 'react';
import { Field } from '../common/Field';

interface SecretFieldProps {
  label: string;
  hint?: ReactNode;
  stored: boolean;
  replacing: boolean;
  onReplace: (replacing: boolean) => void;
  value: string;
  onChange: (value: string) => void;
  error?: string | null;
  placeholder?: string;
}

export function SecretField({ label, hint, stored, replacing, onReplace, value, onChange, error, placeholder }: SecretFieldProps): ReactElement {
  if (stored && !replacing) {
    return (
      <div className="field">
        <span className="field-label">{label}</span>
        <div className="secret-stored" data-testid="secret-stored">
          <span className="secret-dots" aria-label="A secret is stored">
            ••••••
          </span>
          <span className="muted">stored</span>
          <button type="button" className="btn btn-small" onClick={() => onReplace(true)}>
            Replace
          </button>
        </div>
      </div>
    );
  }
  return (
    <div className="secret-field">
      <Field label={label} hint={hint} error={error}>
        <input className="input input-mono" type="password" autoComplete="new-password" value={value} onChange={(e) => onChange(e.target.value)} placeholder={placeholder} />
      </Field>
      {stored ? (
        <button
          type="button"
          className="btn btn-small btn-ghost secret-keep"
          onClick={() => {
            onChange('');
            onReplace(false);
          }}
        >
          Keep the stored secret
        </button>
      ) : null}
    </div>
  );
}
