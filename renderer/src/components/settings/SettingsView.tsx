/**
 * Every setting, grouped. The theme applies and saves at once; the rest save together with
 * "Save changes", checked against the shared schema first, with errors shown at their fields.
 */
import { plural } from '../../../../shared/plural';
import { useEffect, useState } from 'react';
import type { ReactElement, ReactNode } from 'react';
import { formatBytes } from '../../../../shared/format';
import { JOB_KINDS } from '../../../../shared/model';
import type { Settings } from '../../../../shared/settings';
import type { Health } from '../../../../shared/contract';
import { loadSettings, saveSettings, setTheme } from '../../store/actions/settings';
import { selectCapabilities, selectSettings, selectTheme } from '../../store/selectors';
import { useFerryStore } from '../../store/store';
import type { Theme } from '../../theme';
import { EmptyState, LoadFailed } from '../common/EmptyState';
import { Field } from '../common/Field';
import { BandwidthInput } from './BandwidthInput';
import { CommandJobsField } from './CommandJobsField';
import { ReceiverSection } from './ReceiverSection';
import { ScheduleEditor } from './ScheduleEditor';
import { sameForm, toForm, toPatch, validateForm } from './settingsForm';
import type { SettingsForm } from './settingsForm';
import './SettingsView.css';

function Section({ title, description, children }: { title: string; description?: string; children: ReactNode }): ReactElement {
  const id = `settings-${title.toLowerCase().replace(/\W+/g, '-')}`;
  return (
    <section className="settings-section" aria-labelledby={id}>
      <div className="settings-section-head">
        <h2 id={id} className="settings-section-title">
          {title}
        </h2>
        {description ? <p className="settings-section-desc">{description}</p> : null}
      </div>
      <div className="settings-section-body">{children}</div>
    </section>
  );
}

const THEMES: ReadonlyArray<{ theme: Theme; label: string }> = [
  { theme: 'system', label: 'System' },
  { theme: 'light', label: 'Light' },
  { theme: 'dark', label: 'Dark' },
];

function Form({ settings }: { settings: Settings }): ReactElement {
  const theme = useFerryStore(selectTheme);
  const health = useFerryStore((s) => s.settings.health);
  const desktop = useFerryStore((s) => selectCapabilities(s)?.host === 'desktop');
  const [saved, setSaved] = useState(() => toForm(settings));
  const [form, setForm] = useState(saved);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [saving, setSaving] = useState(false);
  const [tried, setTried] = useState(false);

  // Settings saved elsewhere (another window) replace an untouched form.
  useEffect(() => {
    const next = toForm(settings);
    setSaved(next);
    setForm((current) => (sameForm(current, saved) ? next : current));
  }, [settings]);

  const dirty = !sameForm(form, saved);
  const change = (patch: Partial<SettingsForm>) =>
    setForm((f) => {
      const next = { ...f, ...patch };
      if (tried) setErrors(validateForm(next, theme));
      return next;
    });

  const save = async () => {
    setTried(true);
    const found = validateForm(form, theme);
    setErrors(found);
    if (Object.keys(found).length) return;
    setSaving(true);
    const remote = await saveSettings(toPatch(form));
    setSaving(false);
    if (remote) setErrors(remote);
    else setTried(false);
  };
  const e = (key: string) => errors[key] ?? null;
  const number = (
    key: 'concurrency' | 'parallelFiles' | 'chunkSizeMiB' | 'retentionDays' | 'eventsMaxPerJob' | 'eventsMaxAgeDays' | 'progressWebhookSeconds' | 'receiverPort',
    min: number, max: number) => (
    <input className="input input-number" type="number" min={min} max={max} step={1} value={form[key]} onChange={(ev) => change({ [key]: ev.target.value })} />
  );

  return (
    <form
      noValidate
      className="settings-form"
      onSubmit={(ev) => {
        ev.preventDefault();
        void save();
      }}
    >
      <Section title="Appearance" description="Applies at once.">
        <div className="field">
          <span className="field-label" id="theme-label">
            Theme
          </span>
          <div className="segmented" role="radiogroup" aria-labelledby="theme-label">
            {THEMES.map((t) => (
              <button key={t.theme} type="button" role="radio" aria-checked={theme === t.theme} onClick={() => void setTheme(t.theme)}>
                {t.label}
              </button>
            ))}
          </div>
        </div>
      </Section>
      <Section title="Transfers" description="How much Ferry does at once.">
        <div className="settings-grid">
          <Field label="Jobs at once" hint="1–64 jobs run in parallel; the rest wait in the queue." error={e('concurrency')}>
            {number('concurrency', 1, 64)}
          </Field>
          <Field label="Files at once per dataset" hint="1–64 files of one upload in flight." error={e('parallelFiles')}>
            {number('parallelFiles', 1, 64)}
          </Field>
          <Field label="Request size (MiB)" hint="Bytes per request to the built-in receiver, 1–1024; streamed, so memory does not grow with it. Saved tus and S3 destinations have their own." error={e('chunkSizeMiB')}>
            {number('chunkSizeMiB', 1, 1024)}
          </Field>
          <Field label="Jobs at once per destination" hint="0–64; 0 leaves it to the limit above." error={e('destinationConcurrency')}>
            <input className="input input-number" type="number" min={0} max={64} step={1} value={form.destinationConcurrency} onChange={(ev) => change({ destinationConcurrency: ev.target.value })} />
          </Field>
        </div>
        <h3 className="form-section-title">Per kind of job</h3>
        <p className="muted">Jobs of a kind at once (1–64) and how long one attempt may run, in seconds; leave a field empty for no limit.</p>
        <div className="settings-grid">
          {JOB_KINDS.map((kind) => (
            <div key={kind} className="settings-kind-row" data-testid={`kind-limits-${kind}`}>
              <Field label={`${kind}: jobs at once`} error={e(`kindConcurrency.${kind}`)}>
                <input
                  className="input input-number"
                  type="number"
                  min={1}
                  max={64}
                  step={1}
                  value={form.kindConcurrency[kind]}
                  onChange={(ev) => change({ kindConcurrency: { ...form.kindConcurrency, [kind]: ev.target.value } })}
                />
              </Field>
              <Field label={`${kind}: time limit (s)`} error={e(`kindTimeoutSeconds.${kind}`)}>
                <input
                  className="input input-number"
                  type="number"
                  min={1}
                  step={1}
                  value={form.kindTimeoutSeconds[kind]}
                  onChange={(ev) => change({ kindTimeoutSeconds: { ...form.kindTimeoutSeconds, [kind]: ev.target.value } })}
                />
              </Field>
            </div>
          ))}
        </div>
      </Section>
      <ReceiverSection settings={settings} form={form} change={change} portError={e('receiverPort')} />
      <Section title="Bandwidth" description="A limit for all uploads together, and weekly rules that override it while they apply.">
        <div className="bandwidth-row">
          <Field label="Limit upload speed" inline>
            <input type="checkbox" className="checkbox" checked={form.limited} onChange={(ev) => change({ limited: ev.target.checked })} />
          </Field>
          <BandwidthInput label="Bandwidth limit" value={form.bandwidth} onChange={(bandwidth) => change({ bandwidth })} disabled={!form.limited} invalid={!!e('bandwidthLimit')} />
          {!form.limited ? <span className="muted">Unlimited</span> : null}
        </div>
        {e('bandwidthLimit') ? (
          <p className="field-error" role="alert">
            {e('bandwidthLimit')}
          </p>
        ) : null}
        <h3 className="form-section-title">Weekly schedule</h3>
        <ScheduleEditor rows={form.schedule} onChange={(schedule) => change({ schedule })} errors={errors} />
      </Section>
      <Section title="Notifications" description={desktop ? 'Shown by your operating system.' : 'Shown by the desktop app; webhooks are sent either way.'}>
        <Field label="When a job completes" inline>
          <input type="checkbox" className="checkbox" checked={form.notifyOnComplete} onChange={(ev) => change({ notifyOnComplete: ev.target.checked })} />
        </Field>
        <Field label="When a job fails" inline>
          <input type="checkbox" className="checkbox" checked={form.notifyOnFailure} onChange={(ev) => change({ notifyOnFailure: ev.target.checked })} />
        </Field>
      </Section>
      <Section title="Behaviour" description="What happens to finished jobs and to files that change while they are sent.">
        <div className="settings-grid">
          <Field label="Keep finished jobs for (days)" hint="Older finished jobs are deleted with their logs; 0 keeps them forever." error={e('retentionDays')}>
            {number('retentionDays', 0, 3650)}
          </Field>
          <Field label="Keep at most this many events per job" hint="A job's oldest events go first; 0 keeps them all." error={e('eventsMaxPerJob')}>
            {number('eventsMaxPerJob', 0, 10_000_000)}
          </Field>
          <Field label="Keep a job's events for (days)" hint="Older events are dropped, even from jobs still open; 0 keeps them forever." error={e('eventsMaxAgeDays')}>
            {number('eventsMaxAgeDays', 0, 3650)}
          </Field>
          <Field label="Progress webhooks at most every (seconds)" hint="A webhook that asks for progress hears of each running job this often at most." error={e('progressWebhookSeconds')}>
            {number('progressWebhookSeconds', 1, 3600)}
          </Field>
          <Field label="When a source file changes while it is sent" error={e('onSourceChange')}>
            <select className="select" value={form.onSourceChange} onChange={(ev) => change({ onSourceChange: ev.target.value as Settings['onSourceChange'] })}>
              <option value="fail">Fail that file</option>
              <option value="restart">Start that file over</option>
            </select>
          </Field>
        </div>
        <Field label="Start Ferry when I log in" inline hint={desktop ? undefined : 'Takes effect in the desktop app.'}>
          <input type="checkbox" className="checkbox" checked={form.startAtLogin} onChange={(ev) => change({ startAtLogin: ev.target.checked })} />
        </Field>
        <Field
          label="Allow local scripts"
          inline
          hint={
            desktop
              ? 'Opens Ferry’s HTTP API on 127.0.0.1 for scripts and the ferry command. Its access token is written to instance.json in the data directory, which only your user account can read; any program running as you can use it. Takes effect at once.'
              : 'For the desktop app; ferry serve always offers its HTTP API.'
          }
        >
          <input type="checkbox" className="checkbox" checked={form.allowLocalScripts} onChange={(ev) => change({ allowLocalScripts: ev.target.checked })} data-testid="allow-local-scripts" />
        </Field>
        <CommandJobsField />
      </Section>
      <Section title="Storage" description="Where this Ferry keeps its jobs, logs and settings.">
        <Field label="Data directory" hint={dataDirHint(health)}>
          <input className="input input-mono" readOnly value={health?.dataDir ?? 'unknown'} data-testid="data-dir" />
        </Field>
      </Section>
      <div className={`settings-savebar${dirty ? ' settings-savebar-dirty' : ''}`} role="region" aria-label="Save settings">
        <span className="settings-savebar-note">{Object.keys(errors).length ? <span className="upload-error">Fix the fields marked in red.</span> : dirty ? 'You have unsaved changes.' : 'All changes saved.'}</span>
        <button
          type="button"
          className="btn"
          disabled={!dirty || saving}
          onClick={() => {
            setForm(saved);
            setErrors({});
            setTried(false);
          }}
        >
          Revert
        </button>
        <button type="submit" className="btn btn-primary" disabled={!dirty || saving}>
          {saving ? 'Saving…' : 'Save changes'}
        </button>
      </div>
    </form>
  );
}

/** Free space, and what files dropped in a browser hold until their uploads are done (web host). */
function dataDirHint(health: Health | null | undefined): string | undefined {
  const parts: string[] = [];
  if (health?.freeBytes != null) parts.push(`${formatBytes(health.freeBytes)} free on this disk.`);
  const staged = health?.staging;
  if (staged && staged.areas > 0) parts.push(`Dropped files kept until their uploads are done: ${formatBytes(staged.bytes)} in ${staged.areas} ${plural(staged.areas, 'drop')}.`);
  return parts.length ? parts.join(' ') : undefined;
}

export function SettingsView(): ReactElement {
  const settings = useFerryStore(selectSettings);
  const status = useFerryStore((s) => s.settings.status);
  const error = useFerryStore((s) => s.settings.error);
  return (
    <div className="screen">
      <header className="screen-header">
        <h1 className="screen-title">Settings</h1>
      </header>
      <div className="screen-body">
        <div className="screen-body-narrow">
          {settings ? (
            <Form settings={settings} />
          ) : status === 'error' ? (
            <LoadFailed what="the settings" error={error} retry={loadSettings} />
          ) : (
            <EmptyState title="Loading settings…" />
          )}
        </div>
      </div>
    </div>
  );
}
