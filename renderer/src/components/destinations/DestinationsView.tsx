/** Destinations: where uploads go. Test, make default, edit, delete; the built-in receiver is always there. */
import type { ReactElement } from 'react';
import { formatCount } from '../../../../shared/format';
import type { DestinationView } from '../../../../shared/destinations';
import { deleteDestination, loadDestinations, openDestinationEditor, setDefaultDestination, testDestination } from '../../store/actions/destinations';
import type { TestResult } from '../../store/destinationsSlice';
import { useFerryStore } from '../../store/store';
import { LoadFailed } from '../common/EmptyState';
import { AlertIcon, CheckIcon, EditIcon, PlusIcon, ServerIcon, StarIcon, TrashIcon } from '../common/icons';
import './DestinationsView.css';

const KIND_LABEL: Record<DestinationView['kind'], string> = { receiver: 'Built-in', tus: 'tus', s3: 'S3', folder: 'Folder' };

function TestLine({ test }: { test: TestResult | undefined }): ReactElement | null {
  if (!test) return null;
  if (test.status === 'testing') {
    return (
      <p className="dest-test dest-test-running" role="status" data-testid="destination-test" data-status="testing">
        Testing the connection…
      </p>
    );
  }
  if (test.status === 'error') {
    return (
      <p className="dest-test dest-test-bad" role="status" data-testid="destination-test" data-status="error">
        <AlertIcon /> <span className="toast-code">{test.code}</span> {test.message}
      </p>
    );
  }
  const { ok, message, hint, problem, latencyMs } = test.result;
  return (
    <p className={`dest-test ${ok ? 'dest-test-ok' : 'dest-test-bad'}`} role="status" data-testid="destination-test" data-status={ok ? 'ok' : 'failed'} data-problem={problem}>
      {ok ? <CheckIcon /> : <AlertIcon />}
      <strong>{ok ? 'Connected' : 'Failed'}</strong>
      <span>{message}</span>
      <span className="muted">· {formatCount(latencyMs)} ms</span>
      {hint ? (
        <span className="dest-test-hint" data-testid="destination-test-hint">
          {hint}
        </span>
      ) : null}
    </p>
  );
}

function DestinationCard({ destination }: { destination: DestinationView }): ReactElement {
  const test = useFerryStore((s) => s.destinations.tests[destination.id]);
  const receiverDir = useFerryStore((s) => s.ui.capabilities?.receiverDir ?? null);
  const builtin = destination.kind === 'receiver';
  return (
    <li className="card dest-card" data-testid="destination-card" data-name={destination.name} aria-label={destination.name}>
      <div className="dest-main">
        <span className={`card-icon dest-icon-${destination.kind}`} aria-hidden="true">
          <ServerIcon />
        </span>
        <div className="dest-text">
          <div className="dest-title-row">
            <h2 className="dest-name">{destination.name}</h2>
            <span className="dest-kind">{KIND_LABEL[destination.kind]}</span>
            {destination.isDefault ? (
              <span className="dest-default" data-testid="destination-default">
                <StarIcon /> Default
              </span>
            ) : null}
          </div>
          <p className="dest-summary" title={destination.summary}>
            {builtin && receiverDir ? `Files land in ${receiverDir}` : destination.summary}
          </p>
          {destination.hasSecret ? <p className="dest-secret">Secret stored ••••••</p> : null}
        </div>
        <div className="dest-actions">
          <button type="button" className="btn btn-small" onClick={() => void testDestination(destination.id)} disabled={test?.status === 'testing'} aria-label={`Test connection to ${destination.name}`}>
            Test connection
          </button>
          {destination.isDefault ? null : (
            <button type="button" className="btn btn-small" onClick={() => void setDefaultDestination(destination.id)} aria-label={`Set as default: ${destination.name}`}>
              Set as default
            </button>
          )}
          {builtin ? null : (
            <>
              <button type="button" className="btn btn-icon btn-ghost" aria-label={`Edit ${destination.name}`} title="Edit" onClick={() => openDestinationEditor({ mode: 'edit', id: destination.id })}>
                <EditIcon />
              </button>
              <button type="button" className="btn btn-icon btn-ghost btn-danger" aria-label={`Delete ${destination.name}`} title="Delete" onClick={() => void deleteDestination(destination)}>
                <TrashIcon />
              </button>
            </>
          )}
        </div>
      </div>
      <TestLine test={test} />
    </li>
  );
}

export function DestinationsView(): ReactElement {
  const { list, status, error } = useFerryStore((s) => s.destinations);
  return (
    <div className="screen">
      <header className="screen-header">
        <h1 className="screen-title">Destinations</h1>
        <span className="screen-meta">{status === 'ready' ? `${formatCount(list.length)} configured` : ''}</span>
        <div className="screen-actions">
          <button type="button" className="btn btn-primary" onClick={() => openDestinationEditor({ mode: 'new' })}>
            <PlusIcon />
            Add destination
          </button>
        </div>
      </header>
      <div className="screen-body">
        <div className="screen-body-narrow">
          {status === 'error' ? (
            <LoadFailed what="destinations" error={error} retry={loadDestinations} />
          ) : (
            <>
              <p className="screen-intro">Uploads go to the default destination unless you pick another in the upload sheet. Secrets are stored by Ferry and never shown again.</p>
              <ul className="card-list" aria-label="Destinations">
                {list.map((d) => (
                  <DestinationCard key={d.id} destination={d} />
                ))}
              </ul>
            </>
          )}
        </div>
      </div>
    </div>
  );
}
