/** The fields of each destination kind (tus, S3, folder). */
import type { ReactElement } from 'react';
import { Field } from '../common/Field';
import { PlusIcon, TrashIcon } from '../common/icons';
import { newHeaderRow } from './destinationDraft';
import type { DestinationDraft } from './destinationDraft';
import { SecretField } from './SecretField';

interface FieldsProps {
  draft: DestinationDraft;
  errors: Record<string, string>;
  update: (change: (d: DestinationDraft) => DestinationDraft) => void;
}

export function TusFields({ draft, errors, update }: FieldsProps): ReactElement {
  const tus = draft.tus;
  const set = (patch: Partial<DestinationDraft['tus']>) => update((d) => ({ ...d, tus: { ...d.tus, ...patch } }));
  return (
    <div className="form-grid">
      <Field label="Endpoint" error={errors['config.endpoint']} className="span-2" hint="The tus server's upload URL, e.g. https://data.example.org/files/">
        <input className="input input-mono" value={tus.endpoint} onChange={(e) => set({ endpoint: e.target.value })} placeholder="https://" spellCheck={false} />
      </Field>
      <Field label="Chunk size (MiB)" error={errors['config.chunkSizeMiB']} hint="1–1024 MiB per request">
        <input className="input" type="number" min={1} max={1024} value={tus.chunkSizeMiB} onChange={(e) => set({ chunkSizeMiB: e.target.value })} />
      </Field>
      <Field label="Parallel parts" error={errors['config.parallelParts']} hint="1–32 parts of one file at once, where the server offers concatenation">
        <input className="input" type="number" min={1} max={32} value={tus.parallelParts} onChange={(e) => set({ parallelParts: e.target.value })} />
      </Field>
      <div className="span-2 headers-editor">
        <span className="field-label">Headers</span>
        <p className="field-hint">Sent with every request. Put credentials in the secret header below, not here.</p>
        {tus.headers.map((h, i) => (
          <div key={h.key} className="header-row">
            <input
              className="input input-mono"
              aria-label={`Header ${i + 1} name`}
              value={h.name}
              placeholder="Name"
              onChange={(e) => set({ headers: tus.headers.map((x) => (x.key === h.key ? { ...x, name: e.target.value } : x)) })}
            />
            <input
              className="input input-mono"
              aria-label={`Header ${i + 1} value`}
              value={h.value}
              placeholder="Value"
              onChange={(e) => set({ headers: tus.headers.map((x) => (x.key === h.key ? { ...x, value: e.target.value } : x)) })}
            />
            <button type="button" className="btn btn-icon btn-ghost" aria-label={`Remove header ${i + 1}`} onClick={() => set({ headers: tus.headers.filter((x) => x.key !== h.key) })}>
              <TrashIcon />
            </button>
          </div>
        ))}
        {Object.entries(errors)
          .filter(([k]) => k.startsWith('config.headers'))
          .map(([k, m]) => (
            <p key={k} className="field-error">
              {m}
            </p>
          ))}
        <button type="button" className="btn btn-small" onClick={() => set({ headers: [...tus.headers, newHeaderRow()] })}>
          <PlusIcon />
          Add header
        </button>
      </div>
      <h3 className="form-section-title span-2">Secret header</h3>
      <Field label="Header name" error={errors['secret.headerName']}>
        <input className="input input-mono" value={tus.secretHeader} onChange={(e) => set({ secretHeader: e.target.value })} placeholder="Authorization" disabled={draft.hasSecret && !draft.replaceSecret} />
      </Field>
      <SecretField
        label="Header value"
        stored={draft.hasSecret}
        replacing={draft.replaceSecret}
        onReplace={(replaceSecret) => update((d) => ({ ...d, replaceSecret }))}
        value={tus.secretValue}
        onChange={(secretValue) => set({ secretValue })}
        error={errors['secret.value']}
        placeholder="Bearer …"
      />
    </div>
  );
}

export function S3Fields({ draft, errors, update }: FieldsProps): ReactElement {
  const s3 = draft.s3;
  const set = (patch: Partial<DestinationDraft['s3']>) => update((d) => ({ ...d, s3: { ...d.s3, ...patch } }));
  return (
    <div className="form-grid">
      <Field label="Endpoint" error={errors['config.endpoint']} className="span-2" hint="Leave empty for AWS; set it for MinIO, Ceph or another S3-compatible store.">
        <input className="input input-mono" value={s3.endpoint} onChange={(e) => set({ endpoint: e.target.value })} placeholder="https://s3.example.org" spellCheck={false} />
      </Field>
      <Field label="Region" error={errors['config.region']}>
        <input className="input" value={s3.region} onChange={(e) => set({ region: e.target.value })} />
      </Field>
      <Field label="Bucket" error={errors['config.bucket']}>
        <input className="input input-mono" value={s3.bucket} onChange={(e) => set({ bucket: e.target.value })} spellCheck={false} />
      </Field>
      <Field label="Prefix" error={errors['config.prefix']} hint="A folder inside the bucket (optional)." className="span-2">
        <input className="input input-mono" value={s3.prefix} onChange={(e) => set({ prefix: e.target.value })} placeholder="datasets/" spellCheck={false} />
      </Field>
      <Field label="Access key id" error={errors['config.accessKeyId']}>
        <input className="input input-mono" value={s3.accessKeyId} onChange={(e) => set({ accessKeyId: e.target.value })} spellCheck={false} autoComplete="off" />
      </Field>
      <SecretField
        label="Secret access key"
        stored={draft.hasSecret}
        replacing={draft.replaceSecret}
        onReplace={(replaceSecret) => update((d) => ({ ...d, replaceSecret }))}
        value={s3.secretAccessKey}
        onChange={(secretAccessKey) => set({ secretAccessKey })}
        error={errors['secret.secretAccessKey']}
      />
      <Field label="Part size (MiB)" error={errors['config.partSizeMiB']} hint="5–5120 MiB">
        <input className="input" type="number" min={5} max={5120} value={s3.partSizeMiB} onChange={(e) => set({ partSizeMiB: e.target.value })} />
      </Field>
      <Field label="Parallel parts" error={errors['config.parallelParts']} hint="1–32 at once">
        <input className="input" type="number" min={1} max={32} value={s3.parallelParts} onChange={(e) => set({ parallelParts: e.target.value })} />
      </Field>
      <Field label="Path-style addressing (bucket in the path, for MinIO and most self-hosted stores)" inline className="span-2">
        <input type="checkbox" className="checkbox" checked={s3.forcePathStyle} onChange={(e) => set({ forcePathStyle: e.target.checked })} />
      </Field>
    </div>
  );
}

export function FolderFields({ draft, errors, update }: FieldsProps): ReactElement {
  return (
    <div className="form-grid">
      <Field label="Folder" error={errors['config.path']} className="span-2" hint="A local folder or a mounted network share. It must exist; Ferry never creates it, so an unmounted share fails instead of filling the local disk.">
        <input
          className="input input-mono"
          value={draft.folder.path}
          onChange={(e) => update((d) => ({ ...d, folder: { path: e.target.value } }))}
          placeholder="/mnt/archive/incoming"
          spellCheck={false}
        />
      </Field>
    </div>
  );
}
