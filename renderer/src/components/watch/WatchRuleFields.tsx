/** The rule editor's sections: what to watch, what to take, where it goes, how to watch. */
import type { ReactElement } from 'react';
import type { DestinationView } from '../../../../shared/destinations';
import { SENSOR_TYPE_LABELS, SENSOR_TYPES } from '../../../../shared/destinations';
import { WATCH_POLLING } from '../../../../shared/watch';
import { Field } from '../common/Field';
import type { WatchDraft } from './watchDraft';

export interface FieldsProps {
  draft: WatchDraft;
  errors: Record<string, string>;
  update: (change: (d: WatchDraft) => WatchDraft) => void;
}

const POLLING_LABEL: Record<(typeof WATCH_POLLING)[number], string> = {
  auto: 'Automatic: poll network folders (NFS, SMB, sshfs…), native events elsewhere',
  always: 'Always poll',
  never: 'Never poll (native events only)',
};

export function TakeFields({ draft, errors, update }: FieldsProps): ReactElement {
  const dataset = draft.mode === 'dataset';
  return (
    <div className="form-grid">
      <Field label="Include" hint="One pattern per line: *.tif, raw/**/*.h5, {a,b}. A pattern without / matches names at any depth." error={errors.include}>
        <textarea className="textarea input-mono" rows={3} value={draft.include} onChange={(e) => update((d) => ({ ...d, include: e.target.value }))} spellCheck={false} />
      </Field>
      <Field label="Exclude" hint="Files and folders to leave alone. Hidden, temporary and partial files by default." error={errors.exclude}>
        <textarea className="textarea input-mono" rows={3} value={draft.exclude} onChange={(e) => update((d) => ({ ...d, exclude: e.target.value }))} spellCheck={false} />
      </Field>
      <Field label="Stable after (seconds)" hint="A file is taken once its size and time stop changing this long." error={errors.stabilitySec}>
        <input className="input" inputMode="decimal" value={draft.stabilitySec} onChange={(e) => update((d) => ({ ...d, stabilitySec: e.target.value }))} />
      </Field>
      {dataset ? (
        <Field label="Quiet period (seconds)" hint="A folder is sent once nothing in it changed this long." error={errors.quietSec}>
          <input className="input" inputMode="decimal" value={draft.quietSec} onChange={(e) => update((d) => ({ ...d, quietSec: e.target.value }))} />
        </Field>
      ) : (
        <Field label="Collect for (seconds)" hint="Files that turn stable together go into one job." error={errors.batchSec}>
          <input className="input" inputMode="decimal" value={draft.batchSec} onChange={(e) => update((d) => ({ ...d, batchSec: e.target.value }))} />
        </Field>
      )}
      {dataset ? (
        <Field label="Marker file" hint="Optional, e.g. DONE or acquisition.complete: when it appears in a folder, the folder is sent at once. The marker itself is not uploaded unless an Include pattern names it." error={errors.markerFile} className="span-2">
          <input className="input input-mono" value={draft.markerFile} placeholder="none" onChange={(e) => update((d) => ({ ...d, markerFile: e.target.value }))} spellCheck={false} />
        </Field>
      ) : null}
    </div>
  );
}

export function DestinationFields({ draft, errors, update, destinations }: FieldsProps & { destinations: DestinationView[] }): ReactElement {
  return (
    <div className="form-grid">
      <Field label="Destination" error={errors.destinationId}>
        <select className="select" value={draft.destinationId} onChange={(e) => update((d) => ({ ...d, destinationId: e.target.value }))}>
          <option value="">The default destination</option>
          {destinations.map((dest) => (
            <option key={dest.id} value={dest.id}>
              {dest.name}
            </option>
          ))}
        </select>
      </Field>
      <Field label="Dataset name" hint="{folder} (the dataset folder, or in Files mode the watched one), {file}, {date} and {rule} are filled in; they work in Folder and Description too." error={errors.nameTemplate}>
        <input className="input input-mono" value={draft.nameTemplate} onChange={(e) => update((d) => ({ ...d, nameTemplate: e.target.value }))} spellCheck={false} />
      </Field>
      <Field label="Sensor" error={errors.sensorType}>
        <select className="select" value={draft.sensorType} onChange={(e) => update((d) => ({ ...d, sensorType: e.target.value as WatchDraft['sensorType'] }))}>
          {SENSOR_TYPES.map((t) => (
            <option key={t} value={t}>
              {SENSOR_TYPE_LABELS[t]}
            </option>
          ))}
        </select>
      </Field>
      <Field label="Team" error={errors.team}>
        <input className="input" value={draft.team} onChange={(e) => update((d) => ({ ...d, team: e.target.value }))} />
      </Field>
      <Field label="Destination folder" hint="Where the destination files the dataset, if it asks." error={errors.folder}>
        <input className="input input-mono" value={draft.folder} onChange={(e) => update((d) => ({ ...d, folder: e.target.value }))} spellCheck={false} />
      </Field>
      <Field label="Description" error={errors.description}>
        <input className="input" value={draft.description} onChange={(e) => update((d) => ({ ...d, description: e.target.value }))} />
      </Field>
      <Field label="Public dataset" inline>
        <input type="checkbox" className="checkbox" checked={draft.public} onChange={(e) => update((d) => ({ ...d, public: e.target.checked }))} />
      </Field>
      <Field label="Convert after upload" inline>
        <input type="checkbox" className="checkbox" checked={draft.convert} onChange={(e) => update((d) => ({ ...d, convert: e.target.checked }))} />
      </Field>
    </div>
  );
}

export function PollingFields({ draft, errors, update }: FieldsProps): ReactElement {
  return (
    <div className="form-grid">
      <Field label="Polling" error={errors.polling}>
        <select className="select" value={draft.polling} onChange={(e) => update((d) => ({ ...d, polling: e.target.value as WatchDraft['polling'] }))}>
          {WATCH_POLLING.map((p) => (
            <option key={p} value={p}>
              {POLLING_LABEL[p]}
            </option>
          ))}
        </select>
      </Field>
      <Field label="Poll every (seconds)" hint="How often a polled folder is read through." error={errors.pollSec}>
        <input className="input" inputMode="decimal" value={draft.pollSec} disabled={draft.polling === 'never'} onChange={(e) => update((d) => ({ ...d, pollSec: e.target.value }))} />
      </Field>
    </div>
  );
}
