/** A rate typed as a number and a unit. */
import type { ReactElement } from 'react';
import { BANDWIDTH_UNITS } from './bandwidthUnits';
import type { BandwidthUnit, BandwidthValue } from './bandwidthUnits';

interface BandwidthInputProps {
  value: BandwidthValue;
  onChange: (value: BandwidthValue) => void;
  label: string;
  disabled?: boolean;
  invalid?: boolean;
  id?: string;
  'aria-describedby'?: string;
}

export function BandwidthInput({ value, onChange, label, disabled, invalid, id, ...rest }: BandwidthInputProps): ReactElement {
  return (
    <span className="bandwidth-input">
      <input
        id={id}
        className="input"
        type="number"
        min={0}
        step="any"
        value={value.amount}
        disabled={disabled}
        aria-label={label}
        aria-invalid={invalid || undefined}
        aria-describedby={rest['aria-describedby']}
        onChange={(e) => onChange({ ...value, amount: e.target.value })}
      />
      <select className="select" value={value.unit} disabled={disabled} aria-label={`${label} unit`} onChange={(e) => onChange({ ...value, unit: e.target.value as BandwidthUnit })}>
        {BANDWIDTH_UNITS.map((u) => (
          <option key={u.unit} value={u.unit}>
            {u.unit}
          </option>
        ))}
      </select>
    </span>
  );
}
