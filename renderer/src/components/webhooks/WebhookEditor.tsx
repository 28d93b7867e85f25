/** Add or edit a webhook. The secret is write-only: set when creating, replaceable, never shown back. */
import { useState } from 'react';
import type { ReactElement } from 'react';
import { WEBHOOK_EVENTS, type WebhookEvent, type WebhookView } from '../../../../shared/automation';
import { Field } from '../common/Field';
import { Modal } from '../common/Modal';
import { closeWebhookEditor, generateSecret, saveWebhook, type WebhookInput } from '../../store/actions/webhooks';
import { useFerryStore } from '../../store/store';

const EVENT_LABEL: Record<WebhookEvent, string> = {
  'job.completed': 'Completed',
  'job.failed': 'Failed',
  'job.started': 'Started',
  'job.progress': 'Progress (while running)',
  'job.paused': 'Paused',
  'job.canceled': 'Canceled',
};

/** Keyed by the target in the view, so its form state starts fresh for each webhook. */
export function WebhookEditor({ existing }: { existing: WebhookView | undefined }): ReactElement {
  const destinations = useFerryStore((s) => s.destinations.list);
  const onClose = closeWebhookEditor;
  const [url, setUrl] = useState(existing?.url ?? '');
  const [events, setEvents] = useState<WebhookEvent[]>(existing?.events ?? ['job.completed', 'job.failed']);
  const [destinationId, setDestinationId] = useState<string | null>(existing?.destinationId ?? null);
  const [enabled, setEnabled] = useState(existing?.enabled ?? true);
  const [secret, setSecret] = useState('');
  const [replacing, setReplacing] = useState(!existing?.hasSecret);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [saving, setSaving] = useState(false);

  const validate = (): Record<string, string> => {
    const found: Record<string, string> = {};
    if (!/^https?:\/\/\S+$/i.test(url.trim())) found.url = 'Enter an http:// or https:// address';
    if (events.length === 0) found.events = 'Pick at least one event';
    if (replacing && secret.length < 16) found.secret = 'At least 16 characters (or generate one)';
    return found;
  };

  const save = async () => {
    const found = validate();
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    setSaving(true);
    const input: WebhookInput = {
      ...(existing ? { id: existing.id } : {}),
      url: url.trim(),
      events,
      destinationId,
      enabled,
      ...(replacing ? { secret } : {}),
    };
    const { saved, errors: remote } = await saveWebhook(input);
    if (!saved) {
      setSaving(false);
      setErrors(remote);
    }
  };

  const toggle = (event: WebhookEvent, on: boolean) => setEvents((list) => (on ? WEBHOOK_EVENTS.filter((e) => e === event || list.includes(e)) : list.filter((e) => e !== event)));

  return (
    <Modal
      title={existing ? 'Edit webhook' : 'Add a webhook'}
      subtitle="Ferry POSTs a signed JSON body to this address when a job reaches one of the chosen events."
      onClose={onClose}
      testId="webhook-editor"
      footer={
        <>
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
          <button type="button" className="btn btn-primary" onClick={() => void save()} disabled={saving}>
            {saving ? 'Saving…' : existing ? 'Save' : 'Add webhook'}
          </button>
        </>
      }
    >
      <form
        className="webhook-form"
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
      >
        <Field label="URL" error={errors.url}>
          <input className="input input-mono" value={url} onChange={(e) => setUrl(e.target.value)} placeholder="https://lims.example.org/ferry-hook" spellCheck={false} autoFocus />
        </Field>
        <Field label="Jobs" error={errors.destinationId} hint="Every job, or only the jobs that upload to one destination.">
          <select className="input" value={destinationId ?? ''} onChange={(e) => setDestinationId(e.target.value || null)}>
            <option value="">Every job</option>
            {destinations.map((d) => (
              <option key={d.id} value={d.id}>
                Jobs to {d.name}
              </option>
            ))}
          </select>
        </Field>
        <fieldset className="webhook-events" aria-describedby={errors.events ? 'webhook-events-error' : undefined}>
          <legend className="field-label">Events</legend>
          {WEBHOOK_EVENTS.map((event) => (
            <label key={event} className="webhook-event">
              <input type="checkbox" className="checkbox" checked={events.includes(event)} onChange={(e) => toggle(event, e.target.checked)} />
              {EVENT_LABEL[event]} <code className="muted">{event}</code>
            </label>
          ))}
          {errors.events ? (
            <p id="webhook-events-error" className="field-error">
              {errors.events}
            </p>
          ) : null}
        </fieldset>
        {replacing ? (
          <div className="webhook-secret-row">
            <Field label="Signing secret" error={errors.secret} hint="Stored by Ferry and never shown again; copy it into the receiving side now.">
              <input className="input input-mono" value={secret} onChange={(e) => setSecret(e.target.value)} spellCheck={false} autoComplete="off" placeholder="at least 16 characters" />
            </Field>
            <button type="button" className="btn" onClick={() => setSecret(generateSecret())}>
              Generate
            </button>
          </div>
        ) : (
          <div className="field">
            <span className="field-label">Signing secret</span>
            <div className="webhook-secret-row">
              <p className="webhook-secret-set" data-testid="webhook-secret-set">
                <span className="webhook-secret-dots" aria-hidden="true">
                  ••••••••
                </span>{' '}
                Set. Ferry keeps it and never shows it again.
              </p>
              <button type="button" className="btn" onClick={() => setReplacing(true)}>
                Replace secret
              </button>
            </div>
          </div>
        )}
        <Field label="Enabled" inline>
          <input type="checkbox" className="checkbox" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} />
        </Field>
        <button type="submit" hidden />
      </form>
    </Modal>
  );
}
