/** New bucket download: a prefix of a saved S3 destination (or a completed upload's dataset) to a new local folder. */
import { useState } from 'react';
import type { ReactElement } from 'react';
import { goTo } from '../../store/actions/navigation';
import { closeNewJob, createBucketDownload } from '../../store/actions/newJobs';
import { showError } from '../../store/actions/toasts';
import { useFerryStore } from '../../store/store';
import { ferry } from '../../transport';
import { Field } from '../common/Field';
import { Modal } from '../common/Modal';
import { FolderPicker } from '../watch/FolderPicker';
import { DownloadSource, Sheet } from './JobSheet';

/** The folder a picked place gets for the download: a new one inside it, named after what is downloaded. */
function inside(picked: string, name: string): string {
  const sep = picked.includes('\\') && !picked.includes('/') ? '\\' : '/';
  return name ? `${picked.replace(/[\\/]+$/, '')}${sep}${name}` : picked;
}

/** The last segment of a prefix (`runs/2024/` → `2024`): the folder name a download suggests. */
const lastSegment = (prefix: string) => prefix.split('/').filter(Boolean).pop() ?? '';

export function BucketDownloadForm(): ReactElement {
  const preset = useFerryStore((s) => s.newJob.preset);
  const buckets = useFerryStore((s) => s.destinations.list).filter((d) => d.kind === 's3');
  const canPick = useFerryStore((s) => s.ui.capabilities?.pickPaths ?? false);
  const [destinationId, setDestinationId] = useState(preset?.destinationId ?? buckets[0]?.id ?? '');
  const [prefix, setPrefix] = useState('');
  const [dest, setDest] = useState('');
  const [name, setName] = useState('');
  const [browsing, setBrowsing] = useState(false);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  /** A new folder clears what was said about the old one. */
  const setFolder = (path: string) => {
    setDest(path);
    setErrors(({ dest: _gone, ...rest }) => rest);
  };
  const folderName = preset ? preset.dataset : lastSegment(prefix) || (buckets.find((b) => b.id === destinationId)?.name ?? '');
  const from = buckets.find((b) => b.id === (preset?.destinationId ?? destinationId));

  const choose = async () => {
    if (!canPick) {
      setBrowsing(true);
      return;
    }
    try {
      const [picked] = await ferry.pickPaths({ kind: 'folders' });
      if (picked) setFolder(inside(picked, folderName));
    } catch (err) {
      showError('Could not open the folder dialog', err);
    }
  };

  const start = async () => {
    const found: Record<string, string> = {};
    if (!preset && !destinationId) found.destinationId = 'Choose the S3 destination to download from';
    if (!dest.trim()) found.dest = 'Where the files go on this computer';
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    setBusy(true);
    const { errors: remote } = await createBucketDownload({
      ...(preset ? { sourceJobId: preset.sourceJobId } : { destinationId, prefix: prefix.trim() }),
      dest: dest.trim(),
      ...(name.trim() ? { name: name.trim() } : {}),
    });
    setBusy(false);
    setErrors(remote);
  };

  if (!preset && buckets.length === 0) {
    return (
      <Modal
        title="New download"
        subtitle="Downloads a folder (a key prefix) of an S3 bucket to this computer."
        onClose={closeNewJob}
        testId="new-bucket-download"
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
                goTo('destinations');
              }}
            >
              Open Destinations
            </button>
          </>
        }
      >
        <div className="newjob-form">
          <DownloadSource current="s3" />
          <p className="newjob-note" data-testid="no-s3-destinations">
            No S3 destination is saved yet. Add one under <strong>Destinations</strong> (its keys stay with Ferry), then download from it here.
          </p>
        </div>
      </Modal>
    );
  }

  return (
    <Sheet
      title={preset ? `Download ${preset.dataset} back` : 'New download'}
      subtitle="Every file under the prefix, to a new folder here: in parallel, resumed after pauses, network loss and restarts, each file checked against the dataset's manifest or the bucket's checksum."
      busy={busy}
      onStart={start}
      testId="new-bucket-download"
    >
      {preset ? null : <DownloadSource current="s3" />}
      {preset ? (
        <p className="newjob-from" data-testid="download-back-from">
          The dataset <strong>{preset.dataset}</strong> from <strong>{from?.name ?? 'its destination'}</strong>
          {from ? <span className="newjob-from-where">{from.summary}</span> : null}
        </p>
      ) : (
        <div className="form-grid">
          <Field label="S3 destination" error={errors.destinationId}>
            <select className="input" value={destinationId} onChange={(e) => setDestinationId(e.target.value)}>
              {buckets.map((b) => (
                <option key={b.id} value={b.id}>
                  {b.name}
                </option>
              ))}
            </select>
          </Field>
          <Field label="Prefix" error={errors.prefix} hint="A folder in the bucket, under the destination's own prefix; empty for all of it.">
            <input className="input input-mono" value={prefix} onChange={(e) => setPrefix(e.target.value)} placeholder="run-42/" spellCheck={false} />
          </Field>
        </div>
      )}
      <div className="newjob-path-row">
        <Field label="Save to folder" error={errors.dest} hint="A new or empty folder: nothing already on this computer is overwritten." className="newjob-path-field">
          <input className="input input-mono" value={dest} onChange={(e) => setFolder(e.target.value)} placeholder={`/data/incoming/${folderName || 'dataset'}`} spellCheck={false} />
        </Field>
        <button type="button" className="btn newjob-path-choose" onClick={() => void choose()}>
          Choose…
        </button>
      </div>
      {browsing ? (
        <FolderPicker
          start={dest}
          onCancel={() => setBrowsing(false)}
          onPick={(path) => {
            setBrowsing(false);
            setFolder(inside(path, folderName));
          }}
        />
      ) : null}
      <Field label="Job name (optional)" error={errors.name}>
        <input className="input" value={name} onChange={(e) => setName(e.target.value)} />
      </Field>
    </Sheet>
  );
}
