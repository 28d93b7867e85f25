/** The rule editor's form state: text as typed, seconds instead of milliseconds, patterns one per line. */
import { SENSOR_TYPES } from '../../../../shared/destinations';
import { watchRuleInput, type WatchMode, type WatchPolling, type WatchRule, type WatchRuleInput } from '../../../../shared/watch';
import { plainFieldErrors } from '../../lib/fieldErrors';

export interface WatchDraft {
  id?: string;
  name: string;
  path: string;
  mode: WatchMode;
  include: string;
  exclude: string;
  stabilitySec: string;
  batchSec: string;
  quietSec: string;
  markerFile: string;
  /** '' = the default destination. */
  destinationId: string;
  polling: WatchPolling;
  pollSec: string;
  enabled: boolean;
  nameTemplate: string;
  sensorType: (typeof SENSOR_TYPES)[number];
  team: string;
  folder: string;
  description: string;
  public: boolean;
  convert: boolean;
}

/** Input paths (as the engine reports them) → the draft field that shows the problem. */
const FIELD_OF: Record<string, keyof WatchDraft> = {
  stabilityMs: 'stabilitySec',
  batchMs: 'batchSec',
  datasetQuietMs: 'quietSec',
  pollIntervalMs: 'pollSec',
  'metadata.nameTemplate': 'nameTemplate',
  'metadata.team': 'team',
  'metadata.folder': 'folder',
  'metadata.description': 'description',
};

export function draftFieldOf(inputPath: string): string {
  const mapped = FIELD_OF[inputPath];
  if (mapped) return mapped;
  const head = inputPath.split('.')[0] ?? inputPath;
  return head === 'include' || head === 'exclude' ? head : (FIELD_OF[head] ?? head);
}

const seconds = (ms: number): string => String(ms / 1000);
const lines = (list: readonly string[]): string => list.join('\n');

export function draftFrom(rule: Omit<WatchRule, 'id' | 'createdAt' | 'updatedAt'> & { id?: string }): WatchDraft {
  return {
    ...(rule.id ? { id: rule.id } : {}),
    name: rule.name,
    path: rule.path,
    mode: rule.mode,
    include: lines(rule.include),
    exclude: lines(rule.exclude),
    stabilitySec: seconds(rule.stabilityMs),
    batchSec: seconds(rule.batchMs),
    quietSec: seconds(rule.datasetQuietMs),
    markerFile: rule.markerFile ?? '',
    destinationId: rule.destinationId ?? '',
    polling: rule.polling,
    pollSec: seconds(rule.pollIntervalMs),
    enabled: rule.enabled,
    nameTemplate: rule.metadata.nameTemplate,
    sensorType: rule.metadata.sensorType,
    team: rule.metadata.team,
    folder: rule.metadata.folder,
    description: rule.metadata.description,
    public: rule.metadata.public,
    convert: rule.metadata.convert,
  };
}

/** A new rule with the engine's defaults. */
export function emptyDraft(): WatchDraft {
  return { ...draftFrom(watchRuleInput.parse({ name: 'New rule', path: '/' })), name: '', path: '' };
}

const toMs = (text: string): number => {
  const n = Number(text.trim().replace(',', '.'));
  return text.trim() === '' || !Number.isFinite(n) ? Number.NaN : Math.round(n * 1000);
};
const toList = (text: string): string[] =>
  text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);

export function toInput(d: WatchDraft): WatchRuleInput {
  return {
    ...(d.id ? { id: d.id } : {}),
    name: d.name,
    path: d.path.trim(),
    mode: d.mode,
    include: toList(d.include),
    exclude: toList(d.exclude),
    stabilityMs: toMs(d.stabilitySec),
    batchMs: toMs(d.batchSec),
    datasetQuietMs: toMs(d.quietSec),
    markerFile: d.markerFile.trim() === '' ? null : d.markerFile.trim(),
    destinationId: d.destinationId === '' ? null : d.destinationId,
    polling: d.polling,
    pollIntervalMs: toMs(d.pollSec),
    enabled: d.enabled,
    metadata: {
      nameTemplate: d.nameTemplate,
      sensorType: d.sensorType,
      team: d.team,
      folder: d.folder,
      description: d.description,
      public: d.public,
      convert: d.convert,
    },
  };
}

/** The contract's own schema, run before sending, with messages placed on the draft's fields. */
export function validateDraft(d: WatchDraft): Record<string, string> {
  const errors: Record<string, string> = {};
  const parsed = watchRuleInput.safeParse(toInput(d));
  if (!parsed.success) Object.assign(errors, plainFieldErrors(parsed.error.issues, draftFieldOf));
  if (d.path.trim() !== '' && !/^(\/|[A-Za-z]:[\\/]|\\\\)/.test(d.path.trim())) errors.path ??= 'Enter the full path of the folder';
  return errors;
}
