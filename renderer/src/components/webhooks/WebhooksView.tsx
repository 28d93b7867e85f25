/** Webhooks: who is told, signed, when jobs complete or fail (globally or per destination). */
import { useCallback, useEffect, useState } from 'react';
import type { ReactElement } from 'react';
import type { WebhookView } from '../../../../shared/automation';
import type { DestinationView } from '../../../../shared/destinations';
import { formatCount } from '../../../../shared/format';
import { describeError } from '../../store/actions/toasts';
import { ferry } from '../../transport';
import { EmptyState } from '../common/EmptyState';
import { AlertIcon, BoltIcon, EditIcon, PlusIcon, TrashIcon } from '../common/icons';
import { deleteWebhook } from './webhookActions';
import { WebhookEditor } from './WebhookEditor';
import './WebhooksView.css';

type Editing = { mode: 'new' } | { mode: 'edit'; hook: WebhookView } | null;

const SIGNING_HINT = (
  <>
    Each delivery is a JSON POST with <code>Ferry-Timestamp</code> and <code>Ferry-Signature: sha256=&lt;hex&gt;</code>, the
    HMAC-SHA256 of <code>&lt;timestamp&gt;.&lt;body bytes&gt;</code> keyed with the webhook&apos;s secret. Failed deliveries are retried with
    backoff, and every attempt is an event in the job&apos;s timeline.
  </>
);

function WebhookCard({ hook, destination, onEdit, onDeleted }: { hook: WebhookView; destination: string; onEdit(): void; onDeleted(): void }): ReactElement {
  return (
    <li className="card webhook-card" data-testid="webhook-card" aria-label={hook.url}>
      <span className={`card-icon${hook.enabled ? '' : ' webhook-icon-off'}`} aria-hidden="true">
        <BoltIcon />
      </span>
      <div className="webhook-text">
        <div className="webhook-title-row">
          <h2 className="webhook-url" title={hook.url}>
            {hook.url}
          </h2>
          {hook.enabled ? null : <span className="webhook-off">Off</span>}
        </div>
        <p className="webhook-summary">
          {destination} · {hook.events.map((e) => e.replace('job.', '')).join(', ')}
          {hook.hasSecret ? ' · signed' : ''}
        </p>
      </div>
      <div className="webhook-actions">
        <button type="button" className="btn btn-icon btn-ghost" aria-label={`Edit webhook ${hook.url}`} title="Edit" onClick={onEdit}>
          <EditIcon />
        </button>
        <button type="button" className="btn btn-icon btn-ghost btn-danger" aria-label={`Delete webhook ${hook.url}`} title="Delete" onClick={() => void deleteWebhook(hook).then((gone) => gone && onDeleted())}>
          <TrashIcon />
        </button>
      </div>
    </li>
  );
}

export function WebhooksView(): ReactElement {
  const [hooks, setHooks] = useState<WebhookView[] | null>(null);
  const [destinations, setDestinations] = useState<DestinationView[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [editing, setEditing] = useState<Editing>(null);

  const load = useCallback(async () => {
    try {
      const [list, dests] = await Promise.all([ferry.listWebhooks({}), ferry.listDestinations({}).catch(() => [] as DestinationView[])]);
      setHooks(list);
      setDestinations(dests);
      setError(null);
    } catch (err) {
      setError(describeError(err));
    }
  }, []);
  useEffect(() => void load(), [load]);

  const scopeOf = (hook: WebhookView) =>
    hook.destinationId === null ? 'Every job' : `Jobs to ${destinations.find((d) => d.id === hook.destinationId)?.name ?? 'a deleted destination'}`;

  let body: ReactElement;
  if (error && !hooks) {
    body = (
      <EmptyState
        glyph={<AlertIcon />}
        title="Could not load webhooks"
        hint={error}
        actions={
          <button type="button" className="btn" onClick={() => void load()}>
            Try again
          </button>
        }
      />
    );
  } else if (hooks && hooks.length === 0) {
    body = (
      <EmptyState
        testId="webhooks-empty"
        glyph={<BoltIcon />}
        title="No webhooks yet"
        hint={
          <>
            Tell a LIMS, a chat channel or a pipeline when a job completes or fails. Every delivery is a JSON POST signed with HMAC-SHA256 in the{' '}
            <code>Ferry-Signature</code> header.
          </>
        }
        actions={
          <button type="button" className="btn btn-primary" onClick={() => setEditing({ mode: 'new' })}>
            <PlusIcon />
            Add webhook
          </button>
        }
      />
    );
  } else {
    body = (
      <>
        <p className="screen-intro">{SIGNING_HINT}</p>
        <ul className="card-list" aria-label="Webhooks">
          {(hooks ?? []).map((hook) => (
            <WebhookCard key={hook.id} hook={hook} destination={scopeOf(hook)} onEdit={() => setEditing({ mode: 'edit', hook })} onDeleted={() => void load()} />
          ))}
        </ul>
      </>
    );
  }

  return (
    <div className="screen">
      <header className="screen-header">
        <h1 className="screen-title">Webhooks</h1>
        <span className="screen-meta">{hooks ? `${formatCount(hooks.length)} configured` : ''}</span>
        <div className="screen-actions">
          <button type="button" className="btn btn-primary" onClick={() => setEditing({ mode: 'new' })}>
            <PlusIcon />
            Add webhook
          </button>
        </div>
      </header>
      <div className="screen-body">
        <div className="screen-body-narrow">{body}</div>
      </div>
      {editing ? (
        <WebhookEditor
          existing={editing.mode === 'edit' ? editing.hook : undefined}
          destinations={destinations}
          onClose={() => setEditing(null)}
          onSaved={() => {
            setEditing(null);
            void load();
          }}
        />
      ) : null}
    </div>
  );
}
