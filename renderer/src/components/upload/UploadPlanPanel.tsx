/**
 * What the destination already holds of the dataset, before Start: new, changed, unchanged and
 * removed files and the bytes to send, with the choice to send only what changed and to delete
 * at the destination what is gone from here.
 */
import { useEffect, type ReactElement } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { PlanChange } from '../../../../shared/contract';
import { formatBytes, formatCount } from '../../../../shared/format';
import { refreshUploadPlan } from '../../store/actions/uploadPlan';
import { useFerryStore } from '../../store/store';
import { Field } from '../common/Field';

/** Files of the plan shown in the sheet; the rest are counted. */
const SHOWN = 8;
const LABEL: Record<PlanChange, string> = { new: 'New', changed: 'Changed', unchanged: 'Unchanged', removed: 'Removed' };

export function UploadPlanPanel(): ReactElement | null {
  const { source, previewStatus, destinationId, name, plan, incremental, deleteRemoved } = useFerryStore(
    useShallow((s) => ({
      source: s.upload.source,
      previewStatus: s.upload.previewStatus,
      destinationId: s.upload.form.destinationId,
      name: s.upload.form.name,
      plan: s.upload.plan,
      incremental: s.upload.form.incremental,
      deleteRemoved: s.upload.form.deleteRemoved,
    })),
  );
  useEffect(() => {
    // Asked again a moment after the name stops changing, not at every key.
    const timer = setTimeout(() => void refreshUploadPlan(), 300);
    return () => clearTimeout(timer);
  }, [source, previewStatus, destinationId, name]);
  if (source?.kind !== 'paths' || plan.status === 'idle') return null;
  const patch = useFerryStore.getState().patchUploadForm;
  if (plan.status === 'error') {
    return (
      <section className="upload-plan" aria-label="What the destination holds" data-testid="upload-plan">
        <p className="muted">Could not compare with the destination: {plan.error}</p>
      </section>
    );
  }
  const p = plan.plan;
  // Until the first answer there is nothing to show: most uploads are of datasets not sent before.
  if (!p) return null;
  const busy = plan.status === 'loading';
  // A dataset the destination does not hold yet (or a destination that cannot be compared, tus)
  // is simply sent whole, as any upload: nothing to show.
  if (!p.readable || !p.found) return null;
  const c = p.counts;
  const differing = p.files.filter((f) => f.change !== 'unchanged');
  return (
    <section className="upload-plan" aria-label="What the destination holds" data-testid="upload-plan" aria-busy={busy}>
      <h3 className="form-section-title">Already at the destination</h3>
      <div className="upload-plan-figures" data-testid="upload-plan-counts">
        {(['new', 'changed', 'unchanged', 'removed'] as const).map((k) => (
          <div key={k} className={`upload-plan-figure plan-${k}`}>
            <span className="upload-figure-value">{formatCount(c[k])}</span>
            <span className="upload-figure-label">{LABEL[k].toLowerCase()}</span>
          </div>
        ))}
        <div className="upload-plan-figure">
          <span className="upload-figure-value" data-testid="upload-plan-bytes">
            {formatBytes(incremental ? p.bytesToSend : p.bytesToSend + p.bytesUnchanged)}
          </span>
          <span className="upload-figure-label">to send</span>
        </div>
      </div>
      {differing.length > 0 ? (
        <ul className="upload-plan-files" aria-label="Files that differ from the destination">
          {differing.slice(0, SHOWN).map((f) => (
            <li key={`${f.change}:${f.path}`} title={f.why ?? undefined}>
              <span className={`plan-badge plan-${f.change}`}>{LABEL[f.change]}</span>
              <span className="upload-sample-path">{f.path}</span>
              <span className="upload-sample-size">{f.size === null ? '' : formatBytes(f.size)}</span>
            </li>
          ))}
          {c.new + c.changed + c.removed > SHOWN ? <li className="upload-sample-more">and {formatCount(c.new + c.changed + c.removed - Math.min(SHOWN, differing.length))} more</li> : null}
        </ul>
      ) : (
        <p className="muted">Nothing changed since it was sent.</p>
      )}
      <div className="upload-toggles">
        <Field label="Send only what changed (the destination's manifest decides)" inline>
          <input type="checkbox" className="checkbox" data-testid="upload-incremental" checked={incremental} onChange={(e) => patch({ incremental: e.target.checked, ...(e.target.checked ? {} : { deleteRemoved: false }) })} />
        </Field>
        {c.removed > 0 ? (
          <Field label={`Delete from the destination the ${c.removed === 1 ? 'file' : `${formatCount(c.removed)} files`} no longer here`} inline>
            <input type="checkbox" className="checkbox" data-testid="upload-delete-removed" checked={deleteRemoved} disabled={!incremental} onChange={(e) => patch({ deleteRemoved: e.target.checked })} />
          </Field>
        ) : null}
      </div>
    </section>
  );
}
