/** New download job (URL → local file, or an S3 prefix → local folder) and new command job (a program run as a job). */
import { useState } from 'react';
import type { ReactElement } from 'react';
import { goTo } from '../../store/actions/navigation';
import { closeNewJob, createCommand, createDownload } from '../../store/actions/newJobs';
import { useFerryStore } from '../../store/store';
import { Field } from '../common/Field';
import { Modal } from '../common/Modal';
import { BucketDownloadForm } from './BucketDownloadForm';
import { DownloadSource, Sheet } from './JobSheet';
import './NewJobSheet.css';

const lines = (text: string): string[] => text.split('\n').filter((l) => l.length > 0);

function DownloadForm(): ReactElement {
  const [url, setUrl] = useState('');
  const [dest, setDest] = useState('');
  const [sha256, setSha256] = useState('');
  const [name, setName] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);

  const start = async () => {
    const found: Record<string, string> = {};
    if (!/^https?:\/\/\S+$/i.test(url.trim())) found.url = 'Enter an http:// or https:// address';
    if (!dest.trim()) found.dest = 'Where the file goes on this computer';
    if (sha256.trim() && !/^[0-9a-fA-F]{64}$/.test(sha256.trim())) found.expectedSha256 = 'A SHA-256 is 64 hex digits';
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    setBusy(true);
    const { errors: remote } = await createDownload({
      url: url.trim(),
      dest: dest.trim(),
      ...(sha256.trim() ? { expectedSha256: sha256.trim().toLowerCase() } : {}),
      ...(name.trim() ? { name: name.trim() } : {}),
    });
    setBusy(false);
    setErrors(remote);
  };

  return (
    <Sheet title="New download" subtitle="Fetches one http(s) URL to a file here: resumed after network loss and restarts, checked against a SHA-256 when you give one." busy={busy} onStart={start} testId="new-download">
      <DownloadSource current="url" />
      <Field label="URL" error={errors.url}>
        <input className="input input-mono" value={url} onChange={(e) => setUrl(e.target.value)} placeholder="https://data.example.org/run-42/volume.tif" spellCheck={false} />
      </Field>
      <Field label="Save as" error={errors.dest} hint="A full path on this computer; missing folders are created.">
        <input className="input input-mono" value={dest} onChange={(e) => setDest(e.target.value)} placeholder="/data/incoming/volume.tif" spellCheck={false} />
      </Field>
      <Field label="Expected SHA-256 (optional)" error={errors.expectedSha256} hint="The job fails, and keeps nothing, if the bytes do not match.">
        <input className="input input-mono" value={sha256} onChange={(e) => setSha256(e.target.value)} placeholder="64 hex digits" spellCheck={false} />
      </Field>
      <Field label="Job name (optional)" error={errors.name}>
        <input className="input" value={name} onChange={(e) => setName(e.target.value)} />
      </Field>
    </Sheet>
  );
}

function CommandForm(): ReactElement {
  const allowed = useFerryStore((s) => s.ui.capabilities?.commandJobs ?? false);
  const [program, setProgram] = useState('');
  const [args, setArgs] = useState('');
  const [cwd, setCwd] = useState('');
  const [env, setEnv] = useState('');
  const [timeout, setTimeoutMin] = useState('');
  const [name, setName] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);

  if (!allowed) {
    return (
      <Modal
        title="New command job"
        subtitle="Runs a program on this computer as a job."
        onClose={closeNewJob}
        testId="new-command"
        footer={
          <>
            <button type="button" className="btn" onClick={closeNewJob}>
              Cancel
            </button>
            <button
              type="button"
              className="btn btn-primary"
              data-autofocus
              onClick={() => {
                closeNewJob();
                goTo('settings');
              }}
            >
              Open Settings
            </button>
          </>
        }
      >
        <div className="newjob-off" data-testid="command-jobs-off">
          <p>
            Command jobs are off. Anyone who can create jobs in Ferry could run any program with your rights, so only you can turn them on
            where Ferry runs: <strong>Settings</strong> says how.
          </p>
        </div>
      </Modal>
    );
  }

  const start = async () => {
    const found: Record<string, string> = {};
    if (!program.trim()) found.program = 'The program to run (no shell)';
    const envPairs = lines(env).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)] as const);
    if (lines(env).some((l) => !/^[A-Za-z_][A-Za-z0-9_]*=/.test(l))) found.env = 'One NAME=value per line';
    const minutes = timeout.trim() ? Number(timeout) : undefined;
    if (minutes !== undefined && !(minutes > 0)) found.timeoutMs = 'Minutes, more than 0';
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    setBusy(true);
    const { errors: remote } = await createCommand({
      program: program.trim(),
      args: lines(args),
      ...(cwd.trim() ? { cwd: cwd.trim() } : {}),
      ...(envPairs.length ? { env: Object.fromEntries(envPairs) } : {}),
      ...(minutes !== undefined ? { timeoutMs: Math.round(minutes * 60_000) } : {}),
      ...(name.trim() ? { name: name.trim() } : {}),
    });
    setBusy(false);
    setErrors(remote);
  };

  return (
    <Sheet title="New command job" subtitle="Runs a program (no shell) as a job: its output streams into the log, pause stops it, cancel ends it and its children." busy={busy} onStart={start} testId="new-command">
      <Field label="Program" error={errors.program}>
        <input className="input input-mono" value={program} onChange={(e) => setProgram(e.target.value)} placeholder="/usr/bin/python3" spellCheck={false} autoFocus />
      </Field>
      <Field label="Arguments" error={errors.args} hint="One per line, passed as they are.">
        <textarea className="input input-mono" rows={3} value={args} onChange={(e) => setArgs(e.target.value)} spellCheck={false} />
      </Field>
      <div className="form-grid">
        <Field label="Working folder (optional)" error={errors.cwd}>
          <input className="input input-mono" value={cwd} onChange={(e) => setCwd(e.target.value)} spellCheck={false} />
        </Field>
        <Field label="Time limit, minutes (optional)" error={errors.timeoutMs}>
          <input className="input" type="number" min={0} value={timeout} onChange={(e) => setTimeoutMin(e.target.value)} />
        </Field>
      </div>
      <Field label="Environment (optional)" error={errors.env} hint="NAME=value, one per line, added to Ferry's own.">
        <textarea className="input input-mono" rows={2} value={env} onChange={(e) => setEnv(e.target.value)} spellCheck={false} />
      </Field>
      <Field label="Job name (optional)" error={errors.name}>
        <input className="input" value={name} onChange={(e) => setName(e.target.value)} />
      </Field>
    </Sheet>
  );
}

export function NewJobSheet(): ReactElement | null {
  const kind = useFerryStore((s) => s.newJob.kind);
  if (kind === 'download') return <DownloadForm />;
  if (kind === 's3download') return <BucketDownloadForm />;
  if (kind === 'command') return <CommandForm />;
  return null;
}
