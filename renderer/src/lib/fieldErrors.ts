/**
 * Field errors in plain words for every form, from the contract's issues (checked before sending)
 * or from an INVALID_INPUT the engine answered: one label per field key, shared by all forms, so a
 * message names the field the way its form does ("Bucket needs at least 3 characters").
 */
import { fieldMessages, type IssueLike } from '../../../shared/plainIssue';

/** Field key (an input path, or its last part) → the label its form shows. */
const LABELS: Record<string, string> = {
  name: 'Name',
  path: 'Folder',
  url: 'URL',
  secret: 'Signing secret',
  events: 'Events',
  destinationId: 'Destination',
  'config.endpoint': 'Endpoint',
  'config.bucket': 'Bucket',
  'config.region': 'Region',
  'config.prefix': 'Prefix',
  'config.accessKeyId': 'Access key ID',
  'config.chunkSizeMiB': 'Chunk size',
  'config.partSizeMiB': 'Part size',
  'config.parallelParts': 'Parallel parts',
  'config.path': 'Folder',
  'secret.secretAccessKey': 'Secret access key',
  'secret.headerName': 'Header name',
  'secret.value': 'Header value',
  concurrency: 'Jobs at once',
  parallelFiles: 'Files at once',
  chunkSizeMiB: 'Request size',
  destinationConcurrency: 'Jobs at once per destination',
  retentionDays: 'Days to keep finished jobs',
  receiverPort: 'Port',
  bandwidthLimit: 'Bandwidth limit',
  include: 'Include',
  exclude: 'Exclude',
  stabilitySec: 'Stable after',
  batchSec: 'Collect for',
  quietSec: 'Quiet period',
  pollSec: 'Poll every',
  markerFile: 'Marker file',
  nameTemplate: 'Dataset name',
  sensorType: 'Sensor',
  team: 'Team',
  folder: 'Destination folder',
  description: 'Description',
  program: 'Program',
  args: 'Arguments',
  cwd: 'Working folder',
  env: 'Environment',
  timeoutMs: 'Time limit',
  dest: 'Save as',
  expectedSha256: 'Expected SHA-256',
  sourceJobId: 'Job',
  from: 'Start time',
  to: 'End time',
  days: 'Days',
  bytesPerSecond: 'Limit',
};

/** The label of a field key: the whole key, then its last named part, then the key in words. */
export function fieldLabel(key: string): string {
  if (LABELS[key]) return LABELS[key];
  const parts = key.split('.').filter((p) => !/^\d+$/.test(p));
  const last = parts[parts.length - 1] ?? key;
  if (LABELS[last]) return LABELS[last];
  if (parts[0] === 'kindConcurrency') return `${last}: jobs at once`;
  if (parts[0] === 'kindTimeoutSeconds') return `${last}: time limit`;
  const words = last.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
  return words ? words[0]!.toUpperCase() + words.slice(1) : 'This field';
}

/** Plain field messages for contract issues; `keyOf` maps an input path to the form's field key. */
export function plainFieldErrors(issues: readonly IssueLike[], keyOf?: (path: string) => string): Record<string, string> {
  return fieldMessages(issues, fieldLabel, keyOf);
}

/** Field → plain message from the issues an INVALID_INPUT carries in its details (none: empty). */
export function fieldErrors(details: unknown): Record<string, string> {
  const issues = (details as { issues?: unknown } | undefined)?.issues;
  return Array.isArray(issues) ? plainFieldErrors(issues as IssueLike[]) : {};
}
