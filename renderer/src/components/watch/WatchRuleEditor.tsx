/** Add or edit a watched-folder rule; the engine checks the folder and answers field errors. */
import { useEffect, useState } from 'react';
import type { ReactElement } from 'react';
import type { DestinationView } from '../../../../shared/destinations';
import type { WatchMode } from '../../../../shared/watch';
import { showError } from '../../store/actions/toasts';
import type { WatchEditorTarget } from '../../store/watchSlice';
import { ferry } from '../../transport';
import { Field } from '../common/Field';
import { Modal } from '../common/Modal';
import { FolderPicker } from './FolderPicker';
import { closeWatchEditor, saveWatchRule } from '../../store/actions/watch';
import { useFerryStore } from '../../store/store';
import { draftFieldOf, draftFrom, emptyDraft, toInput, validateDraft, type WatchDraft } from './watchDraft';
import { DestinationFields, PollingFields, TakeFields } from './WatchRuleFields';
import './WatchRuleEditor.css';

const MODES: ReadonlyArray<{ mode: WatchMode; label: string; hint: string }> = [
  { mode: 'files', label: 'Files', hint: 'Each new or changed file is uploaded once it is stable' },
  { mode: 'dataset', label: 'Datasets', hint: 'Each new folder becomes one dataset once it is complete' },
];

function Editor({ target }: { target: WatchEditorTarget }): ReactElement {
  const existing = useFerryStore((s) => (target.mode === 'edit' ? s.watch.rules[target.id] : undefined));
  const canPick = useFerryStore((s) => s.ui.capabilities?.pickPaths ?? false);
  const [draft, setDraft] = useState<WatchDraft>(() => (existing ? draftFrom(existing) : emptyDraft()));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [touched, setTouched] = useState(false);
  const [saving, setSaving] = useState(false);
  const [browsing, setBrowsing] = useState(false);
  const [destinations, setDestinations] = useState<DestinationView[]>([]);

  useEffect(() => {
    let live = true;
    ferry.listDestinations({}).then(
      (list) => live && setDestinations(list),
      () => undefined, // the select still offers "the default destination"
    );
    return () => {
      live = false;
    };
  }, []);

  const update = (change: (d: WatchDraft) => WatchDraft) =>
    setDraft((d) => {
      const next = change(d);
      if (touched) setErrors(validateDraft(next));
      return next;
    });

  const choose = async () => {
    if (!canPick) {
      setBrowsing(true);
      return;
    }
    try {
      const [picked] = await ferry.pickPaths({ kind: 'folders' });
      if (picked) update((d) => ({ ...d, path: picked, name: d.name || (picked.split(/[\\/]/).filter(Boolean).pop() ?? '') }));
    } catch (err) {
      showError('Could not open the folder dialog', err);
    }
  };

  const save = async () => {
    setTouched(true);
    const found = validateDraft(draft);
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    setSaving(true);
    const { saved, errors: remote } = await saveWatchRule(toInput(draft));
    setSaving(false);
    if (saved) closeWatchEditor();
    else setErrors(Object.fromEntries(Object.entries(remote).map(([k, v]) => [draftFieldOf(k), v])));
  };

  const editing = target.mode === 'edit';
  const errorCount = Object.keys(errors).length;
  return (
    <Modal
      title={editing ? `Edit ${existing?.name ?? 'rule'}` : 'Watch a folder'}
      subtitle="Files that appear in the folder are uploaded on their own, once each, and again when they change."
      onClose={closeWatchEditor}
      onEscape={browsing ? () => setBrowsing(false) : undefined}
      size="large"
      testId="watch-rule-editor"
      footer={
        <>
          <span className="modal-footer-note">{errorCount > 0 ? <span className="watch-error-note">Fix the {errorCount === 1 ? 'field' : `${errorCount} fields`} marked in red.</span> : null}</span>
          <button type="button" className="btn" onClick={closeWatchEditor}>
            Cancel
          </button>
          <button type="button" className="btn btn-primary" onClick={() => void save()} disabled={saving}>
            {saving ? 'Saving…' : editing ? 'Save' : 'Start watching'}
          </button>
        </>
      }
    >
      <form
        className="watch-form"
        onSubmit={(event) => {
          event.preventDefault();
          void save();
        }}
      >
        <div className="form-grid">
          <Field label="Name" error={errors.name}>
            <input className="input" value={draft.name} onChange={(e) => update((d) => ({ ...d, name: e.target.value }))} placeholder="e.g. Microscope 2 exports" autoFocus />
          </Field>
          <Field label="Enabled" inline hint="Paused rules keep their ledger; enabling again looks for what arrived meanwhile.">
            <input type="checkbox" className="checkbox" checked={draft.enabled} onChange={(e) => update((d) => ({ ...d, enabled: e.target.checked }))} />
          </Field>
          <div className="watch-path-row span-2">
            <Field label="Folder to watch" error={errors.path} className="watch-path-field">
              <input className="input input-mono" value={draft.path} onChange={(e) => update((d) => ({ ...d, path: e.target.value }))} placeholder="/data/instrument/exports" spellCheck={false} />
            </Field>
            <button type="button" className="btn watch-path-choose" onClick={() => void choose()}>
              Choose…
            </button>
          </div>
        </div>
        {browsing ? (
          <FolderPicker
            start={draft.path}
            onCancel={() => setBrowsing(false)}
            onPick={(path) => {
              setBrowsing(false);
              update((d) => ({ ...d, path, name: d.name || (path.split(/[\\/]/).filter(Boolean).pop() ?? '') }));
            }}
          />
        ) : null}
        <h3 className="form-section-title">Mode</h3>
        <div className="watch-mode-picker" role="radiogroup" aria-label="Mode">
          {MODES.map((m) => (
            <label key={m.mode} className={`watch-mode-option${draft.mode === m.mode ? ' watch-mode-on' : ''}`}>
              <input type="radio" name="watch-mode" value={m.mode} checked={draft.mode === m.mode} onChange={() => update((d) => ({ ...d, mode: m.mode }))} />
              <span className="watch-mode-label">{m.label}</span>
              <span className="watch-mode-hint">{m.hint}</span>
            </label>
          ))}
        </div>
        <h3 className="form-section-title">What to take</h3>
        <TakeFields draft={draft} errors={errors} update={update} />
        <h3 className="form-section-title">Where it goes</h3>
        <DestinationFields draft={draft} errors={errors} update={update} destinations={destinations} />
        <h3 className="form-section-title">Watching</h3>
        <PollingFields draft={draft} errors={errors} update={update} />
        <button type="submit" hidden />
      </form>
    </Modal>
  );
}

export function WatchRuleEditor(): ReactElement | null {
  const target = useFerryStore((s) => s.watch.editor);
  if (!target) return null;
  return <Editor key={target.mode === 'edit' ? target.id : 'new'} target={target} />;
}
