/** Add or edit a destination: name, kind (fixed once saved), the kind's settings and its secret. */
import { useState } from 'react';
import type { ReactElement } from 'react';
import { closeDestinationEditor, saveDestination, testDestination } from '../../store/actions/destinations';
import type { EditorTarget } from '../../store/destinationsSlice';
import { useFerryStore } from '../../store/store';
import { Field } from '../common/Field';
import { Modal } from '../common/Modal';
import { draftFrom, emptyDraft, toInput, validateDraft } from './destinationDraft';
import type { DestinationDraft, EditableKind } from './destinationDraft';
import { FolderFields, S3Fields, TusFields } from './DestinationFields';
import './DestinationEditor.css';

const KINDS: ReadonlyArray<{ kind: EditableKind; label: string; hint: string }> = [
  { kind: 'folder', label: 'Folder', hint: 'A local or network folder' },
  { kind: 'tus', label: 'tus server', hint: 'Any tus 1.0 upload server' },
  { kind: 's3', label: 'S3', hint: 'AWS S3 or a compatible store' },
];

function Editor({ target }: { target: EditorTarget }): ReactElement {
  const existing = useFerryStore((s) => (target.mode === 'edit' ? s.destinations.list.find((d) => d.id === target.id) : undefined));
  const [draft, setDraft] = useState<DestinationDraft>(() => (existing ? draftFrom(existing) : emptyDraft()));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [touched, setTouched] = useState(false);
  const [saving, setSaving] = useState(false);
  const update = (change: (d: DestinationDraft) => DestinationDraft) =>
    setDraft((d) => {
      const next = change(d);
      if (touched) setErrors(validateDraft(next));
      return next;
    });

  const save = async (andTest: boolean) => {
    setTouched(true);
    const found = validateDraft(draft);
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    setSaving(true);
    const { saved, errors: remote } = await saveDestination(toInput(draft));
    setSaving(false);
    if (!saved) {
      setErrors(remote);
      return;
    }
    closeDestinationEditor();
    if (andTest) void testDestination(saved.id);
  };

  const editing = target.mode === 'edit';
  const Fields = draft.kind === 'tus' ? TusFields : draft.kind === 's3' ? S3Fields : FolderFields;
  const errorCount = Object.keys(errors).length;
  return (
    <Modal
      title={editing ? `Edit ${existing?.name ?? 'destination'}` : 'Add destination'}
      subtitle={editing ? 'Secrets stay stored unless you replace them.' : 'Where Ferry should send uploads.'}
      onClose={closeDestinationEditor}
      size="large"
      testId="destination-editor"
      footer={
        <>
          <span className="modal-footer-note">{errorCount > 0 ? <span className="upload-error">Fix the {errorCount === 1 ? 'field' : `${errorCount} fields`} marked in red.</span> : null}</span>
          <button type="button" className="btn" onClick={closeDestinationEditor}>
            Cancel
          </button>
          <button type="button" className="btn" onClick={() => void save(true)} disabled={saving}>
            Save and test
          </button>
          <button type="button" className="btn btn-primary" onClick={() => void save(false)} disabled={saving}>
            {saving ? 'Saving…' : editing ? 'Save' : 'Add destination'}
          </button>
        </>
      }
    >
      <form
        noValidate
        className="dest-form"
        onSubmit={(event) => {
          event.preventDefault();
          void save(false);
        }}
      >
        <div className="form-grid">
          <Field label="Name" error={errors.name} className="span-2">
            <input className="input" value={draft.name} onChange={(e) => update((d) => ({ ...d, name: e.target.value }))} placeholder="e.g. Lab archive" autoFocus />
          </Field>
        </div>
        <h3 className="form-section-title">Kind</h3>
        <div className="kind-picker" role="radiogroup" aria-label="Kind">
          {KINDS.map((k) => (
            <label key={k.kind} className={`kind-option${draft.kind === k.kind ? ' kind-option-on' : ''}${editing ? ' kind-option-locked' : ''}`}>
              <input type="radio" name="kind" value={k.kind} checked={draft.kind === k.kind} disabled={editing && draft.kind !== k.kind} onChange={() => update((d) => ({ ...d, kind: k.kind }))} />
              <span className="kind-option-label">{k.label}</span>
              <span className="kind-option-hint">{k.hint}</span>
            </label>
          ))}
        </div>
        <h3 className="form-section-title">Settings</h3>
        <Fields draft={draft} errors={errors} update={update} />
        <button type="submit" hidden />
      </form>
    </Modal>
  );
}

export function DestinationEditor(): ReactElement | null {
  const target = useFerryStore((s) => s.destinations.editor);
  if (!target) return null;
  return <Editor key={target.mode === 'edit' ? target.id : 'new'} target={target} />;
}
