/**
 * The destination editor's form model: strings as typed, turned into saveDestination's input and
 * checked with the contract's own schema, so the form shows the engine's rules before it asks.
 */
import { destinationInput } from '../../../../shared/destinations';
import type { DestinationInput, DestinationView } from '../../../../shared/destinations';
import { plainFieldErrors } from '../../lib/fieldErrors';

export type EditableKind = 'tus' | 's3' | 'folder';

export interface HeaderRow {
  key: number;
  name: string;
  value: string;
}

export interface DestinationDraft {
  id?: string;
  name: string;
  kind: EditableKind;
  /** A secret is stored already (edit); it is never shown, only replaced. */
  hasSecret: boolean;
  replaceSecret: boolean;
  tus: { endpoint: string; headers: HeaderRow[]; chunkSizeMiB: string; parallelParts: string; secretHeader: string; secretValue: string };
  s3: { endpoint: string; region: string; bucket: string; prefix: string; accessKeyId: string; forcePathStyle: boolean; partSizeMiB: string; parallelParts: string; secretAccessKey: string };
  folder: { path: string };
}

let headerKey = 0;
export const newHeaderRow = (name = '', value = ''): HeaderRow => ({ key: ++headerKey, name, value });

export function emptyDraft(kind: EditableKind = 'folder'): DestinationDraft {
  return {
    name: '',
    kind,
    hasSecret: false,
    replaceSecret: true,
    tus: { endpoint: '', headers: [], chunkSizeMiB: '16', parallelParts: '4', secretHeader: 'Authorization', secretValue: '' },
    s3: { endpoint: '', region: 'us-east-1', bucket: '', prefix: '', accessKeyId: '', forcePathStyle: false, partSizeMiB: '16', parallelParts: '4', secretAccessKey: '' },
    folder: { path: '' },
  };
}

export function draftFrom(view: DestinationView): DestinationDraft {
  const draft = emptyDraft(view.kind === 'receiver' ? 'folder' : view.kind);
  draft.id = view.id;
  draft.name = view.name;
  draft.hasSecret = view.hasSecret;
  draft.replaceSecret = !view.hasSecret;
  if (view.kind === 'tus') {
    const c = view.config;
    draft.tus = { ...draft.tus, endpoint: c.endpoint, chunkSizeMiB: String(c.chunkSizeMiB), parallelParts: String(c.parallelParts), headers: Object.entries(c.headers).map(([n, v]) => newHeaderRow(n, v)) };
  } else if (view.kind === 's3') {
    const c = view.config;
    draft.s3 = {
      ...draft.s3,
      endpoint: c.endpoint ?? '',
      region: c.region,
      bucket: c.bucket,
      prefix: c.prefix,
      accessKeyId: c.accessKeyId,
      forcePathStyle: c.forcePathStyle,
      partSizeMiB: String(c.partSizeMiB),
      parallelParts: String(c.parallelParts),
    };
  } else if (view.kind === 'folder') {
    draft.folder = { path: view.config.path };
  }
  return draft;
}

const num = (s: string): number => (s.trim() === '' ? Number.NaN : Number(s));

export function toInput(d: DestinationDraft): DestinationInput {
  const base = { ...(d.id ? { id: d.id } : {}), name: d.name };
  if (d.kind === 'tus') {
    const headers: Record<string, string> = {};
    for (const h of d.tus.headers) if (h.name.trim()) headers[h.name.trim()] = h.value;
    const secret = d.replaceSecret && d.tus.secretValue ? { secret: { headerName: d.tus.secretHeader.trim(), value: d.tus.secretValue } } : {};
    return { ...base, kind: 'tus', config: { endpoint: d.tus.endpoint.trim(), headers, chunkSizeMiB: num(d.tus.chunkSizeMiB), parallelParts: num(d.tus.parallelParts) }, ...secret };
  }
  if (d.kind === 's3') {
    const s = d.s3;
    const secret = d.replaceSecret && s.secretAccessKey ? { secret: { secretAccessKey: s.secretAccessKey } } : {};
    return {
      ...base,
      kind: 's3',
      config: {
        ...(s.endpoint.trim() ? { endpoint: s.endpoint.trim() } : {}),
        region: s.region.trim(),
        bucket: s.bucket.trim(),
        prefix: s.prefix.trim(),
        accessKeyId: s.accessKeyId.trim(),
        forcePathStyle: s.forcePathStyle,
        partSizeMiB: num(s.partSizeMiB),
        parallelParts: num(s.parallelParts),
      },
      ...secret,
    };
  }
  return { ...base, kind: 'folder', config: { path: d.folder.path.trim() } };
}

/** Field errors by path (`name`, `config.endpoint`, `secret.value`), empty when valid. */
export function validateDraft(d: DestinationDraft): Record<string, string> {
  const errors: Record<string, string> = {};
  const parsed = destinationInput.safeParse(toInput(d));
  if (!parsed.success) Object.assign(errors, plainFieldErrors(parsed.error.issues));
  if (d.kind === 's3' && d.replaceSecret && !d.s3.secretAccessKey && !d.hasSecret) errors['secret.secretAccessKey'] = 'An S3 destination needs its secret access key';
  if (d.kind === 'tus' && d.replaceSecret && d.tus.secretValue && !d.tus.secretHeader.trim()) errors['secret.headerName'] = 'Name the header that carries the secret';
  return errors;
}
