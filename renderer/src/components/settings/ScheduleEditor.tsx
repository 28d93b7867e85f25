/** The weekly bandwidth schedule: rules of days, a time window and a limit that overrides the default. */
import type { ReactElement } from 'react';
import { PlusIcon, TrashIcon } from '../common/icons';
import { BandwidthInput } from './BandwidthInput';
import { newScheduleRow } from './settingsForm';
import type { ScheduleRow } from './settingsForm';

/** Monday first; the engine numbers days as JavaScript does (0 = Sunday). */
const DAYS: ReadonlyArray<{ day: number; short: string; name: string }> = [
  { day: 1, short: 'M', name: 'Monday' },
  { day: 2, short: 'T', name: 'Tuesday' },
  { day: 3, short: 'W', name: 'Wednesday' },
  { day: 4, short: 'T', name: 'Thursday' },
  { day: 5, short: 'F', name: 'Friday' },
  { day: 6, short: 'S', name: 'Saturday' },
  { day: 0, short: 'S', name: 'Sunday' },
];

interface ScheduleEditorProps {
  rows: ScheduleRow[];
  onChange: (rows: ScheduleRow[]) => void;
  errors: Record<string, string>;
}

export function ScheduleEditor({ rows, onChange, errors }: ScheduleEditorProps): ReactElement {
  const update = (key: number, patch: Partial<ScheduleRow>) => onChange(rows.map((r) => (r.key === key ? { ...r, ...patch } : r)));
  return (
    <div className="schedule" data-testid="schedule-editor">
      {rows.length === 0 ? <p className="field-hint schedule-empty">No rules: the limit above applies all week.</p> : null}
      {rows.map((row, i) => {
        const rowErrors = Object.entries(errors).filter(([k]) => k.startsWith(`bandwidthSchedule.${i}.`) || k === `bandwidthSchedule.${i}`);
        return (
          <div key={row.key} className="schedule-row" role="group" aria-label={`Rule ${i + 1}`}>
            <div className="schedule-when">
              <div className="schedule-days" role="group" aria-label="Days">
                {DAYS.map((d) => (
                  <button
                    key={d.day}
                    type="button"
                    className="day-toggle"
                    aria-pressed={row.days.includes(d.day)}
                    aria-label={d.name}
                    title={d.name}
                    onClick={() => update(row.key, { days: row.days.includes(d.day) ? row.days.filter((x) => x !== d.day) : [...row.days, d.day] })}
                  >
                    {d.short}
                  </button>
                ))}
              </div>
              <span className="schedule-window">
                <input className="input schedule-time" type="time" aria-label="From" value={row.from} onChange={(e) => update(row.key, { from: e.target.value })} />
                <span className="muted">to</span>
                <input className="input schedule-time" type="time" aria-label="To" value={row.to} onChange={(e) => update(row.key, { to: e.target.value })} />
              </span>
            </div>
            <div className="schedule-limit">
              <span className="muted">Limit to</span>
              <BandwidthInput label={`Rule ${i + 1} limit`} value={row.limit} onChange={(limit) => update(row.key, { limit })} />
            </div>
            <button type="button" className="btn btn-icon btn-ghost schedule-remove" aria-label={`Remove rule ${i + 1}`} title="Remove rule" onClick={() => onChange(rows.filter((r) => r.key !== row.key))}>
              <TrashIcon />
            </button>
            {rowErrors.length ? (
              <p className="field-error schedule-error" role="alert">
                {rowErrors.map(([, m]) => m).join(' · ')}
              </p>
            ) : null}
          </div>
        );
      })}
      <button type="button" className="btn btn-small" onClick={() => onChange([...rows, newScheduleRow()])}>
        <PlusIcon />
        Add rule
      </button>
    </div>
  );
}
