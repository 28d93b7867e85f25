/** Webhooks: who is told, signed, when jobs complete or fail (globally or per destination). */
import { useEffect, useState } from 'react';
import type { ReactElement } from 'react';
import type { WebhookTestResult, WebhookView } from '../../../../shared/automation';
import { formatCount } from '../../../../shared/format';
import { loadDestinations } from '../../store/actions/destinations';
import { deleteWebhook, loadWebhooks, openWebhookEditor, sendWebhookTest } from '../../store/actions/webhooks';
import { useFerryStore } from '../../store/store';
import { EmptyState, LoadFailed } from '../common/EmptyState';
import { AlertIcon, BoltIcon, CheckIcon, EditIcon, PlusIcon, TrashIcon } from '../common/icons';
import { WebhookEditor } from './WebhookEditor';
import './WebhooksView.css';

const SIGNING_HINT = (
  <>
    Each delivery is a JSON POST with <code>Ferry-Timestamp</code> and <code>Ferry-Signature: sha256=&lt;hex&gt;</code>, the
    HMAC-SHA256 of <code>&lt;timestamp&gt;.&lt;body bytes&gt;</code> keyed with the webhook&apos;s secret. Failed deliveries are retried with
    backoff, and every attempt is an event in the job&apos;s timeline.
  </>
);

type TestState = { status: 'sending' } | { status: 'done'; result: WebhookTestResult };

function TestLine({ test }: { test: TestState | null }): ReactElement | null {
  if (!test) return null;
  if (test.status === 'sending') {
    return (
      <p className="webhook-test webhook-test-running" role="status" data-testid="webhook-test" data-status="sending">
        Sending a test delivery…
      </p>
    );
  }
  const { ok, message } = test.result;
  return (
    <p className={`webhook-test ${ok ? 'webhook-test-ok' : 'webhook-test-bad'}`} role="status" data-testid="webhook-test" data-status={ok ? 'ok' : 'failed'}>
      {ok ? <CheckIcon /> : <AlertIcon />}
      <strong>{ok ? 'Delivered' : 'Not delivered'}</strong>
      <span>{message}</span>
    </p>
  );
}

function WebhookCard({ hook, scope }: { hook: WebhookView; scope: string }): ReactElement {
  const [test, setTest] = useState<TestState | null>(null);
  const send = async (): Promise<void> => {
    setTest({ status: 'sending' });
    const result = await sendWebhookTest(hook);
    setTest(result ? { status: 'done', result } : null);
  };
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
          {scope} · {hook.events.map((e) => e.replace('job.', '')).join(', ')}
          {hook.hasSecret ? ' · signed' : ''}
        </p>
        <TestLine test={test} />
      </div>
      <div className="webhook-actions">
        <button
          type="button"
          className="btn btn-small"
          aria-label={`Send test to ${hook.url}`}
          title="Send one signed test delivery (event “test”) now and show what the receiver answers"
          disabled={test?.status === 'sending'}
          onClick={() => void send()}
        >
          Send test
        </button>
        <button type="button" className="btn btn-icon btn-ghost" aria-label={`Edit webhook ${hook.url}`} title="Edit" onClick={() => openWebhookEditor({ mode: 'edit', id: hook.id })}>
          <EditIcon />
        </button>
        <button type="button" className="btn btn-icon btn-ghost btn-danger" aria-label={`Delete webhook ${hook.url}`} title="Delete" onClick={() => void deleteWebhook(hook)}>
          <TrashIcon />
        </button>
      </div>
    </li>
  );
}

export function WebhooksView(): ReactElement {
  const { list, status, error, editor } = useFerryStore((s) => s.webhooks);
  const destinations = useFerryStore((s) => s.destinations.list);
  // Destinations too: a scope names one, and it may have been added elsewhere since the app started.
  useEffect(() => void Promise.all([loadWebhooks(), loadDestinations()]), []);

  const scopeOf = (hook: WebhookView) =>
    hook.destinationId === null ? 'Every job' : `Jobs to ${destinations.find((d) => d.id === hook.destinationId)?.name ?? 'a deleted destination'}`;
  const editing = editor?.mode === 'edit' ? list.find((h) => h.id === editor.id) : undefined;

  let body: ReactElement | null = null;
  if (status === 'error') {
    body = (
      <LoadFailed what="webhooks" error={error} retry={loadWebhooks} />
    );
  } else if (status === 'ready' && list.length === 0) {
    body = (
      <EmptyState
        testId="webhooks-empty"
        glyph={<BoltIcon />}
        title="No webhooks yet"
        hint={
          <>
            A webhook tells a LIMS, a chat channel or a pipeline when a job completes or fails: Ferry POSTs a JSON body to its URL, signed with
            HMAC-SHA256 in the <code>Ferry-Signature</code> header so the receiver can check it came from here.
          </>
        }
        actions={
          <button type="button" className="btn btn-primary" onClick={() => openWebhookEditor({ mode: 'new' })}>
            <PlusIcon />
            Add webhook
          </button>
        }
      />
    );
  } else if (status === 'ready') {
    body = (
      <>
        <p className="screen-intro">{SIGNING_HINT}</p>
        <ul className="card-list" aria-label="Webhooks">
          {list.map((hook) => (
            <WebhookCard key={hook.id} hook={hook} scope={scopeOf(hook)} />
          ))}
        </ul>
      </>
    );
  }

  return (
    <div className="screen webhooks-screen">
      <header className="screen-header">
        <h1 className="screen-title">Webhooks</h1>
        <span className="screen-meta">{status === 'ready' ? `${formatCount(list.length)} configured` : ''}</span>
        <div className="screen-actions">
          <button type="button" className="btn btn-primary" onClick={() => openWebhookEditor({ mode: 'new' })}>
            <PlusIcon />
            Add webhook
          </button>
        </div>
      </header>
      <div className="screen-body">
        <div className="screen-body-narrow">{body}</div>
      </div>
      {editor && (editor.mode === 'new' || editing) ? <WebhookEditor key={editor.mode === 'edit' ? editor.id : 'new'} existing={editing} /> : null}
    </div>
  );
}
