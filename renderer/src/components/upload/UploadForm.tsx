/** The dataset's name, destination, priority and metadata. */
import type { ReactElement } from 'react';
import { SENSOR_TYPE_LABELS, SENSOR_TYPES } from '../../../../shared/destinations';
import { PRIORITIES } from '../../../../shared/model';
import type { Priority } from '../../../../shared/model';
import { datasetNameProblem, gateTimeoutProblem, submitUpload } from '../../store/actions/upload';
import type { AfterUpload } from '../../store/uploadSlice';
import { useFerryStore } from '../../store/store';
import { Field } from '../common/Field';

const cap = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

export function UploadForm(): ReactElement {
  const form = useFerryStore((s) => s.upload.form);
  const destinations = useFerryStore((s) => s.destinations.list);
  const submitting = useFerryStore((s) => s.upload.submitting);
  const patch = useFerryStore.getState().patchUploadForm;
  const meta = useFerryStore.getState().patchUploadMetadata;
  const after = (change: Partial<typeof form.after>) => patch({ after: { ...form.after, ...change } });
  const nameProblem = form.name ? datasetNameProblem(form.name) : null;
  const timeoutError = gateTimeoutProblem(form.after);
  const selected = destinations.find((d) => d.id === form.destinationId);
  return (
    <form
      noValidate
      id="upload-form"
      className="upload-form"
      onSubmit={(event) => {
        event.preventDefault();
        void submitUpload();
      }}
    >
      <fieldset disabled={submitting} className="upload-fieldset">
        <h3 className="form-section-title">Destination</h3>
        <div className="form-grid">
          <Field label="Upload to" hint={selected ? selected.summary : undefined}>
            <select className="select" value={form.destinationId} onChange={(e) => patch({ destinationId: e.target.value })}>
              {destinations.map((d) => (
                <option key={d.id} value={d.id}>
                  {d.name}
                  {d.isDefault ? ' — default' : ''}
                </option>
              ))}
            </select>
          </Field>
          <Field label="Priority">
            <select className="select" value={form.priority} onChange={(e) => patch({ priority: e.target.value as Priority })}>
              {PRIORITIES.map((p) => (
                <option key={p} value={p}>
                  {cap(p)}
                </option>
              ))}
            </select>
          </Field>
        </div>
        <h3 className="form-section-title">Dataset</h3>
        <div className="form-grid">
          <Field label="Dataset name" error={nameProblem} className="span-2" hint="Files land in a folder of this name at the destination.">
            <input className="input" value={form.name} onChange={(e) => patch({ name: e.target.value })} maxLength={200} required />
          </Field>
          <Field label="Sensor type">
            <select className="select" value={form.metadata.sensorType} onChange={(e) => meta({ sensorType: e.target.value as (typeof SENSOR_TYPES)[number] })}>
              {SENSOR_TYPES.map((t) => (
                <option key={t} value={t}>
                  {SENSOR_TYPE_LABELS[t]}
                </option>
              ))}
            </select>
          </Field>
          <Field label="Team">
            <input className="input" value={form.metadata.team} onChange={(e) => meta({ team: e.target.value })} maxLength={120} placeholder="e.g. Imaging core" />
          </Field>
          <Field label="Folder" hint="A folder within the destination's catalogue (optional)." className="span-2">
            <input className="input" value={form.metadata.folder} onChange={(e) => meta({ folder: e.target.value })} maxLength={512} placeholder="e.g. 2025/cohort-a" />
          </Field>
          <Field label="Description" className="span-2">
            <textarea className="textarea" value={form.metadata.description} onChange={(e) => meta({ description: e.target.value })} maxLength={4000} rows={3} />
          </Field>
          <div className="upload-toggles span-2">
            <Field label="Convert to the archive format on arrival" inline>
              <input type="checkbox" className="checkbox" checked={form.metadata.convert} onChange={(e) => meta({ convert: e.target.checked })} />
            </Field>
            <Field label="Public dataset" inline>
              <input type="checkbox" className="checkbox" checked={form.metadata.public} onChange={(e) => meta({ public: e.target.checked })} />
            </Field>
          </div>
        </div>
        <h3 className="form-section-title">After the upload</h3>
        <div className="form-grid">
          <div className="upload-toggles span-2">
            <Field label="Verify what landed (sizes and SHA-256 against the manifest)" inline>
              <input type="checkbox" className="checkbox" checked={form.after.verify} onChange={(e) => after({ verify: e.target.checked })} />
            </Field>
          </div>
          <Field label="Then run a program (optional)" hint="Runs once the steps before it succeed; needs command jobs allowed in Settings.">
            <input className="input input-mono" value={form.after.program} onChange={(e) => after({ program: e.target.value })} placeholder="/usr/bin/python3" spellCheck={false} />
          </Field>
          <Field label="Its arguments" hint="One per line; {path}, {name} and {meta.team} are filled in.">
            <textarea className="textarea" rows={2} value={form.after.args} onChange={(e) => after({ args: e.target.value })} spellCheck={false} placeholder={'ingest.py\n{path}'} />
          </Field>
          <div className="upload-toggles span-2">
            <Field label="Wait for my approval before the follow-up steps" inline>
              <input type="checkbox" className="checkbox" checked={form.after.approval} disabled={!form.after.verify && !form.after.program.trim()} onChange={(e) => after({ approval: e.target.checked })} />
            </Field>
          </div>
          {form.after.approval ? (
            <>
              <Field label="If nobody decides">
                <select className="select" value={form.after.onTimeout} onChange={(e) => after({ onTimeout: e.target.value as AfterUpload['onTimeout'] })}>
                  <option value="wait">Keep waiting</option>
                  <option value="reject">Reject it after a while</option>
                  <option value="approve">Approve it after a while</option>
                </select>
              </Field>
              {form.after.onTimeout !== 'wait' ? (
                <Field label="After (hours)" hint="0.01–720 hours" error={timeoutError}>
                  <input className="input input-number" type="number" min={0.01} max={720} step="any" value={form.after.timeoutHours} onChange={(e) => after({ timeoutHours: e.target.value })} />
                </Field>
              ) : (
                <div />
              )}
            </>
          ) : null}
        </div>
      </fieldset>
    </form>
  );
}
