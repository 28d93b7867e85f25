/**
 * The settings screen's form: what the fields hold (text as typed), how it becomes an
 * updateSettings patch, and the field errors the shared schema finds before the engine is asked.
 */
import { JOB_KINDS, type JobKind } from '../../../../shared/model';
import { settingsSchema } from '../../../../shared/settings';
import type { Settings } from '../../../../shared/settings';
import { fromBytesPerSecond, toBytesPerSecond } from './bandwidthUnits';
import type { BandwidthValue } from './bandwidthUnits';
import { plainFieldErrors } from '../../lib/fieldErrors';

export interface ScheduleRow {
  key: number;
  days: number[];
  from: string;
  to: string;
  limit: BandwidthValue;
}

/** Per job kind, as typed; an empty field means no limit for that kind. */
export type PerKindForm = Record<JobKind, string>;

export interface SettingsForm {
  concurrency: string;
  kindConcurrency: PerKindForm;
  destinationConcurrency: string;
  kindTimeoutSeconds: PerKindForm;
  parallelFiles: string;
  chunkSizeMiB: string;
  receiverPort: string;
  receiverOnLan: boolean;
  receiverRequireToken: boolean;
  limited: boolean;
  bandwidth: BandwidthValue;
  schedule: ScheduleRow[];
  notifyOnComplete: boolean;
  notifyOnFailure: boolean;
  retentionDays: string;
  eventsMaxPerJob: string;
  eventsMaxAgeDays: string;
  progressWebhookSeconds: string;
  startAtLogin: boolean;
  allowLocalScripts: boolean;
  onSourceChange: Settings['onSourceChange'];
}

let rowKey = 0;
export const newScheduleRow = (): ScheduleRow => ({ key: ++rowKey, days: [1, 2, 3, 4, 5], from: '09:00', to: '17:00', limit: { amount: '10', unit: 'MB/s' } });

export function toForm(s: Settings): SettingsForm {
  return {
    concurrency: String(s.concurrency),
    kindConcurrency: perKindForm(s.kindConcurrency),
    destinationConcurrency: String(s.destinationConcurrency),
    kindTimeoutSeconds: perKindForm(s.kindTimeoutSeconds),
    parallelFiles: String(s.parallelFiles),
    chunkSizeMiB: String(s.chunkSizeMiB),
    receiverPort: String(s.receiverPort),
    receiverOnLan: s.receiverOnLan,
    receiverRequireToken: s.receiverRequireToken,
    limited: s.bandwidthLimit > 0,
    bandwidth: s.bandwidthLimit > 0 ? fromBytesPerSecond(s.bandwidthLimit) : { amount: '10', unit: 'MB/s' },
    schedule: s.bandwidthSchedule.map((e) => ({ key: ++rowKey, days: [...e.days], from: e.from, to: e.to, limit: fromBytesPerSecond(e.bytesPerSecond) })),
    notifyOnComplete: s.notifyOnComplete,
    notifyOnFailure: s.notifyOnFailure,
    retentionDays: String(s.retentionDays),
    eventsMaxPerJob: String(s.eventsMaxPerJob),
    eventsMaxAgeDays: String(s.eventsMaxAgeDays),
    progressWebhookSeconds: String(s.progressWebhookSeconds),
    startAtLogin: s.startAtLogin,
    allowLocalScripts: s.allowLocalScripts,
    onSourceChange: s.onSourceChange,
  };
}

const int = (s: string): number => (s.trim() === '' ? Number.NaN : Number(s));

const perKindForm = (values: Partial<Record<JobKind, number>>): PerKindForm =>
  Object.fromEntries(JOB_KINDS.map((k) => [k, values[k] === undefined ? '' : String(values[k])])) as PerKindForm;

/** Only the kinds with a figure: an empty field leaves that kind unlimited. */
const perKindPatch = (f: PerKindForm): Partial<Record<JobKind, number>> =>
  Object.fromEntries(JOB_KINDS.filter((k) => f[k].trim() !== '').map((k) => [k, int(f[k])]));

/** Everything but the theme, which saves on its own the moment it changes. */
export function toPatch(f: SettingsForm): Omit<Settings, 'theme'> {
  return {
    concurrency: int(f.concurrency),
    kindConcurrency: perKindPatch(f.kindConcurrency),
    destinationConcurrency: int(f.destinationConcurrency),
    kindTimeoutSeconds: perKindPatch(f.kindTimeoutSeconds),
    parallelFiles: int(f.parallelFiles),
    chunkSizeMiB: int(f.chunkSizeMiB),
    receiverPort: int(f.receiverPort),
    receiverOnLan: f.receiverOnLan,
    receiverRequireToken: f.receiverRequireToken,
    bandwidthLimit: f.limited ? toBytesPerSecond(f.bandwidth) : 0,
    bandwidthSchedule: f.schedule.map((r) => ({ days: [...r.days].sort(), from: r.from, to: r.to, bytesPerSecond: toBytesPerSecond(r.limit) })),
    notifyOnComplete: f.notifyOnComplete,
    notifyOnFailure: f.notifyOnFailure,
    retentionDays: int(f.retentionDays),
    eventsMaxPerJob: int(f.eventsMaxPerJob),
    eventsMaxAgeDays: int(f.eventsMaxAgeDays),
    progressWebhookSeconds: int(f.progressWebhookSeconds),
    startAtLogin: f.startAtLogin,
    allowLocalScripts: f.allowLocalScripts,
    onSourceChange: f.onSourceChange,
  };
}

/** Field errors keyed by settings path (`concurrency`, `bandwidthSchedule.0.from`). */
export function validateForm(f: SettingsForm, theme: Settings['theme']): Record<string, string> {
  const errors: Record<string, string> = {};
  const parsed = settingsSchema.safeParse({ ...toPatch(f), theme });
  if (!parsed.success) {
    Object.assign(errors, plainFieldErrors(parsed.error.issues));
    for (const key of Object.keys(errors)) if (key.endsWith('.days')) errors[key] = 'Pick at least one day';
  }
  if (f.limited && !(toBytesPerSecond(f.bandwidth) > 0)) errors.bandwidthLimit = 'Enter a limit above zero, or turn the limit off';
  f.schedule.forEach((r, i) => {
    if (r.from === r.to) errors[`bandwidthSchedule.${i}.to`] ??= 'Ends when it starts';
  });
  return errors;
}

export const sameForm = (a: SettingsForm, b: SettingsForm): boolean => JSON.stringify(toPatch(a)) === JSON.stringify(toPatch(b)) && a.limited === b.limited;
