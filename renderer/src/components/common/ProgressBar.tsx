/** A thin progress bar coloured by a state tone, with an optional percentage beside it. */
import type { ReactElement } from 'react';
import { formatPercent } from '../../../../shared/format';
import '../../styles/states.css';
import './ProgressBar.css';

interface ProgressBarProps {
  fraction: number;
  /** A job state, or an item state (`pending`, `uploading`, `done`, `failed`), for the colour. */
  state: string;
  label: string;
  showPercent?: boolean;
  size?: 'small' | 'large';
}

export function ProgressBar({ fraction, state, label, showPercent = true, size = 'small' }: ProgressBarProps): ReactElement {
  const percent = formatPercent(fraction);
  return (
    <div className={`progress progress-${size} state-${state}`}>
      <div className="progress-track" role="progressbar" aria-label={label} aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.floor(fraction * 100)}>
        <div className="progress-fill" style={{ transform: `scaleX(${fraction})` }} />
      </div>
      {showPercent ? <span className="progress-percent">{percent}</span> : null}
    </div>
  );
}
